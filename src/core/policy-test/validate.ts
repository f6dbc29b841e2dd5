import { IssueCollector, isPlainObject, join, typeName } from "../policy/fields.js";
import type { PolicyIssue } from "../policy/types.js";
import {
  DEFAULT_TEST_NAMESPACE,
  type Expectation,
  type ExpectedResult,
  POLICY_RESULTS,
  POLICY_TEST_API_VERSION,
  POLICY_TEST_KIND,
  type PolicyTest,
  type ResourceId,
  WORKLOAD_RESULTS,
} from "./types.js";

const CODE = "POLICY_TEST_INVALID";
const TOP_FIELDS = [
  "apiVersion",
  "kind",
  "metadata",
  "policies",
  "resources",
  "namespaces",
  "cluster",
  "now",
  "facts",
  "tagHandling",
  "results",
];
const RESULT_FIELDS = ["resource", "policy", "result", "code", "container"];
// RFC 3339 date-time with a zone, as Kubernetes writes timestamps: a bare date or a local
// time would be read in the machine's zone, and a test must decide the same everywhere.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const ERROR_CODE = /^[A-Z][A-Z0-9_]*$/;

/** Collects with this file's code, so messages and JSON errors say what kind of file it is. */
class TestIssues extends IssueCollector {
  override error(path: string, message: string): void {
    super.error(path, message, CODE);
  }
}

function readPaths(issues: IssueCollector, path: string, value: unknown, required: boolean) {
  if (value === undefined || value === null) {
    if (required) issues.error(path, "is required (a list of files or folders)");
    return [];
  }
  const list = issues.readList(path, value) ?? [];
  if (Array.isArray(value) && list.length === 0 && required)
    issues.error(path, "must not be empty");
  const out: string[] = [];
  list.forEach((item, i) => {
    const s = issues.readString(join(path, i), item, { nonEmpty: true });
    if (s !== undefined) out.push(s);
  });
  return out;
}

/** `KIND/NAMESPACE/NAME` or `KIND/NAME`; Kubernetes names never hold `/`, so `/` splits. */
export function parseResourceId(text: string): ResourceId | string {
  const parts = text.split("/");
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === "")) {
    return `"${text}" is not KIND/NAMESPACE/NAME or KIND/NAME`;
  }
  const [kind = "", a = "", b] = parts;
  return b === undefined
    ? { kind, namespace: DEFAULT_TEST_NAMESPACE, name: a }
    : { kind, namespace: a, name: b };
}

function readNamespaces(issues: IssueCollector, value: unknown) {
  const out = new Map<string, Record<string, string>>();
  if (value === undefined || value === null) return out;
  if (!isPlainObject(value)) {
    issues.error("namespaces", `expected an object (namespace: labels), got ${typeName(value)}`);
    return out;
  }
  for (const [name, labels] of Object.entries(value)) {
    const path = join("namespaces", name);
    if (name === "" || name.includes("/")) issues.error(path, "is not a namespace name");
    if (labels === null || labels === undefined) {
      out.set(name, {});
      continue;
    }
    if (!isPlainObject(labels)) {
      issues.error(path, `expected an object of labels, got ${typeName(labels)}`);
      continue;
    }
    const read: Record<string, string> = {};
    for (const [key, v] of Object.entries(labels)) {
      const s = issues.readString(join(path, key), v, { required: true });
      if (s !== undefined) read[key] = s;
    }
    out.set(name, read);
  }
  return out;
}

function readNow(issues: IssueCollector, value: unknown): number | undefined {
  // YAML reads an unquoted timestamp as a string here (the core schema), but a JSON test
  // file or another reader may not: only a string is accepted, with the zone written.
  const s = issues.readString("now", value, { nonEmpty: true });
  if (s === undefined) return undefined;
  const ms = RFC3339.test(s) ? Date.parse(s) : Number.NaN;
  if (Number.isNaN(ms)) {
    issues.error("now", `"${s}" is not an RFC 3339 date-time with a zone (2027-01-15T00:00:00Z)`);
    return undefined;
  }
  return ms;
}

function readExpectation(issues: IssueCollector, path: string, value: unknown) {
  const o = issues.readObject(path, value, RESULT_FIELDS);
  if (o === undefined) return undefined;
  const text = issues.readString(join(path, "resource"), o.resource, {
    required: true,
    nonEmpty: true,
  });
  const policy = issues.readString(join(path, "policy"), o.policy, { nonEmpty: true });
  const container = issues.readString(join(path, "container"), o.container, { nonEmpty: true });
  const code = issues.readString(join(path, "code"), o.code, { nonEmpty: true });
  const allowed: readonly ExpectedResult[] =
    o.policy === undefined || o.policy === null ? WORKLOAD_RESULTS : POLICY_RESULTS;
  if (o.result === undefined || o.result === null)
    issues.error(join(path, "result"), "is required");
  const result = issues.readEnum(join(path, "result"), o.result, allowed);
  const resource = text === undefined ? undefined : parseResourceId(text);
  if (typeof resource === "string") issues.error(join(path, "resource"), resource);
  if (container !== undefined && policy === undefined) {
    issues.error(join(path, "container"), "needs `policy`: a verdict is about the whole workload");
  }
  if (code !== undefined) {
    if (!ERROR_CODE.test(code)) issues.error(join(path, "code"), `"${code}" is not a code`);
    // A code is what a violation carries: expecting one of a passing result cannot hold.
    if (result !== undefined && !["fail", "deny", "warn"].includes(result)) {
      issues.error(join(path, "code"), `needs result fail, deny or warn, not ${result}`);
    }
  }
  if (resource === undefined || typeof resource === "string" || result === undefined) {
    return undefined;
  }
  const e: Expectation = {
    path,
    resource,
    result,
    ...(policy === undefined ? {} : { policy }),
    ...(code === undefined ? {} : { code }),
    ...(container === undefined ? {} : { container }),
  };
  return e;
}

function expectationKey(e: Expectation): string {
  const r = e.resource;
  return JSON.stringify([r.kind, r.namespace, r.name, e.policy ?? null, e.container ?? null]);
}

function readResults(issues: IssueCollector, value: unknown): Expectation[] {
  if (value === undefined || value === null) {
    issues.error("results", "is required (the results expected)");
    return [];
  }
  const list = issues.readList("results", value) ?? [];
  if (Array.isArray(value) && list.length === 0) issues.error("results", "must not be empty");
  const out: Expectation[] = [];
  const seen = new Map<string, string>();
  list.forEach((item, i) => {
    const e = readExpectation(issues, join("results", i), item);
    if (e === undefined) return;
    // Two expectations of the same thing would let one of them pass unread.
    const first = seen.get(expectationKey(e));
    if (first !== undefined) {
      issues.error(e.path, `expects the same resource, policy and container as ${first}`);
      return;
    }
    seen.set(expectationKey(e), e.path);
    out.push(e);
  });
  return out;
}

export type PolicyTestResult =
  | { readonly ok: true; readonly test: PolicyTest }
  | { readonly ok: false; readonly issues: readonly PolicyIssue[] };

/** Validates one parsed PolicyTest document; every problem is reported with its field path. */
export function validatePolicyTest(doc: unknown): PolicyTestResult {
  const issues = new TestIssues();
  const o = issues.readObject("", doc, TOP_FIELDS);
  if (o === undefined) return { ok: false, issues: issues.issues };
  if (o.apiVersion !== POLICY_TEST_API_VERSION) {
    issues.error("apiVersion", `must be ${POLICY_TEST_API_VERSION}`);
  }
  if (o.kind !== POLICY_TEST_KIND) issues.error("kind", `must be ${POLICY_TEST_KIND}`);
  const meta = issues.readObject("metadata", o.metadata ?? {}, ["name"]);
  const name = issues.readString("metadata.name", meta?.name, { required: true, nonEmpty: true });
  const cluster = issues.readString("cluster", o.cluster, { nonEmpty: true });
  const facts = issues.readString("facts", o.facts, { nonEmpty: true });
  const tagHandling = issues.readEnum("tagHandling", o.tagHandling, ["pin", "refuse"] as const);
  const now = readNow(issues, o.now);
  const test: PolicyTest = {
    name: name ?? "",
    policies: readPaths(issues, "policies", o.policies, true),
    resources: readPaths(issues, "resources", o.resources, true),
    namespaces: readNamespaces(issues, o.namespaces),
    results: readResults(issues, o.results),
    ...(cluster === undefined ? {} : { cluster }),
    ...(now === undefined ? {} : { now }),
    ...(facts === undefined ? {} : { facts }),
    ...(tagHandling === undefined ? {} : { tagHandling }),
  };
  return issues.hasErrors ? { ok: false, issues: issues.issues } : { ok: true, test };
}

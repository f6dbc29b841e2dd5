/**
 * The inventory an agent reports: every running workload of its cluster, judged by its top
 * owner, with one result per policy that applies to its namespace (docs/control-plane.md,
 * Inventory and compliance). A report is a snapshot of the whole cluster: it replaces the
 * previous one, so it is validated as a whole and refused as a whole.
 */
import type { IssueDetail } from "./api-error.js";

export type WorkloadResult = "pass" | "fail" | "warn" | "skip";

export interface InventoryResult {
  /** ImagePolicy name. */
  readonly policy: string;
  /**
   * fail = a deny violation, warn = a warn (or audit action) violation, pass = the policy
   * applies and nothing is violated, skip = could not decide (e.g. supply facts unavailable).
   */
  readonly result: WorkloadResult;
  /** Violation code, e.g. IMAGE_REGISTRY_NOT_ALLOWED. */
  readonly code?: string;
  readonly message?: string;
  readonly container?: string;
  readonly image?: string;
}

export type InventoryKind =
  | "Deployment"
  | "StatefulSet"
  | "DaemonSet"
  | "CronJob"
  | "Job"
  | "Pod"
  | "ReplicaSet"
  | "ReplicationController";

export type InventoryContainerType = "container" | "initContainer" | "ephemeralContainer";

export interface InventoryContainer {
  readonly name: string;
  readonly image: string;
  readonly type: InventoryContainerType;
}

export interface InventoryWorkload {
  readonly namespace: string;
  /** The top owner: a Pod of a ReplicaSet of a Deployment is the Deployment; bare Pods are Pod. */
  readonly kind: InventoryKind;
  readonly name: string;
  readonly containers: readonly InventoryContainer[];
  /** One per policy that applies to the namespace. */
  readonly results: readonly InventoryResult[];
}

export interface InventoryReport {
  /** Bundle revision the results were computed with. */
  readonly revision: number;
  /** RFC 3339. */
  readonly generatedAt: string;
  /** The WHOLE cluster: replaces the previous report. */
  readonly workloads: readonly InventoryWorkload[];
}

export const INVENTORY_KINDS: readonly InventoryKind[] = [
  "Deployment",
  "StatefulSet",
  "DaemonSet",
  "CronJob",
  "Job",
  "Pod",
  "ReplicaSet",
  "ReplicationController",
];
export const WORKLOAD_RESULTS: readonly WorkloadResult[] = ["pass", "fail", "warn", "skip"];
const CONTAINER_TYPES: readonly InventoryContainerType[] = [
  "container",
  "initContainer",
  "ephemeralContainer",
];

/**
 * Bounds of one report. 50,000 workloads is five times the largest cluster we know of; the
 * per-workload lists are bounded so that one workload cannot carry the whole body budget.
 */
export const INVENTORY_LIMITS = {
  maxWorkloads: 50_000,
  maxString: 4096,
  maxContainers: 256,
  maxResults: 1_000,
  /** Request body, bytes (checked by the HTTP layer). */
  maxBodyBytes: 32 * 1024 * 1024,
} as const;

/** At most this many problems are listed: one bad field per workload is enough to fix it. */
const MAX_ISSUES = 20;

export type InventoryValidation =
  | { readonly ok: true; readonly report: InventoryReport }
  | {
      readonly ok: false;
      /** true when a size bound (not a shape) was exceeded: the caller answers LIMIT_EXCEEDED. */
      readonly limit: boolean;
      readonly issues: readonly IssueDetail[];
    };

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

class Issues {
  readonly list: IssueDetail[] = [];
  add(path: string, message: string): void {
    if (this.list.length < MAX_ISSUES) this.list.push({ path, message });
  }
  get full(): boolean {
    return this.list.length >= MAX_ISSUES;
  }
}

function unknownKeys(v: Obj, allowed: readonly string[], path: string, issues: Issues): void {
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k)) issues.add(`${path}.${k}`, "unknown field");
  }
}

/** A required (or, with `optional`, absent-or-) non-empty string within the bounds, without NUL. */
function checkString(
  v: Obj,
  key: string,
  path: string,
  issues: Issues,
  optional = false,
): string | undefined {
  const s = v[key];
  const at = `${path}.${key}`;
  if (s === undefined && optional) return undefined;
  if (typeof s !== "string") {
    issues.add(at, "must be a string");
    return undefined;
  }
  if (s.length === 0 && !optional) issues.add(at, "must not be empty");
  else if (s.length > INVENTORY_LIMITS.maxString) {
    issues.add(at, `is ${s.length} characters; at most ${INVENTORY_LIMITS.maxString}`);
  } else if (s.includes("\u0000")) issues.add(at, "contains a NUL character (U+0000)");
  return s;
}

function checkEnum<T extends string>(
  v: Obj,
  key: string,
  values: readonly T[],
  path: string,
  issues: Issues,
): void {
  const s = v[key];
  if (typeof s !== "string" || !(values as readonly string[]).includes(s)) {
    issues.add(`${path}.${key}`, `must be one of ${values.join(", ")}`);
  }
}

function checkList(
  v: Obj,
  key: string,
  max: number,
  path: string,
  issues: Issues,
): readonly unknown[] {
  const list = v[key];
  if (!Array.isArray(list)) {
    issues.add(`${path}.${key}`, "must be a list");
    return [];
  }
  if (list.length > max) {
    issues.add(`${path}.${key}`, `the list has ${list.length} items; at most ${max}`);
    return [];
  }
  return list;
}

function checkWorkload(w: unknown, path: string, issues: Issues): void {
  if (!isObj(w)) {
    issues.add(path, "must be an object");
    return;
  }
  unknownKeys(w, ["namespace", "kind", "name", "containers", "results"], path, issues);
  checkString(w, "namespace", path, issues);
  checkEnum(w, "kind", INVENTORY_KINDS, path, issues);
  checkString(w, "name", path, issues);
  const containers = checkList(w, "containers", INVENTORY_LIMITS.maxContainers, path, issues);
  containers.forEach((c, i) => {
    const at = `${path}.containers[${i}]`;
    if (!isObj(c)) {
      issues.add(at, "must be an object");
      return;
    }
    unknownKeys(c, ["name", "image", "type"], at, issues);
    checkString(c, "name", at, issues);
    checkString(c, "image", at, issues);
    checkEnum(c, "type", CONTAINER_TYPES, at, issues);
  });
  const results = checkList(w, "results", INVENTORY_LIMITS.maxResults, path, issues);
  results.forEach((r, i) => {
    const at = `${path}.results[${i}]`;
    if (!isObj(r)) {
      issues.add(at, "must be an object");
      return;
    }
    unknownKeys(r, ["policy", "result", "code", "message", "container", "image"], at, issues);
    checkString(r, "policy", at, issues);
    checkEnum(r, "result", WORKLOAD_RESULTS, at, issues);
    for (const key of ["code", "message", "container", "image"]) {
      checkString(r, key, at, issues, true);
    }
  });
}

/**
 * Checks an InventoryReport body strictly: unknown fields, wrong types and values out of
 * bounds are problems named by their path (`workloads[17].containers[0].image`). Too many
 * workloads is reported before any workload is looked at, so that an oversized report costs
 * nothing to refuse. On success the value itself is the report (nothing is copied).
 */
export function validateInventoryReport(value: unknown): InventoryValidation {
  const issues = new Issues();
  if (!isObj(value)) {
    return { ok: false, limit: false, issues: [{ path: "", message: "must be an object" }] };
  }
  const workloads = value.workloads;
  if (Array.isArray(workloads) && workloads.length > INVENTORY_LIMITS.maxWorkloads) {
    return {
      ok: false,
      limit: true,
      issues: [
        {
          path: "workloads",
          message: `the report has ${workloads.length} workloads; at most ${INVENTORY_LIMITS.maxWorkloads}`,
        },
      ],
    };
  }
  unknownKeys(value, ["revision", "generatedAt", "workloads"], "", issues);
  const revision = value.revision;
  if (typeof revision !== "number" || !Number.isSafeInteger(revision) || revision < 0) {
    issues.add("revision", "must be a non-negative integer");
  }
  const generatedAt = value.generatedAt;
  if (
    typeof generatedAt !== "string" ||
    generatedAt.length > 64 ||
    !RFC3339.test(generatedAt) ||
    Number.isNaN(Date.parse(generatedAt))
  ) {
    issues.add("generatedAt", "must be an RFC 3339 time");
  }
  if (!Array.isArray(workloads)) issues.add("workloads", "must be a list");
  else {
    for (let i = 0; i < workloads.length && !issues.full; i++) {
      checkWorkload(workloads[i], `workloads[${i}]`, issues);
    }
  }
  // Paths were built with a leading "." for top-level keys; keep them as field paths.
  const list = issues.list.map((d) =>
    d.path.startsWith(".") ? { path: d.path.slice(1), message: d.message } : d,
  );
  if (list.length > 0) return { ok: false, limit: false, issues: list };
  return { ok: true, report: value as unknown as InventoryReport };
}

// ---------------------------------------------------------------------------------------
// Compliance

/** One workload of the fleet: the cluster it runs in and what its agent reported. */
export interface ClusterWorkload {
  readonly cluster: string;
  readonly workload: InventoryWorkload;
}

export type ComplianceGroupBy = "cluster" | "workspace" | "namespace" | "workload" | "policy";
export const COMPLIANCE_GROUP_BY: readonly ComplianceGroupBy[] = [
  "cluster",
  "workspace",
  "namespace",
  "workload",
  "policy",
];

export interface ComplianceCounts {
  /** Workloads judged (for a policy group: the workloads the policy applies to). */
  readonly workloads: number;
  /** Workloads with at least one `fail` result. */
  readonly failing: number;
  /** Workloads with a `warn` result and no `fail`: compliant, with warnings. */
  readonly warning: number;
  /** (workloads − failing) / workloads, in percent, rounded down to 0.1; 100 for none. */
  readonly compliantPercent: number;
}

/** The key fields of a group: those of its groupBy, e.g. {cluster, namespace} by namespace. */
export interface ComplianceKey {
  readonly cluster?: string;
  readonly workspace?: string;
  readonly namespace?: string;
  readonly kind?: string;
  readonly name?: string;
  readonly policy?: string;
}

export type ComplianceGroup = ComplianceKey & ComplianceCounts;

export interface ComplianceSummary {
  readonly groups: readonly ComplianceGroup[];
  readonly total: ComplianceCounts;
}

/**
 * Rounded down so that a fleet with one failing workload among 10,000 never reads "100%":
 * 100 means that nothing fails.
 */
export function compliantPercent(workloads: number, failing: number): number {
  if (workloads === 0) return 100;
  return Math.floor(((workloads - failing) * 1000) / workloads) / 10;
}

interface Tally {
  key: ComplianceKey;
  workloads: number;
  failing: number;
  warning: number;
}

function verdictOf(results: readonly InventoryResult[]): "fail" | "warn" | "ok" {
  let warn = false;
  for (const r of results) {
    if (r.result === "fail") return "fail";
    if (r.result === "warn") warn = true;
  }
  return warn ? "warn" : "ok";
}

function counts(t: Tally): ComplianceCounts {
  return {
    workloads: t.workloads,
    failing: t.failing,
    warning: t.warning,
    compliantPercent: compliantPercent(t.workloads, t.failing),
  };
}

function sortKey(k: ComplianceKey): string {
  // NUL cannot occur in a stored string (refused on input), so it separates fields safely.
  // A template, not an array joined: this runs once per workload and group (100,000 times).
  return `${k.cluster ?? ""}\u0000${k.workspace ?? ""}\u0000${k.namespace ?? ""}\u0000${k.kind ?? ""}\u0000${k.name ?? ""}\u0000${k.policy ?? ""}`;
}

/**
 * Compliance of the given workloads grouped by one dimension. A workload is compliant when
 * none of its results is `fail`; `warn` counts as compliant (with warnings, counted apart),
 * `skip` and `pass` as compliant. By policy, a workload counts under each policy that has a
 * result for it, and only that policy's result decides. By workspace, a namespace attached
 * to no workspace is left out of the groups (it still counts in the total); `workspaceOf`
 * answers the workspace of a cluster's namespace. Groups are sorted by their key.
 */
export function aggregateCompliance(
  rows: Iterable<ClusterWorkload>,
  groupBy: ComplianceGroupBy,
  workspaceOf: (cluster: string, namespace: string) => string | undefined = () => undefined,
): ComplianceSummary {
  const groups = new Map<string, Tally>();
  const total: Tally = { key: {}, workloads: 0, failing: 0, warning: 0 };
  const tally = (key: ComplianceKey, verdict: "fail" | "warn" | "ok") => {
    const id = sortKey(key);
    let t = groups.get(id);
    if (t === undefined) {
      t = { key, workloads: 0, failing: 0, warning: 0 };
      groups.set(id, t);
    }
    t.workloads++;
    if (verdict === "fail") t.failing++;
    else if (verdict === "warn") t.warning++;
  };
  for (const { cluster, workload: w } of rows) {
    const verdict = verdictOf(w.results);
    total.workloads++;
    if (verdict === "fail") total.failing++;
    else if (verdict === "warn") total.warning++;
    switch (groupBy) {
      case "cluster":
        tally({ cluster }, verdict);
        break;
      case "workspace": {
        const workspace = workspaceOf(cluster, w.namespace);
        if (workspace !== undefined) tally({ workspace }, verdict);
        break;
      }
      case "namespace":
        tally({ cluster, namespace: w.namespace }, verdict);
        break;
      case "workload":
        tally({ cluster, namespace: w.namespace, kind: w.kind, name: w.name }, verdict);
        break;
      case "policy": {
        // A policy may report several results for one workload (one per container): the
        // workload counts once under it, with its worst result.
        const byPolicy = new Map<string, InventoryResult[]>();
        for (const r of w.results) {
          const list = byPolicy.get(r.policy) ?? [];
          list.push(r);
          byPolicy.set(r.policy, list);
        }
        for (const [policy, results] of byPolicy) tally({ policy }, verdictOf(results));
        break;
      }
    }
  }
  const sorted = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    groups: sorted.map(([, t]) => ({ ...t.key, ...counts(t) })),
    total: counts(total),
  };
}

/** The workloads with at least one `fail` result, each with only its failing results. */
export function failingWorkloads(rows: Iterable<ClusterWorkload>): ClusterWorkload[] {
  const out: ClusterWorkload[] = [];
  for (const row of rows) {
    const failing = row.workload.results.filter((r) => r.result === "fail");
    if (failing.length > 0)
      out.push({ cluster: row.cluster, workload: { ...row.workload, results: failing } });
  }
  return out;
}

/**
 * Per policy of one cluster's report: workloads it applies to and those failing it. This is
 * what the daily compliance history keeps, one row per (day, cluster, policy).
 */
export function policyCounts(
  workloads: readonly InventoryWorkload[],
): { policy: string; workloads: number; failing: number }[] {
  const summary = aggregateCompliance(
    workloads.map((workload) => ({ cluster: "", workload })),
    "policy",
  );
  return summary.groups.map((g) => ({
    policy: g.policy ?? "",
    workloads: g.workloads,
    failing: g.failing,
  }));
}

/** One row of the daily compliance history: a namespace's counts for one policy ("" = all). */
export interface NamespaceCounts {
  readonly namespace: string;
  readonly policy: string;
  readonly workloads: number;
  readonly failing: number;
  readonly warning: number;
}

/**
 * What the daily history keeps of one cluster's report: per namespace, its counts as a whole
 * (policy "") and per policy. Namespaces are kept so that a workspace role's trend holds only
 * its own namespaces; clusters and policies are sums of them (each workload is in one namespace).
 */
export function namespaceCounts(workloads: readonly InventoryWorkload[]): NamespaceCounts[] {
  const byNamespace = new Map<string, InventoryWorkload[]>();
  for (const w of workloads) {
    const list = byNamespace.get(w.namespace) ?? [];
    list.push(w);
    byNamespace.set(w.namespace, list);
  }
  const out: NamespaceCounts[] = [];
  for (const [namespace, list] of [...byNamespace].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const rows = list.map((workload) => ({ cluster: "", workload }));
    const { total } = aggregateCompliance(rows, "cluster");
    out.push({ namespace, policy: "", ...pick(total) });
    for (const g of aggregateCompliance(rows, "policy").groups) {
      out.push({ namespace, policy: g.policy ?? "", ...pick(g) });
    }
  }
  return out;
}

function pick(c: ComplianceCounts): { workloads: number; failing: number; warning: number } {
  return { workloads: c.workloads, failing: c.failing, warning: c.warning };
}

/** The verdict of one workload over all its results: any fail fails, else any warn warns. */
export function workloadVerdict(w: InventoryWorkload): "fail" | "warn" | "ok" {
  return verdictOf(w.results);
}

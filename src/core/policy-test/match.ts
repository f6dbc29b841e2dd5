import type { Verdict, Violation } from "../evaluate/index.js";
import { type Expectation, formatResourceId, type ResourceId } from "./types.js";

/**
 * An exception that relaxed a policy for a workload, read from a Decision's `exempted`
 * entries: the policy, and (when the decision says) the container and the exception's name.
 */
export interface Exemption {
  readonly policy: string;
  readonly container?: string;
  readonly exception?: string;
}

/** What the engine decided about one resource of a test. */
export interface ObservedResource {
  readonly id: ResourceId;
  readonly source: string;
  readonly verdict: Verdict;
  readonly containers: readonly string[];
  /** The names of the policies that apply to its namespace. */
  readonly applicable: readonly string[];
  readonly violations: readonly Violation[];
  readonly exempted: readonly Exemption[];
}

export interface Observation {
  /** Every policy of the test's policy set, applicable or not. */
  readonly policies: readonly string[];
  readonly resources: readonly ObservedResource[];
}

/** One expectation against what happened. `actual` is a result, or `missing` with a note. */
export interface CaseOutcome {
  readonly expectation: Expectation;
  readonly actual: string;
  /** The codes of the violations behind the actual result, in order, without repeats. */
  readonly codes: readonly string[];
  /** The violations' messages (what the user would read from `customs check`). */
  readonly messages: readonly string[];
  /** `exception NAME relaxes policy P` lines, for `exempt`. */
  readonly exemptions: readonly string[];
  /** Why there is no result (the resource, policy or container does not exist), or why a skip. */
  readonly note?: string;
  readonly passed: boolean;
}

function sameId(a: ResourceId, b: ResourceId): boolean {
  return a.kind === b.kind && a.namespace === b.namespace && a.name === b.name;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function missing(expectation: Expectation, note: string): CaseOutcome {
  return {
    expectation,
    actual: "missing",
    codes: [],
    messages: [],
    exemptions: [],
    note,
    passed: false,
  };
}

function describeExemption(e: Exemption): string {
  const by = e.exception === undefined ? "an exception" : `exception "${e.exception}"`;
  const where = e.container === undefined ? "" : ` for container "${e.container}"`;
  return `${by} relaxes policy "${e.policy}"${where}`;
}

/** What actually happened for one expectation (no judgement yet). */
function actualOf(
  e: Expectation,
  observation: Observation,
): Omit<CaseOutcome, "passed" | "expectation"> | string {
  const resource = observation.resources.find((r) => sameId(r.id, e.resource));
  if (resource === undefined) {
    return `no resource ${formatResourceId(e.resource)} in the test's resources`;
  }
  if (e.container !== undefined && !resource.containers.includes(e.container)) {
    return `${formatResourceId(e.resource)} has no container "${e.container}" (it has ${resource.containers.map((c) => `"${c}"`).join(", ") || "none"})`;
  }
  if (e.policy === undefined) {
    return {
      actual: resource.verdict,
      codes: unique(resource.violations.map((v) => v.code)),
      messages: resource.violations.map((v) => v.message),
      exemptions: resource.exempted.map(describeExemption),
    };
  }
  if (!observation.policies.includes(e.policy)) {
    return `no policy "${e.policy}" among the test's policies (${observation.policies.map((p) => `"${p}"`).join(", ")})`;
  }
  const inScope = (c: string | undefined) => e.container === undefined || c === e.container;
  const violations = resource.violations.filter(
    (v) => v.policy === e.policy && inScope(v.container),
  );
  const exempted = resource.exempted.filter((x) => x.policy === e.policy && inScope(x.container));
  const actual = !resource.applicable.includes(e.policy)
    ? "skip"
    : violations.length > 0
      ? "fail"
      : exempted.length > 0
        ? "exempt"
        : "pass";
  return {
    actual,
    codes: unique(violations.map((v) => v.code)),
    messages: violations.map((v) => v.message),
    exemptions: exempted.map(describeExemption),
    // A skip has no message of its own: say why, or a diff would show only the word.
    ...(actual === "skip"
      ? {
          note: `policy "${e.policy}" does not apply to namespace ${e.resource.namespace} (its scope or namespaceSelector)`,
        }
      : {}),
  };
}

/** Judges one expectation: the result must be the one expected, and the code among the codes. */
export function matchExpectation(e: Expectation, observation: Observation): CaseOutcome {
  const found = actualOf(e, observation);
  if (typeof found === "string") return missing(e, found);
  const passed =
    found.actual === e.result && (e.code === undefined || found.codes.includes(e.code));
  return { expectation: e, ...found, passed };
}

/** The resources that no expectation names: a suite must not miss a workload silently. */
export function unassertedResources(
  expectations: readonly Expectation[],
  observation: Observation,
): ResourceId[] {
  return observation.resources
    .map((r) => r.id)
    .filter((id) => !expectations.some((e) => sameId(e.resource, id)));
}

/** `fail (IMAGE_BLOCKED)`, `pass`, `missing`: a result as the table and the diff show it. */
export function formatExpected(e: Expectation): string {
  return e.code === undefined ? e.result : `${e.result} (${e.code})`;
}

export function formatActual(o: CaseOutcome): string {
  return o.codes.length === 0 ? o.actual : `${o.actual} (${o.codes.join(", ")})`;
}

/** What an expectation is about, in one line: `Deployment/tanzu/api policy no-latest container api`. */
export function describeCase(e: Expectation): string {
  const policy = e.policy === undefined ? " verdict" : ` policy ${e.policy}`;
  const container = e.container === undefined ? "" : ` container ${e.container}`;
  return `${formatResourceId(e.resource)}${policy}${container}`;
}

/**
 * The diff of a failed expectation: what was expected, what happened, and the messages of
 * the decision, so the reader sees why without running `customs check`.
 */
export function formatDiff(file: string, o: CaseOutcome): string {
  const e = o.expectation;
  const lines = [
    `--- expected  ${file} ${e.path}`,
    `+++ actual    ${describeCase(e)}`,
    `- ${formatExpected(e)}`,
    `+ ${formatActual(o)}`,
  ];
  if (o.note !== undefined) lines.push(`  ${o.note}`);
  if (e.code !== undefined && o.actual === e.result && !o.codes.includes(e.code)) {
    lines.push(`  expected code ${e.code}, the violations carry ${o.codes.join(", ") || "none"}`);
  }
  for (const m of o.messages) lines.push(`  violation: ${m}`);
  for (const x of o.exemptions) lines.push(`  exempt: ${x}`);
  return `${lines.join("\n")}\n`;
}

/**
 * A policy's namespaceSelector read, shown and matched the way the engine matches it
 * (src/core/policy/selector.ts `matchesSelector`): every matchLabels entry and every
 * expression must hold; a namespace always carries `kubernetes.io/metadata.name`, as
 * Kubernetes sets it and the engine adds it.
 */

import type { SelectorOperator, SelectorRequirement } from "./selector.js";

export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly SelectorRequirement[];
}

/** The label Kubernetes puts on every namespace (the engine adds it too). */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** One requirement per matchLabels entry and expression, in the order written. */
export function toRequirements(selector: LabelSelector): SelectorRequirement[] {
  const out: SelectorRequirement[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    out.push({ key, operator: "In", values: [value] });
  }
  for (const r of selector.matchExpressions ?? []) out.push(r);
  return out;
}

/**
 * The selector as read from a policy, or undefined when there is none or it selects every
 * namespace. A shape the console cannot read is kept as an unknown operator, so that it never
 * matches: the console does not claim a policy applies when it cannot tell.
 */
export function readSelector(raw: unknown): LabelSelector | undefined {
  if (!isRecord(raw)) return undefined;
  const matchLabels: Record<string, string> = {};
  if (isRecord(raw.matchLabels)) {
    for (const [k, v] of Object.entries(raw.matchLabels)) matchLabels[k] = String(v);
  }
  const expressions: SelectorRequirement[] = [];
  if (Array.isArray(raw.matchExpressions)) {
    for (const e of raw.matchExpressions) {
      if (!isRecord(e)) continue;
      const values = Array.isArray(e.values) ? e.values.map(String) : undefined;
      const requirement = {
        key: String(e.key ?? ""),
        operator: String(e.operator ?? "") as SelectorOperator,
      };
      expressions.push(values === undefined ? requirement : { ...requirement, values });
    }
  }
  if (Object.keys(matchLabels).length === 0 && expressions.length === 0) return undefined;
  return { matchLabels, matchExpressions: expressions };
}

/** `team=a`, `team In (a, b)`, `team NotIn (c)`, `team` (Exists), `!team` (DoesNotExist). */
export function toRequirementText(r: SelectorRequirement): string {
  const values = r.values ?? [];
  switch (r.operator) {
    case "In":
      return values.length === 1 ? `${r.key}=${values[0]}` : `${r.key} In (${values.join(", ")})`;
    case "NotIn":
      return `${r.key} NotIn (${values.join(", ")})`;
    case "Exists":
      return r.key;
    case "DoesNotExist":
      return `!${r.key}`;
    default:
      return `${r.key} ${String(r.operator)} (${values.join(", ")})`;
  }
}

/** The compact text of a whole selector, requirements joined by ", " (all must hold). */
export function toSelectorText(selector: LabelSelector | undefined): string {
  if (selector === undefined) return "";
  return toRequirements(selector).map(toRequirementText).join(", ");
}

/** Whether one requirement holds for these labels (the engine's semantics). */
export function holds(r: SelectorRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const values = r.values ?? [];
  switch (r.operator) {
    case "In":
      return has && values.includes(labels[r.key] as string);
    case "NotIn":
      return !has || !values.includes(labels[r.key] as string);
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
    default:
      // An operator the engine refuses never selects anything: fail closed.
      return false;
  }
}

/** The namespace's labels as the engine sees them (with `kubernetes.io/metadata.name`). */
export function toNamespaceLabels(
  name: string,
  labels: Readonly<Record<string, string>>,
): Record<string, string> {
  return { ...labels, [NAMESPACE_NAME_LABEL]: name };
}

/** The requirements that do not hold: none means the selector matches. */
export function failingRequirements(
  selector: LabelSelector,
  labels: Readonly<Record<string, string>>,
): SelectorRequirement[] {
  return toRequirements(selector).filter((r) => !holds(r, labels));
}

/** What the namespace has for a requirement's key: `team=c` or `no label team`. */
function toLabelFact(r: SelectorRequirement, labels: Readonly<Record<string, string>>): string {
  return Object.hasOwn(labels, r.key) ? `${r.key}=${labels[r.key]}` : `no label ${r.key}`;
}

/**
 * Why a namespace with these labels is not selected, or undefined when it is: "namespace
 * labels do not match selector team In (a, b) (it has team=c)".
 */
export function toMismatchReason(
  selector: LabelSelector,
  labels: Readonly<Record<string, string>>,
): string | undefined {
  const failing = failingRequirements(selector, labels);
  if (failing.length === 0) return undefined;
  const wanted = failing.map(toRequirementText).join(", ");
  const facts = [...new Set(failing.map((r) => toLabelFact(r, labels)))].join(", ");
  return `namespace labels do not match selector ${wanted} (it has ${facts})`;
}

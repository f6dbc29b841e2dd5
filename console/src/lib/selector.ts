/**
 * The wizard's two label tables and the Kubernetes LabelSelector they stand for.
 *
 * Include rows ("Include only namespaces with labels") are ANDed: `key=value` becomes
 * `matchLabels[key] = value`; a row with an empty value means "has the label, any value" and
 * becomes `{key, operator: Exists}`. Exclude rows ("Exclude namespaces with labels") become
 * `{key, operator: NotIn, values}` (one expression per key, the values of every row with that
 * key, so a namespace with any of them is excluded; a namespace without the label stays in); a
 * row with an empty value excludes every namespace that has the label, whatever its value, and
 * becomes `{key, operator: DoesNotExist}` (which makes other values of that key redundant).
 *
 * A selector written elsewhere may use expressions the two tables cannot show (`In` with
 * several values, or `NotIn` together with `DoesNotExist` on one key, …): those are kept
 * untouched in `extra` and written back as they were, so editing never loses them.
 */

export interface LabelRow {
  readonly key: string;
  readonly value: string;
}

export type SelectorOperator = "In" | "NotIn" | "Exists" | "DoesNotExist";

export interface SelectorRequirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values?: readonly string[];
}

/** A LabelSelector as written in a document (both parts optional). */
export interface SelectorDocument {
  matchLabels?: Record<string, string>;
  matchExpressions?: SelectorRequirement[];
}

export interface SelectorRows {
  readonly include: readonly LabelRow[];
  readonly exclude: readonly LabelRow[];
  readonly extra: readonly SelectorRequirement[];
}

const isBlank = (row: LabelRow): boolean => row.key.trim() === "" && row.value.trim() === "";

/** The LabelSelector for the rows, or undefined when it would select every namespace. */
export function toSelector(rows: SelectorRows): SelectorDocument | undefined {
  const matchLabels: Record<string, string> = {};
  const expressions: SelectorRequirement[] = [];
  for (const row of rows.include.filter((r) => !isBlank(r))) {
    const key = row.key.trim();
    const value = row.value.trim();
    if (value === "") expressions.push({ key, operator: "Exists" });
    else matchLabels[key] = value;
  }
  const excluded = rows.exclude
    .filter((r) => !isBlank(r))
    .map((r) => ({ key: r.key.trim(), value: r.value.trim() }));
  // "Has the label at all" already excludes every value of it: one DoesNotExist per key.
  const absent = [...new Set(excluded.filter((r) => r.value === "").map((r) => r.key))];
  for (const key of absent) expressions.push({ key, operator: "DoesNotExist" });
  const notIn = new Map<string, string[]>();
  for (const { key, value } of excluded) {
    if (value === "" || absent.includes(key)) continue;
    const values = notIn.get(key) ?? [];
    if (!values.includes(value)) values.push(value);
    notIn.set(key, values);
  }
  for (const [key, values] of notIn) expressions.push({ key, operator: "NotIn", values });
  expressions.push(...rows.extra);
  const selector: SelectorDocument = {};
  if (Object.keys(matchLabels).length > 0) selector.matchLabels = matchLabels;
  if (expressions.length > 0) selector.matchExpressions = expressions;
  return Object.keys(selector).length === 0 ? undefined : selector;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function toRequirement(raw: unknown): SelectorRequirement | undefined {
  if (!isRecord(raw) || typeof raw.key !== "string" || typeof raw.operator !== "string") {
    return undefined;
  }
  const values = Array.isArray(raw.values) ? raw.values.map(String) : undefined;
  const operator = raw.operator as SelectorOperator;
  return values === undefined ? { key: raw.key, operator } : { key: raw.key, operator, values };
}

function isNonEmptyList(values: readonly string[] | undefined): boolean {
  return values !== undefined && values.length > 0 && values.every((v) => v !== "");
}

/** The rows for a selector read from a document; what they cannot show goes to `extra`. */
export function toSelectorRows(selector: unknown): SelectorRows {
  const include: LabelRow[] = [];
  const exclude: LabelRow[] = [];
  const extra: SelectorRequirement[] = [];
  if (!isRecord(selector)) return { include, exclude, extra };
  if (isRecord(selector.matchLabels)) {
    for (const [key, value] of Object.entries(selector.matchLabels)) {
      include.push({ key, value: String(value) });
    }
  }
  const raw = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  const requirements = raw.map(toRequirement);
  // A key excluded by two expressions would be merged into one when written back: keep both.
  const exclusions = new Map<string, number>();
  for (const r of requirements) {
    if (r?.operator === "NotIn" || r?.operator === "DoesNotExist") {
      exclusions.set(r.key, (exclusions.get(r.key) ?? 0) + 1);
    }
  }
  raw.forEach((original, i) => {
    const r = requirements[i];
    const shown = r !== undefined && (exclusions.get(r.key) ?? 0) <= 1;
    if (shown && r.operator === "Exists" && (r.values ?? []).length === 0) {
      include.push({ key: r.key, value: "" });
    } else if (shown && r.operator === "In" && r.values?.length === 1 && r.values[0] !== "") {
      include.push({ key: r.key, value: r.values[0] ?? "" });
    } else if (shown && r.operator === "DoesNotExist" && (r.values ?? []).length === 0) {
      exclude.push({ key: r.key, value: "" });
    } else if (shown && r.operator === "NotIn" && isNonEmptyList(r.values)) {
      for (const value of r.values ?? []) exclude.push({ key: r.key, value });
    } else {
      extra.push((r ?? original) as SelectorRequirement);
    }
  });
  return { include, exclude, extra };
}

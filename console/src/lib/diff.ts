/** Before/after of an audit entry as a list of changed leaves (`spec.action: deny → warn`). */

export interface Change {
  readonly path: string;
  readonly before: string | undefined;
  readonly after: string | undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Leaves of a JSON value by path; arrays are indexed (`rules[0].hostname`). */
export function toLeaves(value: unknown, path = "", out = new Map<string, string>()) {
  if (Array.isArray(value)) {
    if (value.length === 0) out.set(path, "[]");
    value.forEach((v, i) => {
      toLeaves(v, `${path}[${i}]`, out);
    });
  } else if (isRecord(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0 && path !== "") out.set(path, "{}");
    for (const k of keys) toLeaves(value[k], path === "" ? k : `${path}.${k}`, out);
  } else if (value !== undefined && !(value === null && path === "")) {
    // A missing object (before a create, after a delete) has no leaves.
    out.set(path, JSON.stringify(value));
  }
  return out;
}

/** What changed between two objects, in path order; bookkeeping fields are left out. */
export function toChanges(
  before: unknown,
  after: unknown,
  ignore: readonly string[] = [
    "metadata.resourceVersion",
    "metadata.updatedAt",
    "metadata.updatedBy",
  ],
): Change[] {
  const a = toLeaves(before);
  const b = toLeaves(after);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  return paths
    .filter((p) => !ignore.includes(p) && a.get(p) !== b.get(p))
    .map((path) => ({ path, before: a.get(path), after: b.get(path) }));
}

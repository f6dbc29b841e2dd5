import { type IssueCollector, isPlainObject, join, typeName } from "./fields.js";
import { printable } from "./pattern.js";
import { MAX_REGEX_LENGTH, type RegexEngine } from "./regex.js";
import type { TextMatch } from "./supply-types.js";

/** What the supply readers share: where issues go, and the RE2 engine for `…RegExp` fields. */
export interface SupplyReader {
  readonly issues: IssueCollector;
  readonly regex: RegexEngine | undefined;
}

/** Checks that an RE2 expression compiles; the problem is reported at its field path. */
export function readRegExp(r: SupplyReader, path: string, value: unknown): string | undefined {
  // Required: a `{regExp}` without one would match nothing and be dropped without a word.
  const s = r.issues.readString(path, value, { required: true, nonEmpty: true });
  if (s === undefined) return undefined;
  if (s.length > MAX_REGEX_LENGTH) {
    r.issues.error(path, `is ${s.length} characters long; at most ${MAX_REGEX_LENGTH} are allowed`);
    return undefined;
  }
  if (r.regex === undefined) {
    r.issues.error(
      path,
      "regular expressions need the RE2 engine, which this caller did not provide",
    );
    return undefined;
  }
  const compiled = r.regex.compile(s);
  if (!compiled.ok) {
    r.issues.error(
      path,
      `"${printable(s, 80)}" is not a valid RE2 expression: ${compiled.message}`,
    );
    return undefined;
  }
  return s;
}

/**
 * A pair of fields where exactly one must be set: `issuer` (exact text) or `issuerRegExp`.
 */
export function readExactOrRegExp(
  r: SupplyReader,
  path: string,
  o: Record<string, unknown>,
  field: string,
): TextMatch | undefined {
  const exact = o[field];
  const re = o[`${field}RegExp`];
  const hasExact = exact !== undefined && exact !== null;
  const hasRe = re !== undefined && re !== null;
  if (hasExact === hasRe) {
    r.issues.error(join(path, field), `set exactly one of \`${field}\` and \`${field}RegExp\``);
    return undefined;
  }
  if (hasExact) {
    const v = r.issues.readString(join(path, field), exact, { nonEmpty: true });
    return v === undefined ? undefined : { kind: "exact", value: v };
  }
  const v = readRegExp(r, join(path, `${field}RegExp`), re);
  return v === undefined ? undefined : { kind: "regexp", value: v };
}

/** One entry of a list of patterns: a string is a glob (`*`), `{regExp: …}` is RE2. */
export function readMatch(r: SupplyReader, path: string, value: unknown): TextMatch | undefined {
  if (typeof value === "string") {
    if (value === "" || value.replaceAll("*", "") === "") {
      r.issues.error(path, `"${value}" matches everything (or nothing): write what to match`);
      return undefined;
    }
    if (/\s/.test(value)) {
      r.issues.error(
        path,
        `"${printable(value, 80)}" holds whitespace, so it can never match an ID or URL`,
      );
      return undefined;
    }
    return { kind: "glob", value };
  }
  if (!isPlainObject(value)) {
    r.issues.error(path, `expected a string (glob) or {regExp: …}, got ${typeName(value)}`);
    return undefined;
  }
  const o = r.issues.readObject(path, value, ["regExp"]);
  if (o === undefined) return undefined;
  const v = readRegExp(r, join(path, "regExp"), o.regExp);
  return v === undefined ? undefined : { kind: "regexp", value: v };
}

export function readMatchList(
  r: SupplyReader,
  path: string,
  value: unknown,
  required: boolean,
): TextMatch[] {
  const list = r.issues.readList(path, value);
  if (required && (list === undefined || list.length === 0)) {
    r.issues.error(path, "needs at least one entry");
  }
  const out: TextMatch[] = [];
  list?.forEach((v, i) => {
    const m = readMatch(r, join(path, i), v);
    if (m !== undefined) out.push(m);
  });
  return out;
}

/** A label or annotation requirement: `{key, value?}` or `{key, valueRegExp?}`. */
export function readLabelRequirements(
  r: SupplyReader,
  path: string,
  value: unknown,
): { key: string; value: TextMatch | undefined }[] {
  const out: { key: string; value: TextMatch | undefined }[] = [];
  r.issues.readList(path, value)?.forEach((entry, i) => {
    const at = join(path, i);
    const o = r.issues.readObject(at, entry, ["key", "value", "valueRegExp"]);
    if (o === undefined) return;
    const key = r.issues.readString(join(at, "key"), o.key, { required: true, nonEmpty: true });
    // null is absent, as everywhere (and as Kubernetes prunes it): never a reason to drop
    // the whole requirement.
    const hasValue = o.value !== undefined && o.value !== null;
    const hasRegExp = o.valueRegExp !== undefined && o.valueRegExp !== null;
    if (hasValue && hasRegExp) {
      r.issues.error(join(at, "value"), "set at most one of `value` and `valueRegExp`");
      return;
    }
    let match: TextMatch | undefined;
    if (hasRegExp) {
      const re = readRegExp(r, join(at, "valueRegExp"), o.valueRegExp);
      if (re === undefined) return;
      match = { kind: "regexp", value: re };
    } else if (hasValue) {
      const v = r.issues.readString(join(at, "value"), o.value);
      if (v === undefined) return;
      match = { kind: v.includes("*") ? "glob" : "exact", value: v };
    }
    if (key !== undefined) out.push({ key, value: match });
  });
  return out;
}

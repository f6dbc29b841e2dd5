import { type IssueCollector, isPlainObject, join, typeName } from "./fields.js";
import { checkPattern, type PatternPart } from "./pattern.js";
import type { PolicyRule, RuleField, TagMatch } from "./types.js";
import { parseVersion } from "./version.js";

function readPattern(
  issues: IssueCollector,
  path: string,
  part: PatternPart,
  value: unknown,
): string | undefined {
  // Ports are strings in Tanzu Mission Control's API; YAML authors also write `port: 5000`.
  const raw =
    part === "port" && typeof value === "number" && Number.isInteger(value) ? String(value) : value;
  const s = issues.readString(path, raw);
  if (s === undefined || s === "") return undefined;
  const problem = checkPattern(part, s);
  if (problem !== undefined) {
    issues.error(path, problem);
    return undefined;
  }
  return s;
}

/** Most patterns in one rule's tag list. */
export const MAX_TAG_VALUES = 64;

/** A list of tag patterns (`tag: [...]` or `values: [...]`): at least one, each a tag pattern. */
function readTagList(issues: IssueCollector, path: string, value: unknown): string[] | undefined {
  const raw = issues.readList(path, value);
  if (raw === undefined) return undefined;
  if (raw.length === 0) {
    issues.error(path, "needs at least one tag pattern (an empty list would match nothing)");
    return undefined;
  }
  if (raw.length > MAX_TAG_VALUES) {
    issues.error(path, `has ${raw.length} tag patterns; at most ${MAX_TAG_VALUES} are allowed`);
    return undefined;
  }
  const out: string[] = [];
  raw.forEach((v, i) => {
    const at = join(path, i);
    const s = issues.readString(at, v, { required: true, nonEmpty: true });
    if (s === undefined) return;
    const p = readPattern(issues, at, "tag", s);
    if (p !== undefined) out.push(p);
  });
  return out.length === raw.length ? out : undefined;
}

const tagMatch = (values: readonly string[], negate: boolean): TagMatch => ({
  value: values[0] ?? "",
  values,
  negate,
});

/**
 * `tag` is `{value, negate}` as in Tanzu Mission Control, or a plain string for short; several
 * tags are a list (`tag: ["v1.*", "stable"]`) or `{values: [...], negate}`: the test matches
 * when any of them matches (negated: when none does).
 */
function readTag(issues: IssueCollector, path: string, value: unknown): TagMatch | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") {
    const v = readPattern(issues, path, "tag", value);
    return v === undefined ? undefined : tagMatch([v], false);
  }
  if (Array.isArray(value)) {
    const values = readTagList(issues, path, value);
    return values === undefined ? undefined : tagMatch(values, false);
  }
  if (!isPlainObject(value)) {
    issues.error(
      path,
      `expected a string, a list of strings, or an object {value, negate} or {values, negate}, got ${typeName(value)}`,
    );
    return undefined;
  }
  const o = issues.readObject(path, value, ["value", "values", "negate"]);
  if (o === undefined) return undefined;
  const negate = issues.readBoolean(join(path, "negate"), o.negate) ?? false;
  const hasValues = o.values !== undefined && o.values !== null;
  if (hasValues && o.value !== undefined && o.value !== null) {
    issues.error(path, "set one of `value` and `values`, not both");
    return undefined;
  }
  if (hasValues) {
    const values = readTagList(issues, join(path, "values"), o.values);
    return values === undefined ? undefined : tagMatch(values, negate);
  }
  const v = readPattern(issues, join(path, "value"), "tag", o.value);
  return tagMatch(v === undefined ? [] : [v], negate);
}

export function readRule(
  issues: IssueCollector,
  path: string,
  value: unknown,
  fields: readonly RuleField[],
): PolicyRule | undefined {
  const o = issues.readObject(path, value, fields);
  if (o === undefined) return undefined;
  const rule: {
    hostname?: string;
    port?: string;
    imageName?: string;
    tag?: TagMatch;
    requireDigest?: boolean;
    minVersion?: string;
  } = {};
  if (fields.includes("hostname")) {
    const v = readPattern(issues, join(path, "hostname"), "hostname", o.hostname);
    if (v !== undefined) rule.hostname = v;
  }
  if (fields.includes("port")) {
    const v = readPattern(issues, join(path, "port"), "port", o.port);
    if (v !== undefined) rule.port = v;
    if (v !== undefined && rule.hostname === undefined) {
      issues.error(join(path, "port"), "a port needs a hostname in the same rule");
    }
  }
  const name = fields.includes("imageName")
    ? readPattern(issues, join(path, "imageName"), "imageName", o.imageName)
    : undefined;
  if (name !== undefined) rule.imageName = name;
  const tag = fields.includes("tag") ? readTag(issues, join(path, "tag"), o.tag) : undefined;
  if (tag !== undefined) rule.tag = tag;
  if (fields.includes("minVersion")) {
    // minimum-version: each rule names the images (imageName) and the lowest version.
    if (name === undefined && (o.imageName === undefined || o.imageName === null)) {
      issues.error(join(path, "imageName"), "is required: the images this minimum applies to");
    }
    const v = issues.readString(join(path, "minVersion"), o.minVersion, { required: true });
    if (v !== undefined && (v.length > 128 || parseVersion(v) === undefined)) {
      issues.error(
        join(path, "minVersion"),
        `"${v}" is not a version: write MAJOR[.MINOR[.PATCH]][-PRERELEASE], optionally after v (v1.11.2)`,
      );
    } else if (v !== undefined) rule.minVersion = v;
  }
  if (fields.includes("requireDigest")) {
    const v = issues.readBoolean(join(path, "requireDigest"), o.requireDigest);
    if (v !== undefined) rule.requireDigest = v;
  }
  return rule;
}

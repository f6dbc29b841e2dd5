import { type IssueCollector, isPlainObject, join, typeName } from "./fields.js";
import { checkPattern, type PatternPart } from "./pattern.js";
import type { PolicyRule, RuleField, TagMatch } from "./types.js";

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

/** `tag` is `{value, negate}` as in Tanzu Mission Control, or a plain string for short. */
function readTag(issues: IssueCollector, path: string, value: unknown): TagMatch | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") {
    const v = readPattern(issues, path, "tag", value);
    return v === undefined ? undefined : { value: v, negate: false };
  }
  if (!isPlainObject(value)) {
    issues.error(path, `expected an object {value, negate} or a string, got ${typeName(value)}`);
    return undefined;
  }
  const o = issues.readObject(path, value, ["value", "negate"]);
  if (o === undefined) return undefined;
  const v = readPattern(issues, join(path, "value"), "tag", o.value);
  const negate = issues.readBoolean(join(path, "negate"), o.negate) ?? false;
  return { value: v ?? "", negate };
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
  const name = readPattern(issues, join(path, "imageName"), "imageName", o.imageName);
  if (name !== undefined) rule.imageName = name;
  const tag = readTag(issues, join(path, "tag"), o.tag);
  if (tag !== undefined) rule.tag = tag;
  if (fields.includes("requireDigest")) {
    const v = issues.readBoolean(join(path, "requireDigest"), o.requireDigest);
    if (v !== undefined) rule.requireDigest = v;
  }
  return rule;
}

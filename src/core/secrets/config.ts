/**
 * `.customs/secrets.yaml`: custom detectors, allowlists and which built-ins run. Validated
 * strictly (unknown keys with did-you-mean, every problem with its field path); regular
 * expressions are compiled by the caller's `compile`, which is RE2 in the product.
 */
import type { Severity } from "../findings/types.js";
import { SEVERITIES } from "../findings/types.js";
import { compileGlob, type Glob } from "../glob.js";
import { IssueCollector, join, typeName } from "../policy/fields.js";
import type { PolicyIssue } from "../policy/types.js";
import type { Detector, SecretRegex } from "./types.js";

export interface SecretsConfig {
  readonly builtin: boolean;
  readonly disable: readonly string[];
  readonly detectors: readonly Detector[];
  readonly allowPaths: readonly Glob[];
  readonly allowValues: readonly string[];
  readonly allowRegexes: readonly SecretRegex[];
}

export const EMPTY_SECRETS_CONFIG: SecretsConfig = {
  builtin: true,
  disable: [],
  detectors: [],
  allowPaths: [],
  allowValues: [],
  allowRegexes: [],
};

/** Compiles a user's pattern; returns an error message instead of throwing. */
export type RegexCompiler = (source: string, secretGroup: number) => SecretRegex | string;

const TOP = ["version", "builtin", "disable", "detectors", "allowlist"];
const DETECTOR = ["id", "description", "severity", "regex", "secretGroup", "keywords", "entropy"];
const ALLOW = ["paths", "values", "regexes"];
const CODE = "SECRETS_CONFIG_INVALID";

export function validateSecretsConfig(
  value: unknown,
  compile: RegexCompiler,
  knownIds: readonly string[],
): { config: SecretsConfig; issues: readonly PolicyIssue[] } {
  const issues = new IssueCollector();
  const top = issues.readObject("", value ?? {}, TOP);
  if (top === undefined) return { config: EMPTY_SECRETS_CONFIG, issues: recode(issues) };
  if (top.version !== undefined && top.version !== 1)
    issues.error("version", `expected 1, got ${typeName(top.version)}`);
  const detectors = (issues.readList("detectors", top.detectors) ?? []).flatMap((d, i) => {
    const detector = readDetector(issues, join("detectors", i), d, compile);
    return detector === undefined ? [] : [detector];
  });
  const ids = [...knownIds, ...detectors.map((d) => d.id)];
  const allow = issues.readObject("allowlist", top.allowlist ?? {}, ALLOW) ?? {};
  const config: SecretsConfig = {
    builtin: issues.readBoolean("builtin", top.builtin) ?? true,
    disable: readStrings(issues, "disable", top.disable).filter((id, i) => {
      if (ids.includes(id)) return true;
      issues.error(join("disable", i), `no detector has the ID \`${id}\``);
      return false;
    }),
    detectors,
    allowPaths: readStrings(issues, "allowlist.paths", allow.paths).map(compileGlob),
    allowValues: readStrings(issues, "allowlist.values", allow.values),
    allowRegexes: readStrings(issues, "allowlist.regexes", allow.regexes).flatMap((r, i) =>
      compiled(issues, join("allowlist.regexes", i), compile(r, 0)),
    ),
  };
  const seen = new Set<string>(knownIds);
  detectors.forEach((d, i) => {
    if (seen.has(d.id)) issues.error(join(join("detectors", i), "id"), `duplicate ID \`${d.id}\``);
    seen.add(d.id);
  });
  return { config, issues: recode(issues) };
}

function readDetector(
  issues: IssueCollector,
  path: string,
  value: unknown,
  compile: RegexCompiler,
): Detector | undefined {
  const o = issues.readObject(path, value, DETECTOR);
  if (o === undefined) return undefined;
  const id = issues.readString(join(path, "id"), o.id, { required: true, nonEmpty: true });
  if (id !== undefined && !/^[a-z0-9][a-z0-9-]{0,62}$/.test(id))
    issues.error(join(path, "id"), "use lowercase letters, digits and `-` (at most 63)");
  const source = issues.readString(join(path, "regex"), o.regex, { required: true });
  const group = readNumber(issues, join(path, "secretGroup"), o.secretGroup, 0, 99) ?? 0;
  const entropy = readNumber(issues, join(path, "entropy"), o.entropy, 0, 8) ?? 0;
  const severity: Severity =
    issues.readEnum(join(path, "severity"), o.severity, SEVERITIES) ?? "high";
  const keywords = readStrings(issues, join(path, "keywords"), o.keywords);
  const regex =
    source === undefined ? [] : compiled(issues, join(path, "regex"), compile(source, group));
  if (id === undefined || regex[0] === undefined) return undefined;
  const description = issues.readString(join(path, "description"), o.description);
  return {
    id,
    name: description ?? id,
    severity,
    confidence: "high",
    summary: description ?? `custom: ${source}`,
    keywords,
    regex: regex[0],
    minEntropy: entropy,
  };
}

function compiled(issues: IssueCollector, path: string, r: SecretRegex | string): SecretRegex[] {
  if (typeof r === "string") {
    issues.error(path, r);
    return [];
  }
  return [r];
}

function readStrings(issues: IssueCollector, path: string, value: unknown): string[] {
  return (issues.readList(path, value) ?? []).flatMap((v, i) => {
    const s = issues.readString(join(path, i), v, { nonEmpty: true });
    return s === undefined ? [] : [s];
  });
}

function readNumber(
  issues: IssueCollector,
  path: string,
  value: unknown,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || Number.isNaN(value) || value < min || value > max) {
    issues.error(path, `expected a number from ${min} to ${max}, got ${typeName(value)}`);
    return undefined;
  }
  return value;
}

function recode(issues: IssueCollector): PolicyIssue[] {
  return issues.issues.map((i) => ({ ...i, code: CODE }));
}

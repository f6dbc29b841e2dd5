/**
 * SARIF 2.1.0 as Trivy (`-f sarif`) and Grype (`-o sarif`) write it. SARIF has no fields for
 * package or version, so they are read from the `Key: value` lines both scanners put in the
 * result message and the rule's help text (docs/vulnerabilities.md, "SARIF").
 * https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
 */
import type { Vulnerability, VulnerabilityReport, VulnerabilitySeverity } from "../supply/facts.js";
import { splitVersions, toReport, toTitle } from "./normalize.js";
import { isJsonObject, type JsonObject, type JsonPath, ReportReader } from "./read.js";
import { severityOfScore, toVulnerabilitySeverity } from "./severity.js";

/** A CVE or GHSA ID at the start of a rule ID; Grype appends `-<package>` to it. */
const ADVISORY_ID = /^(CVE-\d{4}-\d{4,}|GHSA(?:-[0-9a-z]{4}){3})(?=-|$)/i;
/** Trivy also writes misconfiguration, secret and licence results into the same run. */
const NOT_VULNERABILITY_TAGS = new Set(["misconfiguration", "secret", "license"]);
/** Only so much of a message is searched: hostile input must stay cheap. */
const MAX_TEXT = 8192;

export function parseSarifReport(json: unknown, name: string): VulnerabilityReport {
  const r: ReportReader = new ReportReader(name, "SARIF");
  const root = r.object(json, []);
  if (root.version !== "2.1.0") {
    r.fail(["version"], `expected "2.1.0", got ${JSON.stringify(root.version) ?? "nothing"}`);
  }
  const found: Vulnerability[] = [];
  let tool: string | undefined;
  let createdAt: string | undefined;
  let artifact: string | undefined;
  r.list(root.runs, ["runs"]).forEach((item, i) => {
    const run = r.object(item, ["runs", i]);
    const driver = r.object(r.object(run.tool, ["runs", i, "tool"]).driver, [
      "runs",
      i,
      "tool",
      "driver",
    ]);
    tool ??= r.text(driver.name, ["runs", i, "tool", "driver", "name"]).toLowerCase();
    createdAt ??= timeOf(run);
    artifact ??= imageOf(run);
    const rules = r.list(driver.rules, ["runs", i, "tool", "driver", "rules"]);
    r.list(run.results, ["runs", i, "results"]).forEach((res, j) => {
      const v = toVulnerability(r, rules, res, ["runs", i, "results", j]);
      if (v !== undefined) found.push(v);
    });
  });
  return toReport(`sarif:${tool ?? "unknown"}`, createdAt, artifact, found);
}

function toVulnerability(
  r: ReportReader,
  rules: readonly unknown[],
  value: unknown,
  path: JsonPath,
): Vulnerability | undefined {
  const result = r.object(value, path);
  const rule = ruleOf(r, rules, result, path);
  const ruleId = r.optionalString(result.ruleId, [...path, "ruleId"]) ?? stringAt(rule, "id");
  if (ruleId === undefined || ruleId.trim() === "") r.fail([...path, "ruleId"], "no rule ID");
  const tags = tagsOf(rule);
  if (tags.some((t) => NOT_VULNERABILITY_TAGS.has(t.toLowerCase()))) return undefined;
  const message = textOf(result.message);
  const fields = { ...keyValues(textOf(rule?.help)), ...keyValues(message) };
  const fromMessage = grypeMessage(message);
  const title = toTitle(textOf(rule?.shortDescription));
  return {
    id: ADVISORY_ID.exec(ruleId)?.[1] ?? ruleId,
    aliases: [],
    severity: severityOf(message, tags, fields, rule, result),
    package: fields.package ?? fromMessage?.package ?? "",
    installedVersion: fields["installed version"] ?? fields.version ?? fromMessage?.version ?? "",
    fixedVersions: splitVersions(fields["fixed version"] ?? fields["fix version"]),
    ...(title ? { title } : {}),
  };
}

function ruleOf(
  r: ReportReader,
  rules: readonly unknown[],
  result: JsonObject,
  path: JsonPath,
): JsonObject | undefined {
  const index = result.ruleIndex;
  const byIndex = typeof index === "number" ? rules[index] : undefined;
  const found =
    isJsonObject(byIndex) && (result.ruleId === undefined || byIndex.id === result.ruleId)
      ? byIndex
      : rules.find((x) => isJsonObject(x) && x.id === result.ruleId);
  if (found === undefined) return undefined;
  return r.object(found, [...path, "ruleIndex"]);
}

/**
 * The scanner's own word first (Trivy's tag, a `Severity:` line, Grype's message), then the CVSS-like
 * `security-severity` score GitHub reads, then the SARIF level.
 */
function severityOf(
  message: string,
  tags: readonly string[],
  fields: Readonly<Record<string, string>>,
  rule: JsonObject | undefined,
  result: JsonObject,
): VulnerabilitySeverity {
  for (const tag of tags) {
    const s = toVulnerabilitySeverity(tag);
    if (s !== "unknown") return s;
  }
  const word = toVulnerabilitySeverity(fields.severity ?? grypeSeverity(message));
  if (word !== "unknown") return word;
  const props = rule?.properties;
  const score = isJsonObject(props) ? props["security-severity"] : undefined;
  if (typeof score === "string" && score.trim() !== "") return severityOfScore(Number(score));
  if (typeof score === "number") return severityOfScore(score);
  const config = rule?.defaultConfiguration;
  const level = result.level ?? (isJsonObject(config) ? config.level : undefined);
  return level === "error"
    ? "high"
    : level === "warning"
      ? "medium"
      : level === "note"
        ? "low"
        : "unknown";
}

function tagsOf(rule: JsonObject | undefined): string[] {
  const props = rule?.properties;
  const tags = isJsonObject(props) ? props.tags : undefined;
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === "string") : [];
}

/** `Key: value` lines, keys lower-cased; the first occurrence wins. */
function keyValues(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.slice(0, MAX_TEXT).split("\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0 || colon > 40) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (value !== "" && fields[key] === undefined) fields[key] = value;
  }
  return fields;
}

/** Grype: "A high vulnerability in deb package: libssl1.1, version 1.1.1n-0 was found …". */
function grypeMessage(text: string): { package: string; version: string } | undefined {
  const m = /package: ([^\s,]+), version ([^\s,]+)/.exec(text.slice(0, MAX_TEXT));
  return m ? { package: m[1] as string, version: m[2] as string } : undefined;
}

/** Grype: "A negligible vulnerability in deb package: …" (its own word, as in its JSON). */
function grypeSeverity(text: string): string | undefined {
  return /^An? ([A-Za-z]+) vulnerability in /.exec(text.slice(0, 200))?.[1];
}

function textOf(value: unknown): string {
  return isJsonObject(value) && typeof value.text === "string" ? value.text : "";
}

function stringAt(obj: JsonObject | undefined, key: string): string | undefined {
  const v = obj?.[key];
  return typeof v === "string" ? v : undefined;
}

function timeOf(run: JsonObject): string | undefined {
  const first = Array.isArray(run.invocations) ? run.invocations[0] : undefined;
  if (!isJsonObject(first)) return undefined;
  return stringAt(first, "endTimeUtc") ?? stringAt(first, "startTimeUtc");
}

/** Trivy records the scanned image in the run's properties. */
function imageOf(run: JsonObject): string | undefined {
  return isJsonObject(run.properties) ? stringAt(run.properties, "imageName") : undefined;
}

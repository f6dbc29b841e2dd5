/**
 * Harbor's vulnerability additions (`GET …/artifacts/{digest}/additions/vulnerabilities`): an
 * object from report MIME type to the report of that type.
 * https://github.com/goharbor/harbor/blob/main/api/v2.0/swagger.yaml (NativeReportSummary,
 * pluggable scanner spec `HarborVulnerabilityReport`).
 */
import type { Vulnerability, VulnerabilityReport } from "../supply/facts.js";
import { splitVersions, toReport, toTitle } from "./normalize.js";
import { isJsonObject, type JsonObject, type JsonPath, ReportReader } from "./read.js";
import { toVulnerabilitySeverity } from "./severity.js";

/** The report types Harbor serves vulnerabilities in, most preferred first. */
export const HARBOR_REPORT_TYPES = [
  "application/vnd.security.vulnerability.report; version=1.1",
  "application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0",
] as const;

/** The key of the report to read: a known type first, else any vulnerability report type. */
export function harborReportKey(json: JsonObject): string | undefined {
  const known = HARBOR_REPORT_TYPES.find((t) => isJsonObject(json[t]));
  return known ?? Object.keys(json).find((k) => isHarborReportType(k) && isJsonObject(json[k]));
}

export function isHarborReportType(key: string): boolean {
  return /^application\/vnd\.(security\.vulnerability\.report|scanner\.adapter\.vuln\.report)/.test(
    key,
  );
}

export function parseHarborReport(json: unknown, name: string): VulnerabilityReport {
  const r: ReportReader = new ReportReader(name, "Harbor");
  const root = r.object(json, []);
  const key = harborReportKey(root);
  if (key === undefined) r.fail([], "holds no vulnerability report (no known report MIME type)");
  const report = r.object(root[key], [key]);
  const scanner =
    report.scanner === undefined || report.scanner === null
      ? {}
      : r.object(report.scanner, [key, "scanner"]);
  const scannerName = r.optionalString(scanner.name, [key, "scanner", "name"]);
  const createdAt = r.optionalString(report.generated_at, [key, "generated_at"]);
  const artifact = artifactOf(report.artifact);
  const found = r
    .list(report.vulnerabilities, [key, "vulnerabilities"])
    .map((v, i) => toVulnerability(r, v, [key, "vulnerabilities", i]));
  return toReport(`harbor:${(scannerName ?? "unknown").toLowerCase()}`, createdAt, artifact, found);
}

function toVulnerability(r: ReportReader, value: unknown, path: JsonPath): Vulnerability {
  const v = r.object(value, path);
  const title = toTitle(r.optionalString(v.description, [...path, "description"]));
  return {
    id: r.text(v.id, [...path, "id"]),
    aliases: [],
    severity: toVulnerabilitySeverity(r.optionalString(v.severity, [...path, "severity"])),
    package: r.text(v.package, [...path, "package"]),
    installedVersion: r.optionalString(v.version, [...path, "version"]) ?? "",
    fixedVersions: splitVersions(r.optionalString(v.fix_version, [...path, "fix_version"])),
    ...(title ? { title } : {}),
  };
}

function artifactOf(value: unknown): string | undefined {
  if (!isJsonObject(value)) return undefined;
  const { repository, digest } = value;
  if (typeof repository !== "string" || repository === "") return undefined;
  return typeof digest === "string" && digest !== "" ? `${repository}@${digest}` : repository;
}

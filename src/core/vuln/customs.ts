/**
 * Customs' own normalized report (what `customs vuln show -o json` and `vuln harbor -o json`
 * print), read back so that a saved report can be compared with `vuln diff`.
 */
import type { Vulnerability, VulnerabilityReport } from "../supply/facts.js";
import { toReport } from "./normalize.js";
import { type JsonPath, ReportReader } from "./read.js";
import { isVulnerabilitySeverity, VULNERABILITY_SEVERITIES } from "./severity.js";

export function parseCustomsReport(json: unknown, name: string): VulnerabilityReport {
  const r: ReportReader = new ReportReader(name, "Customs");
  const root = r.object(json, []);
  const found = r
    .list(root.vulnerabilities, ["vulnerabilities"])
    .map((v, i) => toVulnerability(r, v, ["vulnerabilities", i]));
  return toReport(
    r.text(root.scanner, ["scanner"]),
    r.optionalString(root.createdAt, ["createdAt"]),
    r.optionalString(root.artifact, ["artifact"]),
    found,
  );
}

function toVulnerability(r: ReportReader, value: unknown, path: JsonPath): Vulnerability {
  const v = r.object(value, path);
  const severity = r.string(v.severity, [...path, "severity"]);
  if (!isVulnerabilitySeverity(severity))
    r.fail([...path, "severity"], `expected one of ${VULNERABILITY_SEVERITIES.join(", ")}`);
  const title = r.optionalString(v.title, [...path, "title"]);
  return {
    id: r.text(v.id, [...path, "id"]),
    aliases: r.strings(v.aliases, [...path, "aliases"]),
    severity,
    package: r.string(v.package, [...path, "package"]),
    installedVersion: r.string(v.installedVersion, [...path, "installedVersion"]),
    fixedVersions: r.strings(v.fixedVersions, [...path, "fixedVersions"]),
    ...(title !== undefined ? { title } : {}),
  };
}

/**
 * Trivy JSON reports, schema version 2 (`trivy image -f json`):
 * https://trivy.dev/latest/docs/configuration/reporting/#json
 */
import type { Vulnerability, VulnerabilityReport } from "../supply/facts.js";
import { splitVersions, toReport, toTitle } from "./normalize.js";
import { type JsonPath, ReportReader } from "./read.js";
import { toVulnerabilitySeverity } from "./severity.js";

export function parseTrivyReport(json: unknown, name: string): VulnerabilityReport {
  const r: ReportReader = new ReportReader(name, "Trivy");
  const root = r.object(json, []);
  if (root.SchemaVersion !== 2) {
    r.fail(["SchemaVersion"], `expected 2, got ${JSON.stringify(root.SchemaVersion) ?? "nothing"}`);
  }
  const found: Vulnerability[] = [];
  r.list(root.Results, ["Results"]).forEach((item, i) => {
    const result = r.object(item, ["Results", i]);
    r.list(result.Vulnerabilities, ["Results", i, "Vulnerabilities"]).forEach((v, j) => {
      found.push(toVulnerability(r, v, ["Results", i, "Vulnerabilities", j]));
    });
  });
  const createdAt = r.optionalString(root.CreatedAt, ["CreatedAt"]);
  const artifact = r.optionalString(root.ArtifactName, ["ArtifactName"]);
  return toReport("trivy", createdAt, artifact, found);
}

function toVulnerability(r: ReportReader, value: unknown, path: JsonPath): Vulnerability {
  const v = r.object(value, path);
  const title = toTitle(
    r.optionalString(v.Title, [...path, "Title"]) ??
      r.optionalString(v.Description, [...path, "Description"]),
  );
  return {
    id: r.text(v.VulnerabilityID, [...path, "VulnerabilityID"]),
    // VendorIDs are the distribution's advisories (DSA-…, RHSA-…) for the same flaw.
    aliases: r.strings(v.VendorIDs, [...path, "VendorIDs"]),
    severity: toVulnerabilitySeverity(r.optionalString(v.Severity, [...path, "Severity"])),
    package: r.text(v.PkgName, [...path, "PkgName"]),
    installedVersion: r.optionalString(v.InstalledVersion, [...path, "InstalledVersion"]) ?? "",
    fixedVersions: splitVersions(r.optionalString(v.FixedVersion, [...path, "FixedVersion"])),
    ...(title ? { title } : {}),
  };
}

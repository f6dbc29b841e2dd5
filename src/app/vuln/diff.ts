/**
 * `customs vuln diff`: what a newer vulnerability report adds to an older one, as findings
 * (docs/vulnerabilities.md, "vuln diff").
 */
import type {
  Finding,
  FindingReport,
  RuleDescriptor,
  Severity,
} from "../../core/findings/types.js";
import type {
  Vulnerability,
  VulnerabilityReport,
  VulnerabilitySeverity,
} from "../../core/supply/facts.js";
import { compareVulnerabilityReports, type VulnerabilityChange } from "../../core/vuln/index.js";

const TO_FINDING_SEVERITY: Readonly<Record<VulnerabilitySeverity, Severity>> = {
  critical: "critical",
  high: "high",
  medium: "medium",
  low: "low",
  negligible: "info",
  unknown: "info",
};

export function toFindingSeverity(severity: VulnerabilitySeverity): Severity {
  return TO_FINDING_SEVERITY[severity];
}

/** `newPath` is the NEW report's path as the user gave it (`-` for standard input). */
export function diffVulnerabilityReports(
  base: VulnerabilityReport,
  next: VulnerabilityReport,
  newPath: string,
): FindingReport {
  const { changes } = compareVulnerabilityReports(base, next);
  const findings = changes.map((c) => toFinding(c, newPath, next.artifact));
  const rules = new Map<string, RuleDescriptor>();
  for (const c of changes) {
    const v = c.vulnerability;
    if (!rules.has(v.id)) rules.set(v.id, toRule(v));
  }
  return {
    tool: "vuln",
    findings,
    rules: [...rules.values()],
    scanned: {
      "base vulnerabilities": base.vulnerabilities.length,
      "new vulnerabilities": next.vulnerabilities.length,
    },
  };
}

function toFinding(change: VulnerabilityChange, path: string, image: string | undefined): Finding {
  const v = change.vulnerability;
  const what = `${v.package}${v.installedVersion ? ` ${v.installedVersion}` : ""}`;
  const fixed =
    v.fixedVersions.length > 0 ? `fixed in ${v.fixedVersions.join(", ")}` : "no fix known";
  const news =
    change.kind === "added"
      ? `new ${v.severity} vulnerability`
      : `severity rose from ${change.before?.severity} to ${v.severity}`;
  return {
    tool: "vuln",
    ruleId: v.id,
    severity: toFindingSeverity(v.severity),
    message: `${what}: ${v.id}: ${news}; ${fixed}${v.title ? ` (${v.title})` : ""}`,
    location: { path, ...(image ? { image } : {}) },
    ...(v.fixedVersions.length > 0
      ? { fix: `upgrade ${v.package} to ${v.fixedVersions[0]} or later` }
      : {}),
    fingerprint: `${v.id}:${v.package}:${v.installedVersion}`,
    properties: {
      change: change.kind,
      package: v.package,
      installedVersion: v.installedVersion,
      fixedVersions: v.fixedVersions.join(","),
      vulnerabilitySeverity: v.severity,
      ...(v.aliases.length > 0 ? { aliases: v.aliases.join(",") } : {}),
      ...(change.before ? { previousSeverity: change.before.severity } : {}),
    },
  };
}

function toRule(v: Vulnerability): RuleDescriptor {
  const helpUri = adviceUri(v.id);
  return {
    id: v.id,
    name: v.id,
    severity: toFindingSeverity(v.severity),
    summary: v.title ?? v.id,
    ...(helpUri ? { helpUri } : {}),
  };
}

function adviceUri(id: string): string | undefined {
  if (/^CVE-\d{4}-\d+$/i.test(id)) return `https://nvd.nist.gov/vuln/detail/${id.toUpperCase()}`;
  if (/^GHSA(-[0-9a-z]{4}){3}$/i.test(id)) return `https://github.com/advisories/${id}`;
  return undefined;
}

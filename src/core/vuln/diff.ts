/**
 * What a newer report has that an older one has not. A vulnerability is the same in both
 * when its package matches and its ID or one of its aliases matches the other's ID or an
 * alias: a scanner that switched from GHSA to CVE IDs reports nothing new.
 */
import type { Vulnerability, VulnerabilityReport } from "../supply/facts.js";
import { compareVulnerabilitySeverity } from "./severity.js";

export interface VulnerabilityChange {
  readonly kind: "added" | "raised";
  readonly vulnerability: Vulnerability;
  /** For `raised`: the same vulnerability as the base report has it. */
  readonly before?: Vulnerability;
}

export interface VulnerabilityComparison {
  /** New in NEW, or more severe than in BASE, in NEW's order. */
  readonly changes: readonly VulnerabilityChange[];
  /** In both and no more severe than before. */
  readonly unchanged: readonly Vulnerability[];
}

export function compareVulnerabilityReports(
  base: VulnerabilityReport,
  next: VulnerabilityReport,
): VulnerabilityComparison {
  const index = new Map<string, Vulnerability[]>();
  for (const v of base.vulnerabilities) {
    for (const key of keysOf(v)) {
      const list = index.get(key);
      if (list === undefined) index.set(key, [v]);
      else list.push(v);
    }
  }
  const changes: VulnerabilityChange[] = [];
  const unchanged: Vulnerability[] = [];
  for (const v of next.vulnerabilities) {
    const before = mostSevere(keysOf(v).flatMap((k) => index.get(k) ?? []));
    if (before === undefined) changes.push({ kind: "added", vulnerability: v });
    else if (compareVulnerabilitySeverity(v.severity, before.severity) > 0)
      changes.push({ kind: "raised", vulnerability: v, before });
    else unchanged.push(v);
  }
  return { changes, unchanged };
}

/** Package and each of ID and aliases; IDs compare case-insensitively (cve- = CVE-). */
export function keysOf(v: Vulnerability): string[] {
  return [v.id, ...v.aliases].map((id) => JSON.stringify([v.package, id.trim().toUpperCase()]));
}

/** Of several base entries that match (installed in two versions, say), the most severe. */
function mostSevere(list: readonly Vulnerability[]): Vulnerability | undefined {
  let best: Vulnerability | undefined;
  for (const v of list) {
    if (best === undefined || compareVulnerabilitySeverity(v.severity, best.severity) > 0) best = v;
  }
  return best;
}

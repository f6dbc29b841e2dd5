/**
 * One entry per (ID, package, installed version). Scanners repeat a finding once per target
 * (Trivy: each layer or lock file; Grype: each location), which says nothing new about the
 * image; repeats are merged, keeping the highest severity and every alias and fix.
 */
import type { Vulnerability, VulnerabilityReport, VulnerabilitySeverity } from "../supply/facts.js";
import { clean } from "./read.js";
import { compareVulnerabilitySeverity } from "./severity.js";

interface Draft {
  id: string;
  aliases: string[];
  severity: VulnerabilitySeverity;
  package: string;
  installedVersion: string;
  fixedVersions: string[];
  title?: string;
}

/** The report every parser returns: strings cleaned, duplicates merged, empty fields left out. */
export function toReport(
  scanner: string,
  createdAt: string | undefined,
  artifact: string | undefined,
  found: readonly Vulnerability[],
): VulnerabilityReport {
  return {
    scanner: clean(scanner),
    ...(createdAt ? { createdAt: clean(createdAt) } : {}),
    ...(artifact ? { artifact: clean(artifact) } : {}),
    vulnerabilities: mergeVulnerabilities(found),
  };
}

export function mergeVulnerabilities(found: readonly Vulnerability[]): Vulnerability[] {
  const byKey = new Map<string, Draft>();
  for (const dirty of found) {
    const v = cleanVulnerability(dirty);
    const key = JSON.stringify([v.id, v.package, v.installedVersion]);
    const seen = byKey.get(key);
    if (seen === undefined) {
      byKey.set(key, {
        ...v,
        aliases: unique(v.aliases.filter((a) => a !== v.id)),
        fixedVersions: unique(v.fixedVersions),
      });
      continue;
    }
    if (compareVulnerabilitySeverity(v.severity, seen.severity) > 0) seen.severity = v.severity;
    seen.aliases = unique([...seen.aliases, ...v.aliases.filter((a) => a !== v.id)]);
    seen.fixedVersions = unique([...seen.fixedVersions, ...v.fixedVersions]);
    if (seen.title === undefined && v.title !== undefined) seen.title = v.title;
  }
  return [...byKey.values()].map(freeze);
}

/** Every string as it may be printed: SARIF text is read without the typed reader. */
function cleanVulnerability(v: Vulnerability): Vulnerability {
  return {
    ...v,
    id: clean(v.id),
    aliases: v.aliases.map(clean),
    package: clean(v.package),
    installedVersion: clean(v.installedVersion),
    fixedVersions: v.fixedVersions.map(clean),
    ...(v.title !== undefined ? { title: clean(v.title) } : {}),
  };
}

function freeze(d: Draft): Vulnerability {
  const { title, ...rest } = d;
  return title === undefined ? rest : { ...rest, title };
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items.map((s) => s.trim()).filter((s) => s !== ""))];
}

/** Trivy writes fixed versions comma-separated ("1.2.3, 1.3.1"), Harbor too. */
export function splitVersions(text: string | undefined): string[] {
  if (text === undefined) return [];
  return unique(text.split(","));
}

/** The first line of a description, shortened: a title, not an essay. */
export function toTitle(text: string | undefined): string | undefined {
  const line = text?.trim().split("\n")[0]?.trim();
  if (line === undefined || line === "") return undefined;
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/**
 * One entry per (ID, package, installed version). Scanners repeat a finding once per target
 * (Trivy: each layer or lock file; Grype: each location), which says nothing new about the
 * image; repeats are merged, keeping the highest severity and every alias and fix.
 */
import type { Vulnerability, VulnerabilitySeverity } from "../supply/facts.js";
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

export function mergeVulnerabilities(found: readonly Vulnerability[]): Vulnerability[] {
  const byKey = new Map<string, Draft>();
  for (const v of found) {
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

/**
 * Severity words of every scanner, normalized (docs/vulnerabilities.md, "Severities").
 * Unrecognized words read as `unknown` rather than failing: a new word from a scanner
 * must not make a whole report unreadable.
 */
import type { VulnerabilitySeverity } from "../supply/facts.js";

/** Least to most severe; `unknown` ranks lowest (nothing is known to be at stake). */
export const VULNERABILITY_SEVERITIES: readonly VulnerabilitySeverity[] = [
  "unknown",
  "negligible",
  "low",
  "medium",
  "high",
  "critical",
];

const WORDS: Readonly<Record<string, VulnerabilitySeverity>> = {
  critical: "critical",
  high: "high",
  important: "high",
  medium: "medium",
  moderate: "medium",
  low: "low",
  negligible: "negligible",
  none: "negligible",
  info: "negligible",
  informational: "negligible",
  unknown: "unknown",
};

export function toVulnerabilitySeverity(word: string | undefined): VulnerabilitySeverity {
  if (word === undefined) return "unknown";
  return WORDS[word.trim().toLowerCase()] ?? "unknown";
}

/** CVSS base score bands (CVSS v3.1 specification, section 5); 0 is `negligible`. */
export function severityOfScore(score: number): VulnerabilitySeverity {
  if (!Number.isFinite(score) || score < 0 || score > 10) return "unknown";
  if (score >= 9) return "critical";
  if (score >= 7) return "high";
  if (score >= 4) return "medium";
  if (score > 0) return "low";
  return "negligible";
}

export function isVulnerabilitySeverity(word: string): word is VulnerabilitySeverity {
  return (VULNERABILITY_SEVERITIES as readonly string[]).includes(word);
}

/** Positive when `a` is more severe than `b`. */
export function compareVulnerabilitySeverity(
  a: VulnerabilitySeverity,
  b: VulnerabilitySeverity,
): number {
  return VULNERABILITY_SEVERITIES.indexOf(a) - VULNERABILITY_SEVERITIES.indexOf(b);
}

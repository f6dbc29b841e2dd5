/**
 * One shape for what every CI command finds (`check`, `dockerfile lint`, `secrets scan`,
 * `vuln diff`), so that one reporting layer prints it as text, JSON, SARIF, JUnit or GitHub
 * annotations and one `--fail-on` decides the exit code.
 */

/** Ordered from least to most severe; `--fail-on` compares by this order. */
export const SEVERITIES = ["info", "low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

export function isSeverity(value: string): value is Severity {
  return (SEVERITIES as readonly string[]).includes(value);
}

/** Positive when `a` is more severe than `b`. */
export function compareSeverity(a: Severity, b: Severity): number {
  return SEVERITIES.indexOf(a) - SEVERITIES.indexOf(b);
}

export type FindingTool = "check" | "dockerfile" | "secrets" | "vuln";

export interface FindingLocation {
  /** Path as the user gave it (relative paths stay relative); `-` for standard input. */
  readonly path: string;
  /** 1-based. */
  readonly line?: number;
  /** 1-based. */
  readonly column?: number;
  readonly endLine?: number;
  readonly endColumn?: number;
  /** Git history findings: the commit that introduced the line. */
  readonly commit?: string;
  /** Image findings: the image reference, and the layer digest the file sits in. */
  readonly image?: string;
  readonly layer?: string;
}

export interface Finding {
  readonly tool: FindingTool;
  /** Stable identifier: a rule ID (`DF001`), a detector (`stripe-secret-key`), a code, a CVE. */
  readonly ruleId: string;
  readonly severity: Severity;
  /** One line a person can act on. Never contains a secret (detectors redact first). */
  readonly message: string;
  readonly location?: FindingLocation;
  /** A one-line fix, when there is one. */
  readonly fix?: string;
  /** Stable across runs for the same problem (SARIF partialFingerprints, deduplication). */
  readonly fingerprint?: string;
  /** Extra facts for JSON/SARIF consumers (flat values only). */
  readonly properties?: Readonly<Record<string, string | number | boolean>>;
}

/** What a rule or detector is, for SARIF `rules` and documentation. */
export interface RuleDescriptor {
  readonly id: string;
  readonly name: string;
  readonly severity: Severity;
  readonly summary: string;
  readonly fix?: string;
  readonly helpUri?: string;
}

export interface FindingReport {
  readonly tool: FindingTool;
  readonly findings: readonly Finding[];
  /** Every rule that produced a finding (more is fine). */
  readonly rules: readonly RuleDescriptor[];
  /** What was examined, for the summary line (files, commits, layers, resources). */
  readonly scanned?: Readonly<Record<string, number>>;
}

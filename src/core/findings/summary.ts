import { compareSeverity, type FindingReport, SEVERITIES, type Severity } from "./types.js";

/** `--fail-on`: a severity, or `none` to report without ever failing. */
export type FailOn = Severity | "none";

export function isFailOn(value: string): value is FailOn {
  return value === "none" || (SEVERITIES as readonly string[]).includes(value);
}

export interface FindingSummary {
  readonly total: number;
  readonly bySeverity: Readonly<Record<Severity, number>>;
  /** Findings at or above the failure threshold. */
  readonly failing: number;
  readonly failOn: FailOn;
}

/** Counts findings of every report; `failing > 0` is what makes a CI command exit 1. */
export function summarizeFindings(
  reports: readonly FindingReport[],
  failOn: FailOn,
): FindingSummary {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  let total = 0;
  let failing = 0;
  for (const report of reports) {
    for (const f of report.findings) {
      total++;
      bySeverity[f.severity]++;
      if (isFailing(f.severity, failOn)) failing++;
    }
  }
  return { total, bySeverity, failing, failOn };
}

export function isFailing(severity: Severity, failOn: FailOn): boolean {
  return failOn !== "none" && compareSeverity(severity, failOn) >= 0;
}

/** "3 findings: 1 critical, 2 high" — severities from most to least severe, zeros left out. */
export function describeSummary(summary: FindingSummary): string {
  if (summary.total === 0) return "no findings";
  const parts = [...SEVERITIES]
    .reverse()
    .filter((s) => summary.bySeverity[s] > 0)
    .map((s) => `${summary.bySeverity[s]} ${s}`);
  return `${summary.total} finding${summary.total === 1 ? "" : "s"}: ${parts.join(", ")}`;
}

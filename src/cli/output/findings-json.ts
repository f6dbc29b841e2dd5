import type { FindingSummary } from "../../core/findings/index.js";
import type { FindingReport } from "../../core/findings/types.js";

/** `-o json` of every findings command: the summary, then each tool's findings as they are. */
export function toFindingsJson(
  reports: readonly FindingReport[],
  summary: FindingSummary,
): unknown {
  return {
    summary: {
      total: summary.total,
      failing: summary.failing,
      failOn: summary.failOn,
      bySeverity: summary.bySeverity,
    },
    reports: reports.map((r) => ({
      tool: r.tool,
      ...(r.scanned === undefined ? {} : { scanned: r.scanned }),
      findings: r.findings,
      rules: r.rules,
    })),
  };
}

import { describeSummary, type FindingSummary, isFailing } from "../../core/findings/index.js";
import type { Finding, FindingLocation, FindingReport } from "../../core/findings/types.js";
import { printable } from "../../core/policy/index.js";
import type { Style } from "./style.js";

export function formatLocation(l: FindingLocation | undefined): string {
  if (l === undefined) return "";
  let where = l.path;
  if (l.image !== undefined)
    where = `${l.image}${l.layer ? ` (layer ${l.layer.slice(0, 19)})` : ""}: ${l.path}`;
  if (l.line !== undefined) where += `:${l.line}${l.column !== undefined ? `:${l.column}` : ""}`;
  if (l.commit !== undefined) where += ` @ ${l.commit.slice(0, 12)}`;
  return where;
}

function colour(f: Finding, failOn: FindingSummary["failOn"], style: Style): string {
  const label = f.severity.toUpperCase().padEnd(8);
  if (isFailing(f.severity, failOn)) return style.red(style.bold(label));
  if (f.severity === "medium" || f.severity === "low") return style.yellow(label);
  return style.dim(label);
}

/**
 * One line per finding — location, severity, rule, message — then its fix, indented. Every
 * string that came from the scanned input is escaped so it cannot drive the terminal.
 */
export function toFindingsHuman(
  reports: readonly FindingReport[],
  summary: FindingSummary,
  style: Style,
): string {
  const lines: string[] = [];
  for (const report of reports) {
    for (const f of report.findings) {
      const where = printable(formatLocation(f.location), 400);
      lines.push(
        `${where === "" ? "" : `${where}  `}${colour(f, summary.failOn, style)} ${style.bold(printable(f.ruleId, 120))}  ${printable(f.message, 1000)}`,
      );
      if (f.fix !== undefined) lines.push(`    ${style.dim("fix:")} ${printable(f.fix, 400)}`);
    }
  }
  if (lines.length > 0) lines.push("");
  const verdict =
    summary.failing > 0
      ? style.red(`failed: ${summary.failing} at or above ${summary.failOn}`)
      : style.green(
          summary.failOn === "none"
            ? "passed (--fail-on none)"
            : `passed (--fail-on ${summary.failOn})`,
        );
  // Baselined findings are out of the list, but their number stays visible.
  const suppressed = reports.reduce((n, r) => n + (r.scanned?.suppressed ?? 0), 0);
  const hidden = suppressed > 0 ? ` (${suppressed} suppressed by the baseline)` : "";
  lines.push(`${describeSummary(summary)}${hidden}; ${verdict}`);
  return `${lines.join("\n")}\n`;
}

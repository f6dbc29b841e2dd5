import { describeSummary, type FindingSummary, isFailing } from "../../core/findings/index.js";
import type { Finding, FindingReport } from "../../core/findings/types.js";

// Workflow commands: https://docs.github.com/actions/reference/workflow-commands-for-github-actions
// Data escapes %, CR and LF; property values also escape ":" and ",". Without this a message
// from a scanned file could end the command and inject another one (e.g. ::add-mask::).
function escapeData(s: string): string {
  return s.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
}

function escapeProperty(s: string): string {
  return escapeData(s).replaceAll(":", "%3A").replaceAll(",", "%2C");
}

function command(f: Finding, failOn: FindingSummary["failOn"]): string {
  const kind = isFailing(f.severity, failOn)
    ? "error"
    : f.severity === "medium" || f.severity === "low"
      ? "warning"
      : "notice";
  const props: string[] = [];
  const l = f.location;
  // Annotations attach to files of the repository; image paths are named in the message.
  if (l !== undefined && l.image === undefined && l.commit === undefined) {
    props.push(`file=${escapeProperty(l.path)}`);
    if (l.line !== undefined) props.push(`line=${l.line}`);
    if (l.column !== undefined) props.push(`col=${l.column}`);
    if (l.endLine !== undefined) props.push(`endLine=${l.endLine}`);
  }
  props.push(`title=${escapeProperty(`${f.ruleId} (${f.severity})`)}`);
  let message = f.message;
  if (l?.image !== undefined) message = `${l.image}: ${l.path}: ${message}`;
  else if (l?.commit !== undefined)
    message = `${l.path}:${l.line ?? ""} in commit ${l.commit}: ${message}`;
  if (f.fix !== undefined) message += `\nFix: ${f.fix}`;
  return `::${kind} ${props.join(",")}::${escapeData(message)}`;
}

/** GitHub Actions annotations, one per finding, then a plain summary line. */
export function toFindingsGithub(
  reports: readonly FindingReport[],
  summary: FindingSummary,
): string {
  const lines = reports.flatMap((r) => r.findings.map((f) => command(f, summary.failOn)));
  lines.push(describeSummary(summary));
  return `${lines.join("\n")}\n`;
}

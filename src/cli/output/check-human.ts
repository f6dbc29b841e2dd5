import type { CheckReport } from "../../app/check/index.js";
import type { Verdict } from "../../core/evaluate/index.js";
import { printable } from "../../core/policy/index.js";
import type { Style } from "./style.js";

function badge(verdict: Verdict, style: Style): string {
  if (verdict === "deny") return style.red(style.bold("DENY "));
  if (verdict === "warn") return style.yellow(style.bold("WARN "));
  return style.green("allow");
}

/**
 * Human output, grouped by resource: one heading line per resource, then one line per
 * violation with its action and code, then the message, which stands on its own.
 */
export function toCheckHuman(report: CheckReport, style: Style, verbose = false): string {
  const lines: string[] = [];
  for (const r of report.results) {
    const exempted = r.exempted ?? [];
    if (r.violations.length === 0 && exempted.length === 0 && !verbose) continue;
    // Names come from the manifests: escape control characters so they cannot drive the terminal.
    const resource = printable(`${r.kind} ${r.namespace}/${r.name}`, 300);
    lines.push(
      `${badge(r.verdict, style)} ${resource} ${style.dim(`(${printable(r.source, 300)})`)}`,
    );
    for (const v of r.violations) {
      const action =
        v.action === "deny"
          ? style.red(v.action)
          : v.action === "warn"
            ? style.yellow(v.action)
            : style.dim(v.action);
      lines.push(`  ${action} ${style.bold(v.code)} ${v.message}`);
    }
    for (const e of exempted) {
      const by = `exempted by exception ${printable(e.exception, 253)} (expires ${printable(e.expires, 64)})`;
      lines.push(`  ${style.dim(by)} ${style.bold(e.code)} ${e.message}`);
    }
  }
  const s = report.summary;
  if (lines.length > 0) lines.push("");
  lines.push(
    `${s.resources} resource${s.resources === 1 ? "" : "s"} checked: ${s.denied} denied, ${s.warned} warned, ${s.allowed} allowed`,
  );
  return `${lines.join("\n")}\n`;
}

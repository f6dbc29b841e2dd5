import type { CheckReport } from "../../app/check/index.js";
import { type AuditResult, auditResults, buildPolicyReport } from "../../core/audit/index.js";

/**
 * `customs check -o policyreport`: the wgpolicyk8s.io/v1alpha2 PolicyReports the background
 * audit would write for these manifests, one per workload, as a YAML stream (docs/audit.md).
 * A workload no policy applies to has no report, as in the cluster. `nowMs` stamps the
 * results.
 */
export function toCheckPolicyReports(report: CheckReport, nowMs: number): string {
  const docs: string[] = [];
  for (const r of report.results) {
    const applicable = r.applicable ?? [];
    if (applicable.length === 0) continue;
    const results: AuditResult[] = auditResults(applicable, {
      verdict: r.verdict,
      violations: r.violations,
      ...(r.exempted === undefined ? {} : { exempted: r.exempted }),
    });
    const policyReport = buildPolicyReport(
      {
        namespace: r.namespace,
        kind: r.kind,
        apiVersion: r.apiVersion,
        name: r.name,
        results,
      },
      nowMs,
    );
    docs.push(toYaml(policyReport, ""));
  }
  return docs.map((d) => `---\n${d}`).join("");
}

/**
 * Block YAML of plain JSON data, strings as JSON (valid double-quoted YAML scalars): `check`
 * never loads the YAML library for plain manifests (test/cli-check-startup.test.ts), and a
 * report holds nothing else.
 */
function toYaml(value: unknown, indent: string): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]\n";
    return value
      .map((item) => `${indent}- ${toYaml(item, `${indent}  `).replace(/^\s+/, "")}`)
      .join("");
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return "{}\n";
    return entries
      .map(([k, v]) => {
        const key = /^[A-Za-z_][A-Za-z0-9_./-]*$/.test(k) ? k : JSON.stringify(k);
        const nested = v !== null && typeof v === "object" && Object.keys(v).length > 0;
        return nested
          ? `${indent}${key}:\n${toYaml(v, `${indent}  `)}`
          : `${indent}${key}: ${toYaml(v, indent)}`;
      })
      .join("");
  }
  return `${JSON.stringify(value)}\n`;
}

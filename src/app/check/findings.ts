import type { Violation } from "../../core/evaluate/index.js";
import { VIOLATION_DESCRIPTIONS } from "../../core/evaluate/index.js";
import { type FailOn, isFailing } from "../../core/findings/index.js";
import type { Finding, FindingReport, Severity } from "../../core/findings/types.js";
import type { CheckedResource, CheckReport } from "./check.js";

/** Line of the violating image in its file; a missing image points at its container. */
export function lineOfViolation(r: CheckedResource, v: Violation): number {
  const c = r.containers.find(
    (x) => x.container === v.container && x.containerType === v.containerType,
  );
  const pointer =
    c === undefined ? "" : c.image === undefined ? c.pointer.replace(/\/image$/, "") : c.pointer;
  return r.document.lineOf(pointer) ?? r.document.lineOf("") ?? 1;
}

/** What every output format says of a violation besides its code and message. */
export function violationProperties(v: Violation) {
  return {
    policy: v.policy,
    action: v.action,
    container: v.container,
    containerType: v.containerType,
    image: v.image,
    normalizedImage: v.normalizedImage,
  };
}

/**
 * Stable across runs and line moves, unique per file: the file (as the user named it, so never
 * an absolute path they did not give), the resource, the container, its image, the policy and
 * the code. Without the file, two services' Deployments in different files that break the same
 * rule with the same image would be one alert in code scanning. No line number: inserting a
 * line above a resource must not turn its alert into a new one.
 */
export function violationFingerprint(r: CheckedResource, v: Violation): string {
  const file = r.source.replaceAll("\\", "/");
  const resource = `${r.kind}/${r.namespace}/${r.name}`;
  const container = `${v.containerType}/${v.container}`;
  return `${file}#${resource}/${container}/${v.image ?? ""}/${v.policy}/${v.code}`;
}

/**
 * A denial fails CI by default (--fail-on high), a warning does with --fail-on medium, and an
 * audit result is only information, as it is at admission.
 */
const SEVERITY_OF_ACTION: Record<Violation["action"], Severity> = {
  deny: "high",
  warn: "medium",
  audit: "info",
};

/**
 * Whether `--fail-on` fails this report: what `summarizeFindings([toCheckFindings(report)])`
 * counts as failing, from the violations' actions alone. Line numbers play no part in the
 * exit status, and looking them up may read a whole file again with the careful YAML reader.
 */
export function isCheckFailing(report: CheckReport, failOn: FailOn): boolean {
  return report.results.some((r) =>
    r.violations.some((v) => isFailing(SEVERITY_OF_ACTION[v.action], failOn)),
  );
}

/** `customs check` results in the shape every CI output format takes. */
export function toCheckFindings(report: CheckReport): FindingReport {
  const findings: Finding[] = report.results.flatMap((r) =>
    r.violations.map((v) => ({
      tool: "check" as const,
      ruleId: v.code,
      severity: SEVERITY_OF_ACTION[v.action],
      message: `${r.kind} ${r.namespace}/${r.name}: ${v.message}`,
      location: { path: r.source, line: lineOfViolation(r, v) },
      fingerprint: violationFingerprint(r, v),
      properties: violationProperties(v),
    })),
  );
  const codes = [...new Set(findings.map((f) => f.ruleId))].sort();
  const rules = codes.map((id) => ({
    id,
    name: id,
    severity: "high" as const,
    summary: VIOLATION_DESCRIPTIONS[id as Violation["code"]],
  }));
  return { tool: "check", findings, rules, scanned: { resources: report.summary.resources } };
}

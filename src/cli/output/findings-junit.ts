import { type FindingSummary, isFailing } from "../../core/findings/index.js";
import type { Finding, FindingReport } from "../../core/findings/types.js";
import { formatLocation } from "./findings-human.js";

// XML 1.0 forbids most control characters even as references: drop them, escape the rest.
const XML_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

export function escapeXml(s: string): string {
  return s
    .replace(XML_FORBIDDEN, "")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&apos;");
}

const SUITE_NAMES = {
  check: "customs check",
  dockerfile: "customs dockerfile lint",
  secrets: "customs secrets scan",
  vuln: "customs vuln diff",
} as const;

function testcase(tool: string, f: Finding, failing: boolean): string {
  const where = formatLocation(f.location);
  const name = escapeXml(`${f.ruleId}${where === "" ? "" : ` ${where}`}`);
  const classname = escapeXml(`customs.${tool}${f.location ? `.${f.location.path}` : ""}`);
  const body = escapeXml(`${f.message}${f.fix === undefined ? "" : `\nFix: ${f.fix}`}`);
  if (!failing) {
    // Below --fail-on: shown, but not a failed test (the command does not fail for it).
    return `    <testcase name="${name}" classname="${classname}"><system-out>${escapeXml(f.severity)}: ${body}</system-out></testcase>`;
  }
  return `    <testcase name="${name}" classname="${classname}"><failure type="${escapeXml(f.severity)}" message="${escapeXml(f.message)}">${body}</failure></testcase>`;
}

/**
 * JUnit XML as GitLab, Jenkins and Azure DevOps read it: one testsuite per tool, one
 * testcase per finding (a failure when at or above --fail-on), and one passing testcase for
 * a tool that found nothing, so a clean run still shows up as passed tests.
 */
export function toFindingsJunit(
  reports: readonly FindingReport[],
  summary: FindingSummary,
): string {
  const suites = reports.map((r) => {
    const cases = r.findings.map((f) => testcase(r.tool, f, isFailing(f.severity, summary.failOn)));
    const failures = r.findings.filter((f) => isFailing(f.severity, summary.failOn)).length;
    if (cases.length === 0) {
      cases.push(`    <testcase name="no findings" classname="customs.${r.tool}"/>`);
    }
    return [
      `  <testsuite name="${SUITE_NAMES[r.tool]}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0">`,
      ...cases,
      "  </testsuite>",
    ].join("\n");
  });
  const tests = reports.reduce((n, r) => n + Math.max(1, r.findings.length), 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="customs" tests="${tests}" failures="${summary.failing}" errors="0">`,
    ...suites,
    "</testsuites>",
    "",
  ].join("\n");
}

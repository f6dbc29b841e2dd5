import type { TestFileReport } from "../../app/policy-test/index.js";
import {
  type CaseOutcome,
  describeCase,
  formatActual,
  formatDiff,
  formatExpected,
  formatResourceId,
} from "../../core/policy-test/index.js";
import { escapeXml } from "./findings-junit.js";
import type { Style } from "./style.js";

export interface PolicyTestSummary {
  readonly files: number;
  readonly expectations: number;
  readonly passed: number;
  readonly failed: number;
  readonly unasserted: number;
}

export function summarizePolicyTests(reports: readonly TestFileReport[]): PolicyTestSummary {
  const all = reports.flatMap((r) => r.outcomes);
  const passed = all.filter((o) => o.passed).length;
  return {
    files: reports.length,
    expectations: all.length,
    passed,
    failed: all.length - passed,
    unasserted: reports.reduce((n, r) => n + r.unasserted.length, 0),
  };
}

function table(rows: readonly string[][]): string[] {
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  return rows.map((r) =>
    r
      .map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c] ?? 0)))
      .join("  ")
      .trimEnd(),
  );
}

/**
 * The table of every expectation, then a diff for each mismatch (with the decision's
 * messages), warnings for resources no expectation names, and a summary line.
 */
export function toPolicyTestHuman(reports: readonly TestFileReport[], style: Style): string {
  const header = ["FILE", "TEST", "RESOURCE", "POLICY", "EXPECTED", "ACTUAL", "RESULT"];
  const rows = reports.flatMap((r) =>
    r.outcomes.map((o) => {
      const e = o.expectation;
      const policy = e.policy ?? "(verdict)";
      return [
        r.file,
        r.name,
        formatResourceId(e.resource),
        e.container === undefined ? policy : `${policy} [${e.container}]`,
        formatExpected(e),
        formatActual(o),
        o.passed ? "pass" : "FAIL",
      ];
    }),
  );
  const lines = table([header, ...rows]).map((line, i) => {
    if (i === 0) return style.bold(line);
    return rows[i - 1]?.[6] === "FAIL" ? style.red(line) : line;
  });
  const out = [...lines, ""];
  for (const r of reports) {
    for (const o of r.outcomes.filter((x) => !x.passed)) out.push(formatDiff(r.file, o));
  }
  for (const r of reports) {
    for (const id of r.unasserted) {
      out.push(
        style.yellow(
          `warning: ${r.file}: ${formatResourceId(id)} is unasserted: no expectation names it`,
        ),
      );
    }
    for (const note of r.notes) out.push(`note: ${note}`);
  }
  const s = summarizePolicyTests(reports);
  const verdict = s.failed === 0 ? style.green("PASS") : style.red("FAIL");
  const unasserted = s.unasserted === 0 ? "" : `, ${s.unasserted} resources unasserted`;
  out.push(
    `${verdict}: ${s.expectations} expectations in ${s.files} test files: ${s.passed} passed, ${s.failed} failed${unasserted}`,
  );
  return `${out.join("\n")}\n`;
}

function outcomeJson(o: CaseOutcome) {
  const e = o.expectation;
  return {
    path: e.path,
    resource: formatResourceId(e.resource),
    ...(e.policy === undefined ? {} : { policy: e.policy }),
    ...(e.container === undefined ? {} : { container: e.container }),
    expected: e.result,
    ...(e.code === undefined ? {} : { code: e.code }),
    actual: o.actual,
    codes: o.codes,
    passed: o.passed,
    ...(o.note === undefined ? {} : { note: o.note }),
    messages: o.messages,
    exemptions: o.exemptions,
  };
}

export function toPolicyTestJson(reports: readonly TestFileReport[]) {
  return {
    summary: summarizePolicyTests(reports),
    tests: reports.map((r) => ({
      file: r.file,
      name: r.name,
      results: r.outcomes.map(outcomeJson),
      unasserted: r.unasserted.map(formatResourceId),
      notes: r.notes,
    })),
  };
}

/**
 * JUnit XML: one testsuite per test file, one testcase per expectation (a failure carries the
 * diff); unasserted resources are the suite's system-out, since they fail nothing.
 */
export function toPolicyTestJunit(reports: readonly TestFileReport[]): string {
  const s = summarizePolicyTests(reports);
  const suites = reports.map((r) => {
    const failures = r.outcomes.filter((o) => !o.passed).length;
    const classname = escapeXml(`customs.test.${r.name}`);
    const cases = r.outcomes.map((o) => {
      const name = escapeXml(describeCase(o.expectation));
      if (o.passed) return `    <testcase name="${name}" classname="${classname}"/>`;
      const message = escapeXml(
        `expected ${formatExpected(o.expectation)}, got ${formatActual(o)}`,
      );
      return `    <testcase name="${name}" classname="${classname}"><failure type="mismatch" message="${message}">${escapeXml(formatDiff(r.file, o))}</failure></testcase>`;
    });
    const unasserted = r.unasserted.map((id) => `unasserted: ${formatResourceId(id)}`);
    if (unasserted.length > 0) {
      cases.push(`    <system-out>${escapeXml(unasserted.join("\n"))}</system-out>`);
    }
    return [
      `  <testsuite name="${escapeXml(r.file)}" tests="${r.outcomes.length}" failures="${failures}" errors="0" skipped="0">`,
      ...cases,
      "  </testsuite>",
    ].join("\n");
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="customs test" tests="${s.expectations}" failures="${s.failed}" errors="0">`,
    ...suites,
    "</testsuites>",
    "",
  ].join("\n");
}

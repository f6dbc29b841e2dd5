import type { Reporter, TestModule } from "vitest/node";

/** How many of the slowest test files the closing lines name. */
const SLOWEST = 10;

/**
 * Prints plain closing lines after vitest's own summary, so that CI logs end with what any
 * tool can read: `tests: N passed, N failed, N skipped`, then the slowest test files, where
 * a suite's time goes (and where a test that waits for time instead of an event shows up).
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else skipped++;
      }
      if (module.state() === "failed" && module.children.size === 0) failed++;
    }
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
    process.stdout.write(slowestFiles(testModules, SLOWEST));
  }
}

/**
 * The `count` slowest files, slowest first, one a line: the time to import the file (and
 * what it imports) plus its tests and hooks, which is what a file costs a run.
 */
export function slowestFiles(testModules: ReadonlyArray<TestModule>, count: number): string {
  const timed = testModules
    .map((module) => {
      const d = module.diagnostic();
      return { name: module.relativeModuleId, ms: d.collectDuration + d.duration };
    })
    .sort((a, b) => b.ms - a.ms || a.name.localeCompare(b.name))
    .slice(0, count);
  if (timed.length === 0) return "";
  const width = Math.max(...timed.map((t) => seconds(t.ms).length));
  const lines = timed.map((t) => `  ${seconds(t.ms).padStart(width)}  ${t.name}`);
  return `slowest test files:\n${lines.join("\n")}\n`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

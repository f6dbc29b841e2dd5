import { describe, expect, it } from "vitest";
import type { CiContext, CiRunner } from "../../src/app/ci/index.js";
import { runCiChecks } from "../../src/app/ci/index.js";
import type { CiConfig } from "../../src/core/ci/index.js";
import { CustomsError } from "../../src/core/errors.js";
import type { FindingReport } from "../../src/core/findings/types.js";

const CONFIG: CiConfig = {};
const CONTEXT: CiContext = {
  registry: () => Promise.reject(new Error("no registry in this test")),
};

/**
 * A runner the test finishes by hand: `started` resolves when the check begins, and the check
 * ends with the report (or the error) the test hands to `finish`.
 */
function controlled(tool: string) {
  let begin: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    begin = resolve;
  });
  let settle: (outcome: FindingReport | Error | undefined) => void = () => {};
  const outcome = new Promise<FindingReport | Error | undefined>((resolve) => {
    settle = resolve;
  });
  const run: CiRunner = async () => {
    begin();
    const o = await outcome;
    if (o instanceof Error) throw o;
    return o;
  };
  const report: FindingReport = { tool, findings: [], rules: [] } as unknown as FindingReport;
  return { run, started, finish: settle, report };
}

describe("runCiChecks: checks at once, reports in a fixed order", () => {
  it("reports in the runners' order when they finish in reverse", async () => {
    const checks = ["manifests", "dockerfile", "secrets"].map(controlled);
    const running = runCiChecks(
      CONFIG,
      ".",
      checks.map((c) => c.run),
      CONTEXT,
    );
    // All three run at once: each has started before any has finished.
    await Promise.all(checks.map((c) => c.started));
    for (const c of [...checks].reverse()) c.finish(c.report);
    const reports = await running;
    expect(reports.map((r) => r.tool)).toEqual(["manifests", "dockerfile", "secrets"]);
  });

  it("a check with nothing configured is left out, as before", async () => {
    const [a, b] = [controlled("a"), controlled("b")];
    const running = runCiChecks(CONFIG, ".", [a.run, b.run], CONTEXT);
    await Promise.all([a.started, b.started]);
    b.finish(b.report);
    a.finish(undefined);
    expect((await running).map((r) => r.tool)).toEqual(["b"]);
  });

  it("the first failure in the runners' order is the error, whichever fails first", async () => {
    const checks = ["a", "b", "c"].map(controlled);
    const running = runCiChecks(
      CONFIG,
      ".",
      checks.map((c) => c.run),
      CONTEXT,
    );
    await Promise.all(checks.map((c) => c.started));
    const [a, b, c] = checks as [(typeof checks)[0], (typeof checks)[0], (typeof checks)[0]];
    c.finish(new CustomsError("FILE_UNREADABLE", "c: cannot read"));
    b.finish(new CustomsError("POLICY_INVALID", "b: bad policy"));
    a.finish(a.report);
    await expect(running).rejects.toThrow("b: bad policy");
  });

  it("after a failure no further check starts; the running ones finish", async () => {
    const checks = ["a", "b", "c"].map(controlled);
    let thirdStarted = false;
    const third: CiRunner = async () => {
      thirdStarted = true;
      return undefined;
    };
    const [a, b] = checks as [(typeof checks)[0], (typeof checks)[0]];
    const running = runCiChecks(CONFIG, ".", [a.run, b.run, third], CONTEXT, 2);
    await Promise.all([a.started, b.started]);
    a.finish(new CustomsError("FILE_UNREADABLE", "a: cannot read"));
    b.finish(b.report);
    await expect(running).rejects.toThrow("a: cannot read");
    expect(thirdStarted).toBe(false);
  });

  it("with one at a time the output is the sequential one", async () => {
    const order: string[] = [];
    const runner =
      (tool: string): CiRunner =>
      async () => {
        order.push(tool);
        return { tool, findings: [], rules: [] } as unknown as FindingReport;
      };
    const reports = await runCiChecks(CONFIG, ".", ["x", "y", "z"].map(runner), CONTEXT, 1);
    expect(order).toEqual(["x", "y", "z"]);
    expect(reports.map((r) => r.tool)).toEqual(order);
  });
});

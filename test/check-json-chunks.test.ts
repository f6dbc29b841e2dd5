/**
 * `customs check -o json` is written a piece at a time (checkJsonChunks); the pieces must make
 * exactly the text one JSON.stringify of the whole report makes.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CheckReport } from "../src/app/check/index.js";
import { checkJsonChunks, toCheckJson } from "../src/cli/output/check-json.js";

const text = fc.string({ unit: "binary", maxLength: 30 });

const violation = fc.record({
  policy: text,
  action: fc.constantFrom("deny", "warn", "audit"),
  container: text,
  containerType: fc.constantFrom("containers", "initContainers"),
  image: fc.option(text, { nil: undefined }),
  code: text,
  message: text,
});

const result = fc.record({
  apiVersion: text,
  kind: text,
  namespace: text,
  name: text,
  source: text,
  verdict: fc.constantFrom("allow", "warn", "deny"),
  violations: fc.array(violation, { maxLength: 3 }),
  exempted: fc.option(
    fc.array(
      fc.record({ policy: text, exception: text, expires: text, code: text, message: text }),
      { maxLength: 2 },
    ),
    { nil: undefined },
  ),
});

const report = fc
  .record({
    results: fc.array(result, { maxLength: 12 }),
    notes: fc.option(fc.array(text, { maxLength: 3 }), { nil: undefined }),
  })
  .map(
    ({ results, notes }) =>
      ({
        summary: { resources: results.length, denied: 0, warned: 0, allowed: results.length },
        results,
        ...(notes === undefined ? {} : { notes }),
      }) as unknown as CheckReport,
  );

describe("-o json in pieces", () => {
  it("makes the same text as one JSON.stringify of the report", () => {
    fc.assert(
      fc.property(report, (r) => {
        expect([...checkJsonChunks(r)].join("")).toBe(
          `${JSON.stringify(toCheckJson(r), null, 2)}\n`,
        );
      }),
      { numRuns: 500 },
    );
  });

  it("keeps each piece near 64 KB, whatever the report's size", () => {
    const one = fc.sample(result, { numRuns: 1, seed: 3 })[0];
    const big = {
      summary: { resources: 5000, denied: 0, warned: 0, allowed: 5000 },
      results: Array.from({ length: 5000 }, () => one),
    } as unknown as CheckReport;
    const chunks = [...checkJsonChunks(big)];
    expect(chunks.length).toBeGreaterThan(5);
    for (const c of chunks) expect(c.length).toBeLessThan(64 * 1024 + 10_000);
    expect(chunks.join("")).toBe(`${JSON.stringify(toCheckJson(big), null, 2)}\n`);
  });
});

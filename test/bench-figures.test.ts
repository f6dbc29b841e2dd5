/**
 * bench/figures.ts: the check that makes `npm run bench` fail when a recorded figure no longer
 * reproduces on the same machine. No timing here: figures are given, as a run would find them.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Figures,
  figuresLine,
  noiseBand,
  readFigures,
  regressions,
} from "../bench/figures.js";

const M = "AMD EPYC, 2 cores, 24 GiB, node 20";
const at = (value: number, better: "higher" | "lower" = "lower", band = 0.25): Figures => ({
  machine: M,
  figures: { f: { value, better, band } },
});

describe("bench figures", () => {
  it.each([
    ["lower is better, 30% slower", at(1.0), at(1.3), ["f"]],
    ["lower is better, 20% slower (inside the band)", at(1.0), at(1.2), []],
    ["lower is better, faster", at(1.0), at(0.2), []],
    ["higher is better, 40% fewer", at(100, "higher"), at(60, "higher"), ["f"]],
    ["higher is better, more", at(100, "higher"), at(500, "higher"), []],
    ["a line-number re-parse: 1.4 s to 9.6 s", at(1.4), at(9.6), ["f"]],
  ])("%s", (_name, recorded, now, expected) => {
    expect(regressions(recorded, now).map((r) => r.name)).toEqual(expected);
  });

  it("compares nothing on another machine, or with nothing recorded", () => {
    expect(regressions({ ...at(1.0), machine: "other" }, at(9.0))).toEqual([]);
    expect(regressions(undefined, at(9.0))).toEqual([]);
  });

  it("says how much worse, against which band", () => {
    expect(regressions(at(2.0, "lower", 0.3), at(3.0))).toEqual([
      { name: "f", recorded: 2.0, measured: 3.0, worse: 0.5, band: 0.3 },
    ]);
  });

  it("reads back the line it writes, within a section", () => {
    const figures = fc.record({
      machine: fc.string({ maxLength: 40 }),
      figures: fc.dictionary(
        fc.string({ minLength: 1, maxLength: 20 }),
        fc.record({
          value: fc.double({ min: 0.001, max: 1e9, noNaN: true }),
          better: fc.constantFrom("higher" as const, "lower" as const),
          band: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
      ),
    });
    fc.assert(
      fc.property(figures, (f) => {
        const section = `## CLI\n\nsome text <!-- not figures -->\n${figuresLine(f)}\n`;
        expect(readFigures(section)).toEqual(f);
      }),
    );
    expect(readFigures("## CLI\n\nno figures\n")).toBeUndefined();
    expect(readFigures("## CLI\n<!-- figures {broken -->\n")).toBeUndefined();
  });

  it.each([
    [[1.0, 1.0, 1.0], 0.25, 0.25],
    [[1.0, 1.2, 1.4], 0.25, 0.67],
    [[2.0], 0.25, 0.25],
  ])("noise band of %j (floor %d) is %d", (runs, floor, band) => {
    expect(noiseBand(runs, floor)).toBe(band);
  });
});

import { describe, expect, it } from "vitest";
import type { TestModule } from "vitest/node";
import { slowestFiles } from "./support/summary-reporter.js";

/** What the reporter reads of a test module: its name and its timings. */
const module = (name: string, collectDuration: number, duration: number) =>
  ({
    relativeModuleId: name,
    diagnostic: () => ({ collectDuration, duration }),
  }) as unknown as TestModule;

describe("the slowest test files in CI's output", () => {
  it("names the slowest files first, import and tests counted, cut at the count", () => {
    const modules = [
      module("test/a.test.ts", 100, 400),
      module("test/b.test.ts", 50, 12_000),
      module("test/c.test.ts", 900, 1_000),
      module("test/d.test.ts", 0, 20),
    ];
    expect(slowestFiles(modules, 3)).toBe(
      "slowest test files:\n" +
        "  12.1 s  test/b.test.ts\n" +
        "   1.9 s  test/c.test.ts\n" +
        "   0.5 s  test/a.test.ts\n",
    );
  });

  it("prints nothing when no file ran", () => {
    expect(slowestFiles([], 10)).toBe("");
  });
});

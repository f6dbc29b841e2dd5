import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SUPPLY_RECIPES, toDurationMs, toExpiryMs } from "../../src/core/policy/index.js";
import { validate } from "./support.js";

const fieldNames = fc.constantFrom(
  "authorities",
  "count",
  "requireTransparencyLog",
  "builders",
  "sourceRepositories",
  "requireCommit",
  "requireSbom",
  "labels",
  "annotations",
  "maxAge",
  "rules",
  "severity",
  "fixableOnly",
  "allowlist",
  "maxReportAge",
  "missingReport",
  "name",
  "key",
  "keyless",
  "regExp",
);
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.string(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.constantFrom("(?=x)", "a.*", "*", "90d", "2026-01-01", "critical"),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(fieldNames, tie("value"), { maxKeys: 4 }),
  ),
})).value;

describe("supply-chain validation properties", () => {
  it("never throws; an invalid input always has an error with a field path", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SUPPLY_RECIPES),
        fc.dictionary(fieldNames, json),
        (recipe, input) => {
          const r = validate({ recipe, input });
          if (r.kind === "invalid") {
            const errors = r.issues.filter((i) => i.severity === "error");
            expect(errors.length).toBeGreaterThan(0);
            for (const e of errors) expect(e.path).toMatch(/^spec(\.|$)/);
          } else {
            expect(r.kind).toBe("ImagePolicy");
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("durations: a whole number and a unit, nothing else", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 999_999 }),
        fc.constantFrom("s", "m", "h", "d", "w"),
        (n, unit) => {
          const unitMs = { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 }[unit];
          expect(toDurationMs(`${n}${unit}`)).toBe(n * unitMs);
        },
      ),
    );
    fc.assert(
      fc.property(fc.string(), (s) => {
        const ms = toDurationMs(s);
        if (ms !== undefined) expect(s).toMatch(/^[1-9][0-9]*[smhdw]$/);
      }),
    );
  });

  it("a bare date expires at the next midnight UTC", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("2000-01-01"), max: new Date("2099-12-31"), noInvalidDate: true }),
        (d) => {
          const day = d.toISOString().slice(0, 10);
          expect(toExpiryMs(day)).toBe(Date.parse(`${day}T00:00:00Z`) + 86_400_000);
          expect(toExpiryMs(d.toISOString())).toBe(d.getTime());
        },
      ),
    );
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type LabelRow,
  type SelectorDocument,
  toSelector,
  toSelectorRows,
} from "../../console/src/lib/selector.js";
import { type LabelSelector, matchesSelector } from "../../src/core/policy/index.js";

const rows = (include: LabelRow[], exclude: LabelRow[] = []) => ({ include, exclude, extra: [] });
const row = (key: string, value = ""): LabelRow => ({ key, value });

describe("include/exclude rows → LabelSelector", () => {
  it.each<[string, ReturnType<typeof rows>, SelectorDocument | undefined]>([
    ["no rows: every namespace", rows([]), undefined],
    ["blank rows are ignored", rows([row(" ")], [row("")]), undefined],
    [
      "include key=value → matchLabels",
      rows([row("env", "prod")]),
      { matchLabels: { env: "prod" } },
    ],
    [
      "include key only → Exists",
      rows([row("team")]),
      { matchExpressions: [{ key: "team", operator: "Exists" }] },
    ],
    [
      "exclude key=value → NotIn, values of one key merged",
      rows([], [row("tier", "dev"), row("tier", "sandbox"), row("tier", "dev")]),
      { matchExpressions: [{ key: "tier", operator: "NotIn", values: ["dev", "sandbox"] }] },
    ],
    [
      "exclude key only → DoesNotExist",
      rows([], [row("legacy")]),
      { matchExpressions: [{ key: "legacy", operator: "DoesNotExist" }] },
    ],
    [
      "exclude key only wins over values of the same key",
      rows([], [row("tier", "dev"), row("tier")]),
      { matchExpressions: [{ key: "tier", operator: "DoesNotExist" }] },
    ],
    [
      "keys and values are trimmed",
      rows([row(" env ", " prod ")]),
      { matchLabels: { env: "prod" } },
    ],
  ])("%s", (_name, input, expected) => {
    expect(toSelector(input)).toEqual(expected);
  });
});

describe("LabelSelector → rows", () => {
  it("shows what the tables can show and keeps the rest", () => {
    const selector = {
      matchLabels: { env: "prod" },
      matchExpressions: [
        { key: "team", operator: "Exists" },
        { key: "zone", operator: "In", values: ["a"] },
        { key: "region", operator: "In", values: ["eu", "us"] },
        { key: "tier", operator: "NotIn", values: ["dev", "sandbox"] },
        { key: "legacy", operator: "DoesNotExist" },
        { key: "x", operator: "NotIn", values: ["1"] },
        { key: "x", operator: "DoesNotExist" },
      ],
    };
    expect(toSelectorRows(selector)).toEqual({
      include: [row("env", "prod"), row("team"), row("zone", "a")],
      exclude: [row("tier", "dev"), row("tier", "sandbox"), row("legacy")],
      extra: [
        { key: "region", operator: "In", values: ["eu", "us"] },
        { key: "x", operator: "NotIn", values: ["1"] },
        { key: "x", operator: "DoesNotExist" },
      ],
    });
  });

  it.each([undefined, null, "env=prod", [], { matchExpressions: "x" }])("tolerates %j", (value) => {
    expect(toSelectorRows(value)).toEqual({ include: [], exclude: [], extra: [] });
  });
});

const KEYS = ["env", "team", "tier"];
const VALUES = ["", "a", "b"];
const rowArb = fc.record({ key: fc.constantFrom(...KEYS), value: fc.constantFrom(...VALUES) });
const labelsArb = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom("a", "b", "c"));

/** What the two tables promise, said directly. */
function intended(include: LabelRow[], exclude: LabelRow[], labels: Record<string, string>) {
  const has = (r: LabelRow) =>
    Object.hasOwn(labels, r.key) && (r.value === "" || labels[r.key] === r.value);
  return include.every(has) && !exclude.some(has);
}

function toCoreSelector(doc: SelectorDocument | undefined): LabelSelector {
  return {
    matchLabels: doc?.matchLabels ?? {},
    matchExpressions: (doc?.matchExpressions ?? []).map((e) => ({ ...e, values: e.values ?? [] })),
  };
}

describe("properties", () => {
  it("the selector selects exactly the namespaces the rows describe (core's matcher)", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(rowArb, { selector: (r) => r.key, maxLength: 3 }),
        fc.array(rowArb, { maxLength: 4 }),
        labelsArb,
        (include, exclude, labels) => {
          const selector = toCoreSelector(toSelector(rows(include, exclude)));
          expect(matchesSelector(selector, labels)).toBe(intended(include, exclude, labels));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("rows → selector → rows → selector is stable", () => {
    fc.assert(
      fc.property(
        fc.array(rowArb, { maxLength: 3 }),
        fc.array(rowArb, { maxLength: 4 }),
        (i, e) => {
          const once = toSelector(rows(i, e));
          expect(toSelector(toSelectorRows(once))).toEqual(once);
        },
      ),
    );
  });
});

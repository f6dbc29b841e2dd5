import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { appendOlder, mergeOnTop, takeNewer } from "../../console/src/lib/audit-merge.js";

describe("audit log refresh", () => {
  const e = (...ids: number[]) => ids.map((id) => ({ id }));
  it.each<[string, number[], number[], number[], boolean]>([
    ["nothing shown yet", [], [3, 2, 1], [3, 2, 1], false],
    ["two new ones", [3, 2, 1], [5, 4, 3], [5, 4], false],
    ["none new", [3, 2], [3, 2, 1], [], false],
    ["a whole page new: maybe more between", [2, 1], [6, 5, 4], [6, 5, 4], true],
    ["an empty page", [2, 1], [], [], false],
  ])("%s", (_, shown, fresh, newer, gap) => {
    expect(takeNewer(e(...shown), e(...fresh))).toEqual({ newer: e(...newer), gap });
  });

  it("keeps loaded pages and never shows an entry twice", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat(50)), fc.uniqueArray(fc.nat(50)), (a, b) => {
        const shown = e(...a);
        const top = mergeOnTop(e(...b), shown);
        expect(top.slice(top.length - shown.length)).toEqual(shown);
        expect(new Set(top.map((x) => x.id)).size).toBe(top.length);
        const below = appendOlder(shown, e(...b));
        expect(below.slice(0, shown.length)).toEqual(shown);
        expect(new Set(below.map((x) => x.id)).size).toBe(below.length);
      }),
    );
  });
});

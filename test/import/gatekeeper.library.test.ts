/**
 * Gatekeeper's own library constraints (open-policy-agent/gatekeeper-library, see
 * test/fixtures/import/gatekeeper/SOURCE.md) imported with `customs import gatekeeper` and
 * judged by the engine on the library's own samples: every case of each suite.yaml.
 */
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FIXTURES, importFiles, join, judge, readYaml } from "./library-support.js";

interface Assertion {
  violations?: "yes" | "no" | number;
  message?: string;
}
interface Suite {
  tests: {
    name: string;
    constraint: string;
    cases: { name: string; object: string; assertions: Assertion[] }[];
  }[];
}

const ROOT = join(FIXTURES, "gatekeeper");
const KINDS = readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

/**
 * The library's messages name the container list: "initContainer <x> …",
 * "ephemeralContainer <x> …", "container <x> …" (case-sensitive, so "container" is only
 * the containers list).
 */
const MESSAGE_TYPES: Record<string, string> = {
  container: "containers",
  initContainer: "initContainers",
  ephemeralContainer: "ephemeralContainers",
};

function expectCount(count: number, expected: "yes" | "no" | number): void {
  if (expected === "yes") expect(count).toBeGreaterThan(0);
  else if (expected === "no") expect(count).toBe(0);
  else expect(count).toBe(expected);
}

describe("Gatekeeper library constraints, imported, judged on the library's own samples", () => {
  it("covers the five image constraint kinds", () => {
    expect(KINDS).toEqual([
      "allowedrepos",
      "allowedreposv2",
      "disallowedrepos",
      "disallowedtags",
      "imagedigests",
    ]);
  });

  for (const kind of KINDS) {
    const suite = readYaml(join(ROOT, kind, "suite.yaml")) as Suite;
    for (const suiteTest of suite.tests) {
      const imported = importFiles("gatekeeper", [join(ROOT, kind, suiteTest.constraint)]);
      it(`${kind}/${suiteTest.name}: translates without leaving anything out`, () => {
        expect(imported.untranslated).toEqual([]);
        expect(imported.documents).toHaveLength(1);
      });
      for (const c of suiteTest.cases) {
        it(`${kind}/${suiteTest.name}/${c.name}: ${JSON.stringify(c.assertions)}`, () => {
          const { violations } = judge(imported, [join(ROOT, kind, c.object)]);
          for (const a of c.assertions) {
            const type = a.message === undefined ? undefined : MESSAGE_TYPES[a.message];
            if (a.message !== undefined) expect(type).toBeDefined();
            const count = violations.filter(
              (v) => type === undefined || v.containerType === type,
            ).length;
            // gator reads an assertion without `violations` as "yes".
            expectCount(count, a.violations ?? "yes");
          }
        });
      }
    }
  }
});

/**
 * Kyverno's own library policies (kyverno/policies, see test/fixtures/import/kyverno/SOURCE.md)
 * imported with `customs import kyverno` and judged by the engine on Kyverno's own test
 * resources: every result of each `.kyverno-test/kyverno-test.yaml` is compared.
 */
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { docsIn, FIXTURES, importFiles, join, judge, readYaml } from "./library-support.js";

interface KyvernoResult {
  policy: string;
  rule?: string;
  kind: string;
  resources: string[];
  result: "pass" | "fail" | "skip";
}

const ROOT = join(FIXTURES, "kyverno");
const POLICY_DIRS = readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => readdirSync(join(ROOT, d.name)).map((p) => `${d.name}/${p}`))
  .sort();

/** Library policies Customs cannot express, each with the reason it must list. */
const UNTRANSLATED: Record<string, RegExp> = {
  // Registries read at admission from a ConfigMap and a Namespace annotation.
  "other/advanced-restrict-image-registries": /reads context/,
  // Kyverno's `images` context: the image's last path element, not an image string.
  "other/allowed-image-repos": /only \{\{ element\.image \}\} is translated/,
  // The same two, as CEL: registries from params/namespaceObject, names from split().
  "other-cel/advanced-restrict-image-registries":
    /^CEL expression not recognized: variables\.allContainers\.all\(container, container\.image\.startsWith\(variables\.nsregistries\)/,
  "other-vpol/advanced-restrict-image-registries":
    /^CEL expression not recognized: variables\.allContainers\.all\(container, \( variables\.cmRegistries\.exists/,
  "other-vpol/allowed-image-repos":
    /^CEL expression not recognized: variables\.allContainers\.all\(container, variables\.allowedRepos\.exists/,
};

describe("Kyverno library policies, imported, judged on Kyverno's own test resources", () => {
  it("covers the library's image policies", () => {
    expect(POLICY_DIRS.length).toBe(17);
  });

  for (const dir of POLICY_DIRS) {
    const name = dir.split("/")[1] ?? dir;
    const policyFile = join(ROOT, dir, `${name}.yaml`);
    const imported = importFiles("kyverno", [policyFile]);

    const expected = UNTRANSLATED[dir];
    if (expected !== undefined) {
      it(`${dir}: is listed as untranslated, with its reason, and nothing is emitted`, () => {
        expect(imported.documents).toEqual([]);
        expect(imported.untranslated).toHaveLength(1);
        expect(imported.untranslated[0]?.reason).toMatch(expected);
      });
      continue;
    }

    it(`${dir}: translates without leaving anything out`, () => {
      expect(imported.untranslated).toEqual([]);
      expect(imported.documents.length).toBeGreaterThan(0);
    });

    const peerTest = readYaml(join(ROOT, dir, ".kyverno-test/kyverno-test.yaml")) as {
      resources: string[];
      results: KyvernoResult[];
    };
    const resourceFiles = peerTest.resources.map((r) => join(ROOT, dir, ".kyverno-test", r));
    const judged = judge(imported, resourceFiles);
    for (const entry of peerTest.results) {
      for (const ref of entry.resources) {
        const [ns, resName] = ref.includes("/") ? ref.split("/") : [undefined, ref];
        it(`${dir}: ${entry.kind}/${ref} ${entry.rule ?? ""} is ${entry.result}`, () => {
          const policies = new Set(
            imported.documents
              .filter(
                (d) =>
                  d.origin.name === entry.policy &&
                  (entry.rule === undefined || d.origin.rule === entry.rule),
              )
              .map((d) => (d.document.metadata as { name: string }).name),
          );
          expect(policies.size).toBeGreaterThan(0);
          expect(
            judged.resources.some(
              (r) =>
                r.kind === entry.kind &&
                r.name === resName &&
                (ns === undefined || r.namespace === ns),
            ),
          ).toBe(true);
          const failed = judged.violations.some(
            (v) =>
              v.kind === entry.kind &&
              v.name === resName &&
              (ns === undefined || v.namespace === ns) &&
              policies.has(v.policy),
          );
          expect(failed ? "fail" : "pass").toBe(entry.result);
        });
      }
    }
  }

  it("the resources hold the documents the results name", () => {
    const docs = docsIn(
      join(ROOT, "best-practices/restrict-image-registries/.kyverno-test/resource.yaml"),
    );
    expect(docs.length).toBeGreaterThan(0);
  });
});

/**
 * Runs the peers' own library tests through `customs import` and the engine: the helpers
 * shared by test/import/*.library.test.ts.
 */
import { readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { checkManifests } from "../../src/app/check/check.js";
import { loadPolicySet } from "../../src/app/documents/index.js";
import { importFromTexts } from "../../src/app/import/index.js";
import { toYamlStream } from "../../src/cli/commands/install.js";
import type { ImportFrom, ImportResult } from "../../src/core/import/index.js";
import { ROOT } from "../support/cli.js";

export const FIXTURES = join(ROOT, "test/fixtures/import");

export function read(path: string): string {
  return readFileSync(path, "utf8");
}

export function readYaml(path: string): unknown {
  return parse(read(path));
}

export function importFiles(from: ImportFrom, files: readonly string[]): ImportResult {
  return importFromTexts(
    from,
    files.map((f) => ({ source: relative(ROOT, f), text: read(f) })),
  );
}

export interface Violated {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly policy: string;
  readonly containerType: string;
  readonly image: string;
}

/** Every violation the engine finds in `resourceFiles` under the imported policies. */
export function judge(
  result: ImportResult,
  resourceFiles: readonly string[],
): {
  violations: Violated[];
  resources: { kind: string; namespace: string; name: string }[];
} {
  const text = toYamlStream(result.documents.map((d) => d.document));
  const { set } = loadPolicySet([{ source: "imported.yaml", text }]);
  const report = checkManifests(
    set,
    resourceFiles.map((f) => ({ source: relative(ROOT, f), text: read(f) })),
  );
  const violations: Violated[] = [];
  for (const r of report.results) {
    for (const v of r.violations) {
      violations.push({
        kind: r.kind,
        namespace: r.namespace,
        name: r.name,
        policy: v.policy,
        containerType: v.containerType,
        image: v.image,
      });
    }
  }
  return {
    violations,
    resources: report.results.map((r) => ({ kind: r.kind, namespace: r.namespace, name: r.name })),
  };
}

/** Does the engine find a violation of the imported policies in a Pod running `image`? */
export function customsRefuses(
  result: ImportResult,
  image: string,
  list: "containers" | "initContainers" = "containers",
  namespace = "default",
): boolean {
  const text = toYamlStream(result.documents.map((d) => d.document));
  const { set } = loadPolicySet([{ source: "imported.yaml", text }]);
  const others =
    list === "containers"
      ? ""
      : "\n  containers: [{name: main, image: 'registry.k8s.io/pause:3.9@sha256:7031c1b283388d2c2e09b57badb803c05ebed362dc88d84b480cc47f72a21097'}]";
  const pod = `apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ${namespace}}\nspec:\n  ${list}: [{name: c, image: ${JSON.stringify(image)}}]${others}\n`;
  const report = checkManifests(set, [{ source: "pod.yaml", text: pod }]);
  return report.results.some((r) => r.violations.some((v) => v.containerType === list));
}

export function docsIn(path: string): unknown[] {
  return parseAllDocuments(read(path)).map((d) => d.toJS());
}

export { dirname, join };

#!/usr/bin/env node
// Writes the chart's CRDs (deploy/helm/customs/crds/) from the builders `customs install`
// uses (src/adapters/install/crds.ts, compiled to dist/ by `npm run build`), so both install
// the same schema. test/helm-chart.test.ts fails when they drift: run this after changing
// crds.ts.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const { buildImagePolicyCrd, buildImagePolicyExceptionCrd, buildWorkspaceCrd } = await import(
  join(root, "dist/adapters/install/crds.js")
);
const header =
  "# Generated from src/adapters/install/crds.ts by scripts/helm/gen-crds.mjs; do not edit.\n";
for (const crd of [buildImagePolicyCrd(), buildWorkspaceCrd(), buildImagePolicyExceptionCrd()]) {
  const file = join(root, "deploy/helm/customs/crds", `${crd.metadata.name}.yaml`);
  writeFileSync(file, `${header}${stringify(crd, { lineWidth: 0 })}`);
  process.stdout.write(`${file}\n`);
}

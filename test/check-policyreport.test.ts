import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { checkManifests } from "../src/app/check/check.js";
import { loadPolicySet } from "../src/app/documents/policies.js";
import { checkOutput } from "../src/cli/commands/check.js";
import { createStyle } from "../src/cli/output/style.js";
import { crdChecker } from "./support/crd-schema.js";
import { CHART } from "./support/helm.js";

const POLICIES = `apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: {name: digest}
spec: {recipe: require-digest}
---
apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: {name: latest}
spec: {recipe: block-latest-tag, action: warn}
---
apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: {name: only-b}
spec: {recipe: require-digest, namespace: team-b}
`;

const MANIFESTS = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: team-a}
spec:
  template:
    spec:
      containers: [{name: app, image: "nginx:latest"}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: backup, namespace: team-a}
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: b, image: "busybox@sha256:${"a".repeat(64)}"}]
`;

const crd = parseAllDocuments(
  readFileSync(join(CHART, "crds/policyreports.wgpolicyk8s.io.yaml"), "utf8"),
)
  .map((d) => d.toJS())
  .find((d) => d?.kind === "CustomResourceDefinition");
const check = crdChecker({
  ...crd,
  spec: {
    ...crd.spec,
    versions: crd.spec.versions.filter((v: { name: string }) => v.name === "v1alpha2"),
  },
});

describe("customs check -o policyreport", () => {
  const { set } = loadPolicySet([{ source: "policies.yaml", text: POLICIES }]);
  const report = checkManifests(set, [{ source: "k8s.yaml", text: MANIFESTS }]);
  const out = checkOutput("policyreport", report, "high", createStyle(process.stdout), false);
  const docs = parseAllDocuments(out.text).map((d) => d.toJS());

  it("keeps check's exit status (1: something is denied)", () => {
    expect(out.exitCode).toBe(
      checkOutput("json", report, "high", createStyle(process.stdout), false).exitCode,
    );
    expect(out.exitCode).toBe(1);
  });

  it("writes one valid PolicyReport per workload, a result per applicable policy", () => {
    expect(docs.map((d) => d.metadata.name)).toEqual([
      "customs-deployment-web",
      "customs-cronjob-backup",
    ]);
    for (const d of docs) expect(check(d)).toEqual({ ok: true, errors: [] });
    const [web, backup] = docs;
    expect(web.scope).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: "web",
      namespace: "team-a",
    });
    expect(web.summary).toEqual({ pass: 0, fail: 1, warn: 1, error: 0, skip: 0 });
    expect(
      web.results.map((r: { policy: string; result: string }) => [r.policy, r.result]),
    ).toEqual([
      ["digest", "fail"],
      ["latest", "warn"],
    ]);
    expect(backup.scope.apiVersion).toBe("batch/v1");
    expect(backup.summary).toEqual({ pass: 2, fail: 0, warn: 0, error: 0, skip: 0 });
  });
});

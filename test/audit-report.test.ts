import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import {
  type AuditResult,
  auditResults,
  buildPolicyReport,
  judgeWorkload,
  policyReportName,
  reportFingerprint,
  SUPPLY_NOT_CACHED,
  toInventoryResult,
} from "../src/core/audit/index.js";
import { createEvaluator, toNamespaceFacts } from "../src/core/evaluate/index.js";
import { extractResources } from "../src/core/workload/index.js";
import { crdChecker } from "./support/crd-schema.js";
import { CHART } from "./support/helm.js";
import { compileDocs, exceptionDoc, policyDoc } from "./support/policies.js";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 7, 5, 0, 0, 123);

function deployment(image: string, name = "web", namespace = "team-a") {
  const doc = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace },
    spec: {
      template: {
        spec: { containers: [{ name: "app", image }], initContainers: [{ name: "init", image }] },
      },
    },
  };
  const w = extractResources(doc).workloads[0];
  if (w === undefined) throw new Error("no workload");
  return w;
}

const set = compileDocs(
  policyDoc("corp-only", {
    recipe: "custom",
    input: { rules: [{ hostname: "corp.example", imageName: "**" }] },
  }),
  policyDoc("no-latest", { recipe: "block-latest-tag", action: "warn" }),
  policyDoc("digest-audit", { recipe: "require-digest", action: "audit" }),
  policyDoc("prod-only", {
    recipe: "require-digest",
    namespaceSelector: { matchLabels: { env: "prod" } },
  }),
);
const evaluator = createEvaluator(set);
const ns = toNamespaceFacts("team-a");

describe("judgeWorkload: one result per applicable policy", () => {
  it("deny violations fail, warn and audit ones warn, the rest pass; selectors leave policies out", () => {
    const results = judgeWorkload(evaluator, ns, deployment("docker.io/library/nginx:latest"));
    expect(results.map((r) => [r.policy, r.result, r.code])).toEqual([
      ["corp-only", "fail", "IMAGE_NOT_ALLOWED"],
      ["no-latest", "warn", "LATEST_TAG_BLOCKED"],
      ["digest-audit", "warn", "DIGEST_REQUIRED"],
    ]);
    const failed = results[0] as AuditResult;
    expect(failed.violations).toBe(2);
    expect(failed.image).toBe("docker.io/library/nginx:latest");
    expect(failed.message).toContain('container "app"');
    expect(failed.message).toContain('container "init"');
  });

  it("a compliant workload passes every applicable policy", () => {
    const image = `corp.example/web:1.2@sha256:${"a".repeat(64)}`;
    const results = judgeWorkload(
      evaluator,
      toNamespaceFacts("p", { env: "prod" }),
      deployment(image),
    );
    expect(results.map((r) => [r.policy, r.result])).toEqual([
      ["corp-only", "pass"],
      ["no-latest", "pass"],
      ["digest-audit", "pass"],
      ["prod-only", "pass"],
    ]);
    expect(results.every((r) => r.code === undefined && r.message === undefined)).toBe(true);
  });

  it("no applicable policy: no results", () => {
    const scoped = createEvaluator(
      compileDocs(policyDoc("p", { recipe: "require-digest", namespace: "x" })),
    );
    expect(judgeWorkload(scoped, ns, deployment("nginx"))).toEqual([]);
  });

  it("supply-chain policies without cached facts are skipped, with the reason", () => {
    const e = createEvaluator(compileDocs(policyDoc("root", { recipe: "non-root-user" })));
    const results = judgeWorkload(e, ns, deployment("corp.example/web:1"));
    expect(results).toEqual([
      { policy: "root", result: "skip", message: SUPPLY_NOT_CACHED, action: "deny", violations: 0 },
    ]);
  });

  it("an exempted violation passes and names its exception", () => {
    const e = createEvaluator(
      compileDocs(
        policyDoc("digest", { recipe: "require-digest" }),
        exceptionDoc("legacy", {
          policies: ["digest"],
          namespace: "team-a",
          images: ["docker.io/library/nginx:*"],
          expires: "2027-01-31",
          reason: "legacy app",
          owner: "team-a@example.com",
        }),
      ),
      undefined,
      { now: () => NOW },
    );
    const [r] = judgeWorkload(e, ns, deployment("nginx:1.27"));
    expect(r).toMatchObject({ policy: "digest", result: "pass" });
    expect(r?.message).toContain('"legacy"');
  });
});

describe("auditResults", () => {
  const v = (action: "deny" | "warn" | "audit", container: string) => ({
    policy: "p",
    action,
    scope: "organization",
    container,
    containerType: "containers" as const,
    image: `${container}:1`,
    normalizedImage: "",
    code: "DIGEST_REQUIRED" as const,
    message: `m-${container}`,
  });

  it("the worst violation leads; more than three messages are counted", () => {
    const [r] = auditResults([{ name: "p", action: "deny" }], {
      verdict: "deny",
      violations: [v("warn", "a"), v("deny", "b"), v("warn", "c"), v("warn", "d"), v("warn", "e")],
    });
    expect(r).toMatchObject({ result: "fail", container: "b", image: "b:1", violations: 5 });
    expect(r?.message).toBe("m-b; m-a; m-c; and 2 more");
    expect(toInventoryResult(r as AuditResult)).not.toHaveProperty("action");
  });

  it("the result is fail exactly when some violation's action is deny", () => {
    const action = fc.constantFrom("deny" as const, "warn" as const, "audit" as const);
    fc.assert(
      fc.property(fc.array(action, { maxLength: 6 }), (actions) => {
        const [r] = auditResults([{ name: "p", action: "warn" }], {
          verdict: "allow",
          violations: actions.map((a, i) => v(a, `c${i}`)),
        });
        const expected = actions.length === 0 ? "pass" : actions.includes("deny") ? "fail" : "warn";
        expect(r?.result).toBe(expected);
      }),
    );
  });
});

const crdFile = (name: string) => {
  const crd = parseAllDocuments(readFileSync(join(CHART, "crds", name), "utf8"))
    .map((d) => d.toJS())
    .find((d) => d?.kind === "CustomResourceDefinition");
  // The checker reads the first version: keep only v1alpha2, the one Customs writes.
  return {
    ...crd,
    spec: {
      ...crd.spec,
      versions: crd.spec.versions.filter((x: { name: string }) => x.name === "v1alpha2"),
    },
  };
};

describe("buildPolicyReport", () => {
  const check = crdChecker(crdFile("policyreports.wgpolicyk8s.io.yaml"));

  it("writes the wgpolicyk8s.io/v1alpha2 shape Kyverno writes, valid against the CRD", () => {
    const results = judgeWorkload(evaluator, ns, deployment("nginx:latest"));
    const report = buildPolicyReport(
      { namespace: "team-a", kind: "Deployment", name: "web", uid: "u-1", results },
      NOW,
    );
    expect(check(report)).toEqual({ ok: true, errors: [] });
    expect(report.metadata).toEqual({
      name: "customs-deployment-web",
      namespace: "team-a",
      labels: { "app.kubernetes.io/managed-by": "customs", "customs.dev/owner-kind": "Deployment" },
    });
    expect(report.scope).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: "web",
      namespace: "team-a",
      uid: "u-1",
    });
    expect(report.summary).toEqual({ pass: 0, fail: 1, warn: 2, error: 0, skip: 0 });
    expect(report.results[0]).toMatchObject({
      source: "customs",
      policy: "corp-only",
      rule: "IMAGE_NOT_ALLOWED",
      result: "fail",
      severity: "high",
      category: "Image policy",
      timestamp: { seconds: Math.floor(NOW / 1000), nanos: 123_000_000 },
      resources: [report.scope],
      properties: {
        image: "nginx:latest",
        container: "app",
        code: "IMAGE_NOT_ALLOWED",
        violations: "2",
      },
    });
    expect(report.results.map((r) => r.severity)).toEqual(["high", "medium", "low"]);
  });

  it("every generated report is valid against the CRD, and its summary counts its results", () => {
    const result = fc.record({
      policy: fc.string({ minLength: 1, maxLength: 20 }),
      result: fc.constantFrom("pass" as const, "fail" as const, "warn" as const, "skip" as const),
      action: fc.constantFrom("deny" as const, "warn" as const, "audit" as const),
      violations: fc.nat(4),
      code: fc.option(fc.constantFrom("DIGEST_REQUIRED", "LATEST_TAG_BLOCKED"), { nil: undefined }),
      image: fc.option(fc.string(), { nil: undefined }),
      message: fc.option(fc.string(), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.constantFrom("Deployment" as const, "CronJob" as const, "Pod" as const),
        fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,300}[a-z0-9])?$/),
        fc.array(result, { maxLength: 5 }),
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        (kind, name, results, now) => {
          const clean = results.map((r) =>
            Object.fromEntries(Object.entries(r).filter(([, x]) => x !== undefined)),
          ) as unknown as AuditResult[];
          const report = buildPolicyReport({ namespace: "ns", kind, name, results: clean }, now);
          expect(check(report).errors).toEqual([]);
          const s = report.summary;
          expect(s.pass + s.fail + s.warn + s.skip + s.error).toBe(results.length);
          expect(report.metadata.name.length).toBeLessThanOrEqual(253);
          expect(report.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
        },
      ),
    );
  });

  it("long names keep a stable, distinct hash suffix", () => {
    const a = policyReportName("Deployment", "a".repeat(250));
    const b = policyReportName("Deployment", `${"a".repeat(249)}b`);
    expect(a.length).toBe(253);
    expect(a).not.toBe(b);
    expect(policyReportName("Deployment", "a".repeat(250))).toBe(a);
  });

  it("the fingerprint ignores timestamps only", () => {
    const results = judgeWorkload(evaluator, ns, deployment("nginx:latest"));
    const w = { namespace: "team-a", kind: "Deployment" as const, name: "web", results };
    expect(reportFingerprint(buildPolicyReport(w, NOW))).toBe(
      reportFingerprint(buildPolicyReport(w, NOW + DAY)),
    );
    const fixed = judgeWorkload(evaluator, ns, deployment("corp.example/web:1"));
    expect(reportFingerprint(buildPolicyReport({ ...w, results: fixed }, NOW))).not.toBe(
      reportFingerprint(buildPolicyReport(w, NOW)),
    );
  });
});

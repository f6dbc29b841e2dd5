/** ImagePolicyExceptions at admission: the audit annotation, and `/validate` of exceptions. */
import { describe, expect, it } from "vitest";
import { handleAdmission } from "../src/app/webhook/admission.js";
import { NamespaceCache } from "../src/app/webhook/namespaces.js";
import { handlePolicyAdmission } from "../src/app/webhook/policy-admission.js";
import { createEvaluator } from "../src/core/evaluate/index.js";
import { deployment, review } from "./support/admission.js";
import { compileDocs, exceptionDoc, policyDoc } from "./support/policies.js";

const NOW = Date.UTC(2027, 0, 10);

const evaluator = createEvaluator(
  compileDocs(
    policyDoc("corp-only", {
      recipe: "custom",
      input: { rules: [{ hostname: "registry.corp.example" }] },
    }),
    policyDoc("no-latest", { recipe: "block-latest-tag", action: "warn" }),
    exceptionDoc("legacy-busybox", {
      policies: ["*"],
      images: ["docker.io/library/busybox:*"],
      reason: "vendor image",
      owner: "team-a",
      expires: "2027-01-31",
    }),
    exceptionDoc("old-nginx", {
      policies: ["corp-only"],
      namespace: "default",
      workloads: [{ kind: "Deployment", name: "web-*" }],
      reason: "migration",
      owner: "team-b",
      expires: "2027-01-01",
    }),
  ),
  undefined,
  { now: () => NOW },
);

function response(body: unknown) {
  const out = handleAdmission(JSON.stringify(body), evaluator, new NamespaceCache());
  expect(out.status).toBe(200);
  return (out.body as unknown as { response: Record<string, unknown> }).response;
}

describe("admission with exceptions", () => {
  it("admits an exempted workload and names the exception and the policies it relaxed", () => {
    const r = response(review(deployment("legacy", ["busybox"])));
    expect(r.allowed).toBe(true);
    expect(r.warnings).toBeUndefined();
    expect(r.auditAnnotations).toEqual({ exceptions: "legacy-busybox (corp-only, no-latest)" });
  });

  it("keeps denying what no exception covers, and says which were used", () => {
    const r = response(review(deployment("mixed", ["busybox:1", "nginx:1"])));
    expect(r.allowed).toBe(false);
    expect(r.auditAnnotations).toEqual({ exceptions: "legacy-busybox (corp-only)" });
  });

  it("an expired exception exempts nothing and leaves no annotation", () => {
    const r = response(review(deployment("web-1", ["nginx:1"])));
    expect(r.allowed).toBe(false);
    expect(r.auditAnnotations).toBeUndefined();
  });
});

const exceptionReview = (object: unknown) =>
  JSON.stringify({
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: "u1",
      kind: { group: "customs.dev", version: "v1alpha1", kind: "ImagePolicyException" },
      resource: { group: "customs.dev", version: "v1alpha1", resource: "imagepolicyexceptions" },
      name: "e",
      operation: "CREATE",
      object,
    },
  });

describe("/validate of ImagePolicyExceptions", () => {
  it("refuses an invalid exception with its field paths", () => {
    const doc = exceptionDoc("e", {
      policies: ["*", "x"],
      images: ["busybox"],
      owner: "o",
      expires: "2027-02-30",
    });
    const out = handlePolicyAdmission(exceptionReview(doc), NOW);
    expect(out?.response?.allowed).toBe(false);
    const message = out?.response?.status?.message ?? "";
    expect(message).toMatch(/^POLICY_INVALID: Customs refuses ImagePolicyException "e": /);
    for (const path of ["spec.policies:", "spec.images[0]:", "spec.reason:", "spec.expires:"]) {
      expect(message).toContain(path);
    }
  });

  it("admits a valid one and warns when it expires soon", () => {
    const doc = exceptionDoc("e", {
      policies: ["p"],
      images: ["*"],
      reason: "r",
      owner: "o",
      expires: "2027-01-15",
    });
    const out = handlePolicyAdmission(exceptionReview(doc), NOW);
    expect(out?.response?.allowed).toBe(true);
    expect(out?.response?.warnings).toEqual([
      expect.stringMatching(/^ImagePolicyException e: spec\.expires: .*LINT_EXCEPTION_EXPIRING/),
    ]);
  });
});

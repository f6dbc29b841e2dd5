/** `/validate` for Customs' own resources: the validator's verdict, with field paths. */
import { describe, expect, it } from "vitest";
import { handlePolicyAdmission } from "../src/app/webhook/policy-admission.js";

const review = (kind: string, operation: string, object: unknown) =>
  JSON.stringify({
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: "u1",
      kind: { group: "customs.dev", version: "v1alpha1", kind },
      resource: { group: "customs.dev", version: "v1alpha1", resource: "imagepolicies" },
      name: "p",
      operation,
      object,
    },
  });
const policy = (spec: unknown) => ({
  apiVersion: "customs.dev/v1alpha1",
  kind: "ImagePolicy",
  metadata: { name: "p" },
  spec,
});
const NOW = Date.UTC(2026, 0, 1);

describe("handlePolicyAdmission", () => {
  it("refuses an invalid ImagePolicy with every error and its field path", () => {
    const spec = {
      recipe: "custom",
      input: { rules: [{ hostname: "registry.mycorp.local:5000", port: "50x0" }] },
    };
    const out = handlePolicyAdmission(review("ImagePolicy", "CREATE", policy(spec)), NOW);
    expect(out?.response).toMatchObject({ uid: "u1", allowed: false, status: { code: 422 } });
    const message = out?.response?.status?.message ?? "";
    expect(message).toMatch(/^POLICY_INVALID: Customs refuses ImagePolicy "p": /);
    expect(message).toContain("spec.input.rules[0].hostname: ");
    expect(message).toContain("spec.input.rules[0].port: ");
  });

  it("admits a valid policy and passes lint warnings on", () => {
    const spec = { recipe: "custom", input: { rules: [{ imageName: "*" }] } };
    const out = handlePolicyAdmission(review("ImagePolicy", "UPDATE", policy(spec)), NOW);
    expect(out?.response?.allowed).toBe(true);
    expect(out?.response?.warnings?.[0]).toMatch(/^ImagePolicy p: spec\.input\.rules\[0\]/);
  });

  it("checks Workspaces too", () => {
    const ws = {
      apiVersion: "customs.dev/v1alpha1",
      kind: "Workspace",
      metadata: { name: "w" },
      spec: { namespaces: ["A"] },
    };
    const out = handlePolicyAdmission(review("Workspace", "CREATE", ws), NOW);
    expect(out?.response?.allowed).toBe(false);
    expect(out?.response?.status?.message).toContain("spec.namespaces[0]");
  });

  it("leaves every other review to the workload path", () => {
    const pod = review("Pod", "CREATE", { kind: "Pod" }).replaceAll('"customs.dev"', '""');
    expect(handlePolicyAdmission(pod, NOW)).toBeUndefined();
    expect(handlePolicyAdmission("not json", NOW)).toBeUndefined();
  });
});

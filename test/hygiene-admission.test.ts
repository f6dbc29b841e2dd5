import { describe, expect, it } from "vitest";
import { handleAdmission } from "../src/app/webhook/admission.js";
import { NamespaceCache } from "../src/app/webhook/namespaces.js";
import { createEvaluator } from "../src/core/evaluate/index.js";
import { review } from "./support/admission.js";
import { compileDocs, policyDoc } from "./support/policies.js";

const evaluator = createEvaluator(
  compileDocs(
    policyDoc("pull-always", { recipe: "require-pull-policy" }),
    policyDoc("corp-secret", {
      recipe: "require-pull-secret",
      input: { rules: [{ hostname: "registry.corp.example" }] },
    }),
  ),
);

function decide(spec: Record<string, unknown>): { allowed: boolean; message: string } {
  const object = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "a" }, spec };
  const out = handleAdmission(JSON.stringify(review(object)), evaluator, new NamespaceCache());
  expect(out.status).toBe(200);
  const r = (
    out.body as unknown as { response: { allowed: boolean; status?: { message: string } } }
  ).response;
  return { allowed: r.allowed, message: r.status?.message ?? "" };
}

describe("the webhook decides the image hygiene recipes on the Pod it is sent", () => {
  it("reads each container's imagePullPolicy (as the API server defaulted it)", () => {
    const c = (imagePullPolicy: string) => ({
      containers: [{ name: "app", image: "registry.corp.example/app:1.2", imagePullPolicy }],
      imagePullSecrets: [{ name: "corp" }],
    });
    expect(decide(c("Always")).allowed).toBe(true);
    const refused = decide(c("IfNotPresent"));
    expect(refused.allowed).toBe(false);
    expect(refused.message).toContain("imagePullPolicy is IfNotPresent");
  });

  it("counts the pull secrets the Pod carries (its ServiceAccount's are merged in by then)", () => {
    const spec = (secrets: string[]) => ({
      containers: [
        { name: "app", image: "registry.corp.example/app:1.2", imagePullPolicy: "Always" },
      ],
      ...(secrets.length > 0 ? { imagePullSecrets: secrets.map((name) => ({ name })) } : {}),
    });
    expect(decide(spec(["from-account"])).allowed).toBe(true);
    const refused = decide(spec([]));
    expect(refused.allowed).toBe(false);
    expect(refused.message).toContain("need an imagePullSecret");
  });
});

import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { desiredVap } from "../src/app/agent/vap.js";
import { matchesSelector, validateDocument } from "../src/core/policy/index.js";
import { customsInProcess, tempFiles } from "./support/cli.js";
import { policyDoc } from "./support/policies.js";

// Rendered objects are walked freely here; their shapes are asserted field by field.
// biome-ignore lint/suspicious/noExplicitAny: test-only access to nested manifest fields
type Obj = Record<string, any>;

/** An organization-wide policy that refuses everything not from registry.corp. */
const corpOnly = policyDoc("corp-only", {
  recipe: "custom",
  input: { rules: [{ hostname: "registry.corp" }] },
});

/** Would the API server run this binding's policy for a request in namespace `ns`? */
function selects(binding: Obj, ns: string): boolean {
  const s = binding.spec.matchResources.namespaceSelector;
  return matchesSelector(
    { matchLabels: s.matchLabels ?? {}, matchExpressions: s.matchExpressions ?? [] },
    { "kubernetes.io/metadata.name": ns },
  );
}

async function compileVap(...extra: string[]): Promise<Obj> {
  const files = tempFiles({ "p.yaml": stringify(corpOnly) });
  try {
    const r = await customsInProcess(["compile", "vap", "-p", files.dir, "-o", "json", ...extra]);
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout).items.find(
      (o: Obj) => o.kind === "ValidatingAdmissionPolicyBinding",
    );
  } finally {
    files.cleanup();
  }
}

describe("native policies exempt the webhook's namespaces", () => {
  it("by default an organization-wide policy leaves kube-system and customs-system alone", async () => {
    // Without it, `kubectl create deployment coredns -n kube-system
    // --image=registry.k8s.io/coredns/coredns:v1.12.0` and Customs' own rollout are refused.
    const binding = await compileVap();
    expect(binding.spec.matchResources.namespaceSelector.matchExpressions).toEqual([
      {
        key: "kubernetes.io/metadata.name",
        operator: "NotIn",
        values: ["kube-system", "customs-system"],
      },
    ]);
    expect(selects(binding, "kube-system")).toBe(false);
    expect(selects(binding, "customs-system")).toBe(false);
    expect(selects(binding, "default")).toBe(true);
  });

  it("--exempt-namespace replaces the defaults; --no-exempt-namespaces exempts none", async () => {
    const given = await compileVap(
      "--exempt-namespace",
      "infra",
      "--exempt-namespace",
      "kube-system",
    );
    expect(selects(given, "infra")).toBe(false);
    expect(selects(given, "kube-system")).toBe(false);
    expect(selects(given, "customs-system")).toBe(true);
    const none = await compileVap("--no-exempt-namespaces");
    expect(none.spec.matchResources.namespaceSelector).toEqual({});
    expect(selects(none, "kube-system")).toBe(true);
  });

  it("refuses an exempt namespace that is no namespace name", async () => {
    const files = tempFiles({ "p.yaml": stringify(corpOnly) });
    const r = await customsInProcess([
      "compile",
      "vap",
      "-p",
      files.dir,
      "--exempt-namespace",
      "Bad_NS",
    ]);
    files.cleanup();
    expect(r.status).toBe(2);
  });

  it("a namespace-scoped policy keeps its scope and the exemption", async () => {
    const scoped = policyDoc("team", {
      namespace: "kube-system",
      recipe: "block-latest-tag",
    });
    const files = tempFiles({ "p.yaml": stringify(scoped) });
    const r = await customsInProcess(["compile", "vap", "-p", files.dir, "-o", "json"]);
    files.cleanup();
    const binding = JSON.parse(r.stdout).items[1];
    // The exemption wins: kube-system stays outside the native policies, as for the webhook.
    expect(selects(binding, "kube-system")).toBe(false);
    expect(selects(binding, "default")).toBe(false);
  });

  it("the agent's --vap bindings use the same list", () => {
    const doc = validateDocument(corpOnly);
    if (doc.kind !== "ImagePolicy") throw new Error("invalid test policy");
    const desired = desiredVap([doc.policy], [], "c1", ["kube-system", "customs-system"]);
    const binding = desired.bindings[0] as Obj;
    expect(selects(binding as Obj, "kube-system")).toBe(false);
    expect(selects(binding as Obj, "customs-system")).toBe(false);
    expect(selects(binding as Obj, "apps")).toBe(true);
  });
});

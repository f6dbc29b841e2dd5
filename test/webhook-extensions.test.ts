/**
 * The webhook's --from-cluster source and extensions (docs/policy-language.md, "Widening an
 * allowlist"): an extension the set refuses is left out and marked not Ready with its field
 * path, like any invalid policy; its parent and the other policies stay in force.
 */
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../src/adapters/kube/index.js";
import { readyCondition, validated } from "../src/app/webhook/cluster-source.js";
import type { PolicyIssue } from "../src/core/policy/index.js";

const object = (name: string, spec: Record<string, unknown>): KubeObject =>
  ({
    apiVersion: "customs.dev/v1alpha1",
    kind: "ImagePolicy",
    metadata: { name, generation: 1 },
    spec,
  }) as unknown as KubeObject;

const corp = (extensible: boolean) =>
  object("corp", { recipe: "custom", extensible, input: { rules: [{ hostname: "a.example" }] } });
const ext = object("team-a", {
  namespace: "team-a",
  extends: "corp",
  input: { rules: [{ hostname: "b.example" }] },
});

function run(objects: KubeObject[]) {
  const invalid: [string, readonly PolicyIssue[]][] = [];
  const status = new Map<string, ReturnType<typeof readyCondition>>();
  const r = validated(objects, { onInvalid: (n, i) => invalid.push([n, i]) }, (o, issues) =>
    status.set(o.metadata.name, readyCondition(o, issues)),
  );
  return { ...r, reported: invalid, status };
}

describe("extensions in the cluster source", () => {
  it("keeps a valid extension in force and marks both Ready", () => {
    const r = run([corp(true), ext]);
    expect(r.policies.map((p) => p.name)).toEqual(["corp", "team-a"]);
    expect(r.invalid).toEqual([]);
    expect(r.status.get("team-a")?.status).toBe("True");
  });

  it("leaves out an extension of a policy that is not extensible, with its field path", () => {
    const r = run([corp(false), ext]);
    expect(r.policies.map((p) => p.name)).toEqual(["corp"]);
    expect(r.invalid).toEqual(["ImagePolicy/team-a"]);
    expect(r.reported.map(([n, i]) => [n, i.map((x) => x.path)])).toEqual([
      ["team-a", ["spec.extends"]],
    ]);
    const ready = r.status.get("team-a");
    expect(ready?.status).toBe("False");
    expect(ready?.message).toContain("spec.extends: corp is not extensible");
    expect(r.status.get("corp")?.status).toBe("True");
  });

  it("leaves out an extension whose parent is missing", () => {
    const r = run([ext]);
    expect(r.policies).toEqual([]);
    expect(r.status.get("team-a")?.message).toContain('no ImagePolicy "corp"');
  });
});

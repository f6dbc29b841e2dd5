import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildVap, type KubeLabelSelector } from "../src/adapters/vap/index.js";
import { toNamespaceFacts } from "../src/core/evaluate/index.js";
import {
  caseArb,
  engineApplies,
  namespaceSelectorOf,
  pullPolicyCaseArb,
  scopeCaseArb,
  versionCaseArb,
} from "./fixtures/vap/arbitraries.js";
import {
  admission,
  containersOf,
  enginePasses,
  type PodSpec,
  runVap,
  specOf,
} from "./vap-corpus.js";

const NUM_RUNS = Number(process.env.VAP_PROPERTY_RUNS ?? 1500);

const ns = toNamespaceFacts("default");

describe("property: the VAP decides every image as the engine does", () => {
  it(`random policies x random images (${NUM_RUNS} policies, up to 6 images each)`, () => {
    let checked = 0;
    fc.assert(
      fc.property(caseArb, ([policy, images]) => {
        fc.pre(policy !== undefined);
        if (policy === undefined) return;
        const spec = specOf(buildVap(policy, []).policy);
        let all = true;
        for (const image of images) {
          const pod: PodSpec = { containers: [{ name: "c", image }] };
          const expected = enginePasses(policy, containersOf(pod), ns);
          const r = runVap(spec, admission("Pod", pod));
          expect(r.error).toBeUndefined();
          expect({ image, allowed: r.allowed }).toEqual({ image, allowed: expected });
          all &&= expected;
          checked++;
        }
        // The same images in one workload, spread over the container types.
        const types = ["containers", "initContainers", "ephemeralContainers"] as const;
        const pod: PodSpec = {};
        images.forEach((image, i) => {
          const type = types[i % 3] ?? "containers";
          pod[type] = [...(pod[type] ?? []), { name: `c${i}`, image }];
        });
        expect(runVap(spec, admission("Deployment", pod)).allowed).toBe(all);
      }),
      { numRuns: NUM_RUNS },
    );
    expect(checked).toBeGreaterThan(NUM_RUNS);
  });
});

// ---- scope -----------------------------------------------------------------------------------

/** Kubernetes LabelSelector semantics, written independently of the engine's. */
function selects(selector: KubeLabelSelector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {}))
    if (labels[k] !== v) return false;
  for (const r of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, r.key);
    const value = labels[r.key] ?? "";
    const ok =
      r.operator === "In"
        ? has && (r.values ?? []).includes(value)
        : r.operator === "NotIn"
          ? !has || !(r.values ?? []).includes(value)
          : r.operator === "Exists"
            ? has
            : !has;
    if (!ok) return false;
  }
  return true;
}

describe("property: the bindings select the namespaces the engine applies the policy to", () => {
  it("scopes, workspaces (labels and lists, CLUSTER/NAME), selectors and the cluster option", () => {
    fc.assert(
      fc.property(scopeCaseArb, (c) => {
        fc.pre(c.policy !== undefined);
        if (c.policy === undefined) return;
        const { bindings } = buildVap(
          c.policy,
          c.workspaces,
          c.cluster === undefined ? {} : { cluster: c.cluster },
        );
        for (const n of c.namespaces) {
          const labels = { ...n.labels, "kubernetes.io/metadata.name": n.name };
          const selected = bindings.filter((b) => selects(namespaceSelectorOf(b), labels));
          expect(selected.length > 0).toBe(engineApplies(c, n));
          // Never two bindings for one namespace: a failure is reported once.
          expect(selected.length).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe("property: require-pull-policy decides every container as the engine does", () => {
  it("random images x pull policies x immutableTags", () => {
    fc.assert(
      fc.property(pullPolicyCaseArb, ([policy, containers]) => {
        fc.pre(policy !== undefined);
        if (policy === undefined) return;
        const spec = specOf(buildVap(policy, []).policy);
        const pod: PodSpec = { containers };
        const expected = enginePasses(policy, containersOf(pod), ns);
        const r = runVap(spec, admission("Pod", pod));
        expect(r.error).toBeUndefined();
        expect({ containers, allowed: r.allowed }).toEqual({ containers, allowed: expected });
      }),
      { numRuns: Math.max(200, Math.floor(NUM_RUNS / 3)) },
    );
  });
});

describe("property: minimum-version orders versions in CEL as the engine does", () => {
  it("random minimums x random version-like tags", () => {
    let decided = 0;
    fc.assert(
      fc.property(versionCaseArb, ([policy, image]) => {
        fc.pre(policy !== undefined);
        if (policy === undefined) return;
        const spec = specOf(buildVap(policy, []).policy);
        const pod: PodSpec = { containers: [{ name: "c", image }] };
        const expected = enginePasses(policy, containersOf(pod), ns);
        const r = runVap(spec, admission("Pod", pod));
        expect(r.error).toBeUndefined();
        expect({ image, allowed: r.allowed }).toEqual({ image, allowed: expected });
        decided++;
      }),
      { numRuns: Math.max(300, NUM_RUNS) },
    );
    expect(decided).toBeGreaterThan(100);
  });
});

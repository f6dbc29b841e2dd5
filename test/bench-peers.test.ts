/**
 * The peers benchmark's workloads, policies and output readers (bench/peers-generate.ts,
 * bench/peers-parse.ts): its verdict comparison is only meaningful if the generator's record
 * of why it made each image agrees with what the Customs engine decides, if the YAML and the
 * JSON List hold the same workloads, and if each tool's output is read into the right counts.
 */

import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CUSTOMS_NAMES,
  customsPolicies,
  expectedCounts,
  gatorConstraints,
  generateWorkloads,
  kyvernoPolicies,
  POLICIES,
  type PolicyKey,
  workloadsJsonList,
  workloadsYaml,
} from "../bench/peers-generate.js";
import { countPairs, customsPairs, gatorPairs, kyvernoPairs } from "../bench/peers-parse.js";
import { createEvaluator, toNamespaceFacts } from "../src/core/evaluate/index.js";
import { compilePolicySet, type ImagePolicy, validateDocument } from "../src/core/policy/index.js";

function customsSet() {
  const policies = customsPolicies()
    .split("\n---\n")
    .map((text) => {
      const r = validateDocument(JSON.parse(text));
      if (r.kind !== "ImagePolicy") throw new Error(JSON.stringify(r));
      return r.policy as ImagePolicy;
    });
  return compilePolicySet(policies, []);
}

describe("peers benchmark generator", () => {
  it("is deterministic for a seed and differs between seeds", () => {
    expect(workloadsYaml(generateWorkloads(300, 7))).toBe(workloadsYaml(generateWorkloads(300, 7)));
    expect(workloadsYaml(generateWorkloads(300, 7))).not.toBe(
      workloadsYaml(generateWorkloads(300, 8)),
    );
  });

  it("makes workloads of every kind and images of every case", () => {
    const ws = generateWorkloads(5000, 1);
    expect(new Set(ws.map((w) => w.kind))).toEqual(new Set(["Deployment", "Pod", "CronJob"]));
    const cases = new Set(
      ws.flatMap((w) => [...w.containers, ...w.initContainers].map((c) => c.case)),
    );
    expect(cases.size).toBe(7);
  });

  it("agrees with the Customs engine on which workloads each policy denies", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 }), (seed) => {
        const ws = generateWorkloads(400, seed);
        const evaluator = createEvaluator(customsSet());
        const pairs: Array<[string, string]> = [];
        for (const w of ws) {
          const ns = toNamespaceFacts(w.namespace);
          const containers = [
            ...w.containers.map((c) => ({
              container: c.name,
              containerType: "containers" as const,
              image: c.image,
            })),
            ...w.initContainers.map((c) => ({
              container: c.name,
              containerType: "initContainers" as const,
              image: c.image,
            })),
          ];
          for (const v of evaluator.evaluate(ns, containers).violations)
            pairs.push([v.policy, `${w.kind}/${w.namespace}/${w.name}`]);
        }
        const got = countPairs(pairs, CUSTOMS_NAMES);
        const want = expectedCounts(ws).customs;
        for (const p of POLICIES) expect(got[p]).toBe(want[p]);
      }),
      { numRuns: 10 },
    );
  });

  it("writes the same workloads as YAML and as a JSON List", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 2 ** 31 }),
        (n, seed) => {
          const ws = generateWorkloads(n, seed);
          const list = JSON.parse(workloadsJsonList(ws)) as {
            kind: string;
            items: Array<{ kind: string; metadata: { name: string } }>;
          };
          expect(list.kind).toBe("List");
          expect(list.items.map((i) => `${i.kind}/${i.metadata.name}`)).toEqual(
            ws.map((w) => `${w.kind}/${w.name}`),
          );
          const yaml = workloadsYaml(ws);
          expect(yaml.split("\n---\n").length + (yaml.startsWith("---\n") ? 0 : 1)).toBe(n);
          for (const w of ws)
            for (const c of [...w.containers, ...w.initContainers])
              expect(yaml).toContain(`image: "${c.image}"`);
        },
      ),
      { numRuns: 20 },
    );
  });

  it("expects the peers to differ from Customs only on block-latest", () => {
    const e = expectedCounts(generateWorkloads(10_000, 3));
    expect(e.kyverno.registries).toBe(e.customs.registries);
    expect(e.gator.digest).toBe(e.customs.digest);
    expect(e.kyverno.latest).toBeLessThan(e.gator.latest);
    expect(e.gator.latest).toBeLessThan(e.customs.latest);
  });

  it("uses the library's Kyverno policies in Enforce mode with the benchmark's registries", () => {
    const texts = kyvernoPolicies((p) => readFileSync(p, "utf8"));
    expect(texts).toHaveLength(3);
    for (const t of texts) {
      expect(t).toContain("validationFailureAction: Enforce");
      expect(t).not.toContain("validationFailureAction: Audit");
    }
    expect(texts[0]).toContain("registry.corp.example:5000/*");
    const gator = gatorConstraints()
      .split("\n---\n")
      .map((d) => JSON.parse(d) as { kind: string });
    expect(gator.map((d) => d.kind)).toEqual([
      "K8sAllowedRepos",
      "K8sDisallowedTags",
      "K8sImageDigests",
      "ExpansionTemplate",
      "ExpansionTemplate",
    ]);
  });
});

describe("peers benchmark output readers", () => {
  const names: Record<PolicyKey, string> = {
    registries: "r",
    latest: "l",
    digest: "d",
  };

  it.each([
    {
      tool: "customs",
      out: JSON.stringify({
        summary: {},
        results: [
          {
            kind: "Pod",
            namespace: "a",
            name: "x",
            violations: [{ policy: "l" }, { policy: "d" }, { policy: "d" }],
          },
          { kind: "Pod", namespace: "a", name: "y", verdict: "allow" },
          { kind: "CronJob", namespace: "b", name: "x", violations: [{ policy: "d" }] },
        ],
      }),
      read: customsPairs,
      want: { registries: 0, latest: 1, digest: 2, any: 2 },
    },
    {
      tool: "kyverno",
      out: [
        "",
        "Applying 6 policy rule(s) to 2 resource(s)...",
        "policy l -> resource a/Deployment/x failed:",
        "1. autogen-require-image-tag: validation error: An image tag is required. rule autogen-require-image-tag[0] failed at path /image/",
        "2. autogen-validate-image-tag: validation error: mutable tag",
        "",
        "policy r -> resource a/Pod/y failed:",
        "1. validate-registries: validation error: Unknown image registry.",
        "",
        "pass: 1, fail: 3, warn: 0, error: 0, skip: 0 ",
      ].join("\n"),
      read: kyvernoPairs,
      want: { registries: 1, latest: 1, digest: 0, any: 2 },
    },
    {
      tool: "gator",
      out: [
        'apps/v1/Deployment a/x: ["d"] Message: "[Implied by expand-deployments] container <app> uses an image without a digest <x:1>"',
        'apps/v1/Deployment a/x: ["d"] Message: "[Implied by expand-deployments] initContainer <m> uses an image without a digest <y:1>"',
        'v1/Pod b/x: ["l"] Message: "container <app> uses a disallowed tag <x:latest>; disallowed tags are [\\"latest\\"]"',
        "",
      ].join("\n"),
      read: gatorPairs,
      want: { registries: 0, latest: 1, digest: 1, any: 2 },
    },
  ])("reads $tool's output into denied workloads per policy", ({ out, read, want }) => {
    expect(countPairs(read(out), names)).toEqual(want);
  });

  it("refuses a policy it does not know rather than dropping it", () => {
    expect(() => countPairs([["other", "Pod/a/b"]], names)).toThrow(/unexpected policy/);
  });
});

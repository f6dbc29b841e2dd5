/**
 * Native policies of widened allowlists (docs/policy-language.md, "Widening an allowlist"):
 * the parent's CEL with each extension's rules guarded by a condition on `namespaceObject`
 * decides as the engine, offline (@bufbuild/cel) and in Kubernetes' own validator.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildVap, canCompileToVap } from "../src/adapters/vap/index.js";
import { desiredVap } from "../src/app/agent/vap.js";
import { createEvaluator, toNamespaceFacts } from "../src/core/evaluate/index.js";
import {
  checkExtensions,
  compilePolicySet,
  extensionsByParent,
  type ImagePolicy,
  type PolicyRule,
  type Workspace,
} from "../src/core/policy/index.js";
import { imageArb, policyArbFrom } from "./fixtures/vap/arbitraries.js";
import { oraclePath } from "./helpers/oracles.js";
import { admission, policyOf, runVap, specOf } from "./vap-corpus.js";

const workspaces: Workspace[] = [
  { name: "ws-list", namespaces: [{ cluster: undefined, name: "listed" }], origin: undefined },
];

const PARENTS: Record<string, Record<string, unknown>> = {
  organization: {
    recipe: "custom",
    extensible: true,
    input: { rules: [{ hostname: "registry.corp.example" }] },
  },
  workspace: {
    workspace: "ws-list",
    recipe: "custom",
    extensible: true,
    input: { rules: [{ hostname: "registry.corp.example", requireDigest: true }] },
  },
};

const EXTENSIONS: [string, Record<string, unknown>][] = [
  [
    "ext-ns",
    { namespace: "team-a", input: { rules: [{ hostname: "ghcr.io", imageName: "team-a/*" }] } },
  ],
  [
    "ext-ws",
    {
      workspace: "ws-list",
      namespaceSelector: {
        matchLabels: { tier: "web" },
        matchExpressions: [
          { key: "env", operator: "In", values: ["dev", "test"] },
          { key: "frozen", operator: "DoesNotExist" },
        ],
      },
      input: { rules: [{ hostname: "quay.io", tag: { value: "v*", negate: false } }] },
    },
  ],
  ["ext-other-cluster", { namespace: "c9/team-a", input: { rules: [{ hostname: "docker.io" }] } }],
  [
    "ext-notin",
    {
      namespace: "listed",
      namespaceSelector: {
        matchExpressions: [
          { key: "env", operator: "NotIn", values: ["prod"] },
          { key: "tier", operator: "Exists" },
        ],
      },
      input: { rules: [{ imageName: "library/*" }] },
    },
  ],
];

const NAMESPACES: [string, Record<string, string>][] = [
  ["team-a", {}],
  ["team-b", {}],
  ["listed", {}],
  ["listed", { tier: "web", env: "dev" }],
  ["listed", { tier: "web", env: "prod" }],
  ["x", { "customs.dev/workspace": "ws-list", tier: "web", env: "test" }],
  ["y", { "customs.dev/workspace": "ws-list", tier: "web", env: "test", frozen: "yes" }],
  ["z", { "customs.dev/workspace": "ws-list", tier: "db", env: "dev" }],
];

const IMAGES = [
  "registry.corp.example/app:1",
  `registry.corp.example/app@sha256:${"a".repeat(64)}`,
  "ghcr.io/team-a/app:1",
  "ghcr.io/team-b/app:1",
  "quay.io/x/y:v2",
  "quay.io/x/y:2",
  "nginx:1.27",
  "Not A Reference",
];

function setOf(parentSpec: Record<string, unknown>): {
  parent: ImagePolicy;
  extensions: ImagePolicy[];
  all: ImagePolicy[];
} {
  const parent = policyOf("corp", parentSpec);
  const raw = EXTENSIONS.map(([name, spec]) => policyOf(name, { ...spec, extends: "corp" }));
  const checked = checkExtensions([parent, ...raw]);
  const extensions = extensionsByParent(checked.policies).get("corp") ?? [];
  return { parent, extensions, all: checked.policies };
}

const nsObject = (name: string, labels: Record<string, string>) => ({
  metadata: { name, labels: { ...labels, "kubernetes.io/metadata.name": name } },
});

interface Row {
  scope: string;
  ns: string;
  labels: Record<string, string>;
  image: string;
  engine: boolean;
  input: ReturnType<typeof admission> & { namespaceObject: unknown };
}

/** Every (namespace, image) where the parent applies, with the engine's verdict. */
function rows(scope: string): { vap: Record<string, unknown>; rows: Row[] } {
  const { parent, extensions, all } = setOf(PARENTS[scope] ?? {});
  const vap = buildVap(parent, workspaces, { extensions }).policy;
  const evaluator = createEvaluator(compilePolicySet(all, workspaces));
  const out: Row[] = [];
  for (const [ns, labels] of NAMESPACES) {
    const facts = toNamespaceFacts(ns, labels);
    // The binding selects the namespaces the parent applies to (tested in vap.test.ts).
    if (evaluator.applicable(facts).length === 0) continue;
    for (const image of IMAGES) {
      const d = evaluator.evaluate(facts, [{ container: "c", containerType: "containers", image }]);
      const input = {
        ...admission("Pod", { containers: [{ name: "c", image }] }, undefined, ns),
        namespaceObject: nsObject(ns, labels),
      };
      out.push({ scope, ns, labels, image, engine: d.verdict === "allow", input });
    }
  }
  return { vap, rows: out };
}

const label = (r: Row) => `${r.scope} ${r.ns} ${JSON.stringify(r.labels)} ${r.image}`;

describe("a widened allowlist as a ValidatingAdmissionPolicy (offline CEL)", () => {
  it.each(Object.keys(PARENTS))("decides as the engine: %s parent", (scope) => {
    const { vap, rows: all } = rows(scope);
    const disagreements = all
      .map((r) => ({ r, v: runVap(specOf(vap), r.input) }))
      .filter(({ r, v }) => v.error !== undefined || v.allowed !== r.engine)
      .map(({ r, v }) => `${label(r)}: engine ${r.engine}, vap ${v.allowed} ${v.error ?? ""}`);
    expect(all.length).toBeGreaterThan(20);
    expect(all.some((r) => r.engine)).toBe(true);
    expect(disagreements).toEqual([]);
  });

  it("names the extensions that apply in its message, and only those", () => {
    const { parent, extensions } = setOf(PARENTS.organization ?? {});
    const vap = specOf(buildVap(parent, workspaces, { extensions }).policy);
    const input = (ns: string) => ({
      ...admission("Pod", { containers: [{ name: "c", image: "nginx" }] }, undefined, ns),
      namespaceObject: nsObject(ns, {}),
    });
    const inTeamA = runVap(vap, input("team-a"));
    expect(inTeamA.message).toContain(
      "; or, added by ext-ns (namespace team-a): hostname ghcr.io, image name team-a/*",
    );
    expect(inTeamA.message).not.toContain("ext-ws");
    expect(runVap(vap, input("team-b")).message).not.toContain("added by");
  });

  it("compiles a policy without extensions exactly as before", () => {
    const { parent } = setOf(PARENTS.organization ?? {});
    expect(buildVap(parent, workspaces, { extensions: [] })).toEqual(buildVap(parent, workspaces));
  });

  it("never compiles an extension on its own, and counts its rules in the cost check", () => {
    const { parent, extensions } = setOf(PARENTS.organization ?? {});
    const [ext] = extensions;
    if (ext === undefined) throw new Error("no extension");
    const alone = canCompileToVap(ext);
    expect(alone.ok).toBe(false);
    expect(alone.ok ? "" : alone.reasons.join()).toContain("compiled into corp's native policy");
    const long = policyOf("big", {
      namespace: "team-a",
      extends: "corp",
      input: {
        rules: Array.from({ length: 400 }, (_, i) => ({
          imageName: `team-${i}/*/very-long-name-*`,
        })),
      },
    });
    const check = canCompileToVap(parent, [long]);
    expect(check.ok).toBe(false);
    expect(check.ok ? "" : check.reasons.join()).toContain("with those of its extensions");
  });

  it("the agent compiles extensions into their parent and reports refused ones", () => {
    const { all } = setOf(PARENTS.organization ?? {});
    const orphan = policyOf("orphan", {
      namespace: "a",
      extends: "gone",
      input: { rules: [{ hostname: "x.example" }] },
    });
    const desired = desiredVap([...all, orphan], workspaces, "c1");
    expect(desired.policies.map((p) => p.metadata.name)).toEqual(["customs-corp"]);
    expect(desired.skipped.map((s) => s.policy)).toEqual(["orphan"]);
  });
});

const ORACLE = oraclePath("vap-k8s");

describe.skipIf(!existsSync(ORACLE))("a widened allowlist in Kubernetes' own VAP validator", () => {
  it.each(Object.keys(PARENTS))("compiles and decides as the engine: %s parent", (scope) => {
    const { vap, rows: all } = rows(scope);
    const cases = all.map((r) => ({
      policy: "p",
      kind: "Pod",
      operation: "CREATE",
      object: r.input.object,
      oldObject: null,
      namespace: { name: r.ns, labels: nsObject(r.ns, r.labels).metadata.labels },
    }));
    const out = JSON.parse(
      execFileSync(ORACLE, {
        input: JSON.stringify({ policies: { p: vap }, cases, selectors: [] }),
        maxBuffer: 1 << 28,
      }).toString(),
    ) as {
      compileErrors: Record<string, string[]>;
      results: { evaluation: string; message: string }[];
    };
    expect(out.compileErrors).toEqual({});
    const disagreements = out.results.flatMap((res, i) => {
      const r = all[i];
      if (r === undefined) return [];
      if (res.evaluation === "error") return [`${label(r)}: error ${res.message}`];
      if ((res.evaluation === "admit") !== r.engine)
        return [`${label(r)}: engine ${r.engine}, k8s ${res.evaluation}`];
      if (res.evaluation === "deny") {
        const offline = runVap(specOf(vap), r.input).message;
        if (offline !== res.message)
          return [`${label(r)}: messages differ: ${res.message} / ${offline}`];
      }
      return [];
    });
    expect(out.results).toHaveLength(cases.length);
    expect(disagreements).toEqual([]);
  }, 120_000);
});

/** A validated rule written back as a document: a tag in its `{values, negate}` form. */
function ruleDocument(r: PolicyRule): Record<string, unknown> {
  const { tag, ...rest } = r;
  return tag === undefined
    ? { ...rest }
    : { ...rest, tag: { values: tag.values, negate: tag.negate } };
}

describe("a widened allowlist as a ValidatingAdmissionPolicy (property)", () => {
  const allowlist = (images: fc.Arbitrary<string>) =>
    policyArbFrom(images).filter(
      (p): p is ImagePolicy =>
        p !== undefined && (p.recipe === "custom" || p.recipe === "allowed-name-tag"),
    );
  const extScope = fc.oneof(
    fc.constantFrom({ namespace: "team-a" }, { namespace: "team-b" }, { workspace: "ws-list" }),
    fc.record({
      workspace: fc.constant("ws-list"),
      namespaceSelector: fc.constant({
        matchExpressions: [{ key: "env", operator: "NotIn", values: ["prod"] }],
      }),
    }),
  );
  const nsArb = fc.record({
    name: fc.constantFrom("team-a", "team-b", "listed", "other"),
    labels: fc.record(
      {
        "customs.dev/workspace": fc.constantFrom("ws-list", "ws-x"),
        env: fc.constantFrom("prod", "dev"),
      },
      { requiredKeys: [] },
    ),
  });
  const caseOf = fc.array(imageArb, { minLength: 1, maxLength: 4 }).chain((images) =>
    fc.tuple(
      allowlist(fc.constantFrom(...images)),
      fc.array(fc.tuple(allowlist(fc.constantFrom(...images)), extScope), {
        minLength: 1,
        maxLength: 3,
      }),
      nsArb,
      fc.constant(images),
    ),
  );

  it("decides as the engine for random parents, extensions, namespaces and images", () => {
    fc.assert(
      fc.property(caseOf, ([parentRules, exts, ns, images]) => {
        const parent = policyOf("corp", {
          recipe: parentRules.recipe,
          extensible: true,
          input: { rules: parentRules.rules.map(ruleDocument) },
        });
        const raw = exts.map(([p, scope], i) =>
          policyOf(`ext-${i}`, {
            ...scope,
            extends: "corp",
            recipe: parentRules.recipe,
            input: {
              rules: p.recipe === parentRules.recipe ? p.rules.map(ruleDocument) : [{}],
            },
          }),
        );
        const checked = checkExtensions([parent, ...raw]);
        const extensions = extensionsByParent(checked.policies).get("corp") ?? [];
        const vap = specOf(buildVap(parent, workspaces, { extensions }).policy);
        const evaluator = createEvaluator(compilePolicySet(checked.policies, workspaces));
        const facts = toNamespaceFacts(ns.name, ns.labels);
        for (const image of images) {
          const engine = evaluator.evaluate(facts, [
            { container: "c", containerType: "containers", image },
          ]);
          const v = runVap(vap, {
            ...admission("Pod", { containers: [{ name: "c", image }] }, undefined, ns.name),
            namespaceObject: nsObject(ns.name, ns.labels),
          });
          expect(v.error).toBeUndefined();
          expect(v.allowed, `${ns.name} ${JSON.stringify(ns.labels)} ${image}`).toBe(
            engine.verdict === "allow",
          );
        }
      }),
      { numRuns: 150 },
    );
  });
});

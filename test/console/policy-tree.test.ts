import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildPolicyTree,
  evaluateNodePolicies,
  type PolicyLike,
  type ScopeFields,
  type TreeNode,
  toFocusTarget,
  toPath,
  toPolicyScope,
  toScopeLabel,
  toVisibleNodes,
} from "../../console/src/lib/policy-tree.js";

const policy = (name: string, spec: ScopeFields): PolicyLike => ({
  metadata: { name },
  spec,
});

const TREE = buildPolicyTree("default", [
  { name: "team-b", namespaces: [{ cluster: "prod", namespace: "api" }] },
  {
    name: "team-a",
    namespaces: [
      { cluster: "dev", namespace: "tanzu" },
      { cluster: "prod", namespace: "tanzu" },
    ],
  },
]);

const POLICIES = [
  policy("org", {}),
  policy("ws-a", { workspace: "team-a" }),
  policy("ws-b", { workspace: "team-b" }),
  policy("ns-any", { namespace: "tanzu" }),
  policy("ns-dev", { namespace: "dev/tanzu" }),
  policy("ns-other", { namespace: "staging/tanzu" }),
];

const names = (ps: readonly PolicyLike[]) => ps.map((p) => p.metadata.name);

describe("the policy tree", () => {
  it("puts the organization on top, workspaces and their namespaces sorted below", () => {
    expect(toVisibleNodes(TREE).map((n) => n.id)).toEqual([
      "organization",
      "workspace:team-a",
      "namespace:team-a:dev/tanzu",
      "namespace:team-a:prod/tanzu",
      "workspace:team-b",
      "namespace:team-b:prod/api",
    ]);
    expect(TREE.label).toBe("default");
  });

  it.each<[string, string[], [string, string[]][]]>([
    ["organization", ["org"], []],
    ["workspace:team-a", ["ws-a"], [["organization", ["org"]]]],
    [
      "namespace:team-a:dev/tanzu",
      ["ns-any", "ns-dev"],
      [
        ["organization", ["org"]],
        ["workspace:team-a", ["ws-a"]],
      ],
    ],
    [
      "namespace:team-a:prod/tanzu",
      ["ns-any"],
      [
        ["organization", ["org"]],
        ["workspace:team-a", ["ws-a"]],
      ],
    ],
    [
      "namespace:team-b:prod/api",
      [],
      [
        ["organization", ["org"]],
        ["workspace:team-b", ["ws-b"]],
      ],
    ],
  ])("%s: direct and inherited policies", (id, direct, inherited) => {
    const got = evaluateNodePolicies(toPath(TREE, id), POLICIES);
    expect(names(got.direct)).toEqual(direct);
    expect(got.inherited.map((g) => [g.from.id, names(g.policies)])).toEqual(inherited);
  });

  it("has nothing for a node that is not in the tree", () => {
    expect(toPath(TREE, "workspace:nope")).toEqual([]);
    expect(evaluateNodePolicies([], POLICIES)).toEqual({
      direct: [],
      inherited: [],
      notApplying: [],
      undecided: [],
    });
  });

  it.each<[ScopeFields, string]>([
    [{}, "Organization"],
    [{ workspace: "w" }, "Workspace w"],
    [{ namespace: "n" }, "Namespace n (all clusters)"],
    [{ namespace: "c/n" }, "Namespace c/n"],
  ])("scope of %j reads %s", (spec, label) => {
    expect(toScopeLabel(toPolicyScope(spec))).toBe(label);
  });

  it.each<[string, string, string | undefined]>([
    ["organization", "ArrowDown", "workspace:team-a"],
    ["organization", "ArrowUp", "organization"],
    ["workspace:team-a", "ArrowRight", "namespace:team-a:dev/tanzu"],
    ["namespace:team-a:prod/tanzu", "ArrowDown", "workspace:team-b"],
    ["namespace:team-a:prod/tanzu", "ArrowLeft", "workspace:team-a"],
    ["workspace:team-a", "ArrowLeft", "organization"],
    ["organization", "ArrowLeft", undefined],
    ["namespace:team-b:prod/api", "ArrowDown", "namespace:team-b:prod/api"],
    ["namespace:team-b:prod/api", "ArrowRight", undefined],
    ["workspace:team-b", "Home", "organization"],
    ["organization", "End", "namespace:team-b:prod/api"],
    ["organization", "a", undefined],
    ["nowhere", "ArrowDown", undefined],
  ])("from %s, %s moves to %s", (from, key, to) => {
    expect(toFocusTarget(TREE, from, key)).toBe(to);
  });
});

describe("direct and inherited, for any tree and policies", () => {
  const word = fc.constantFrom("a", "b", "c");
  const trees = fc
    .uniqueArray(
      fc.record({
        name: word,
        namespaces: fc.uniqueArray(fc.record({ cluster: word, namespace: word }), {
          selector: (a) => `${a.cluster}/${a.namespace}`,
          maxLength: 4,
        }),
      }),
      { selector: (w) => w.name, maxLength: 3 },
    )
    .map((ws) => buildPolicyTree("org", ws));
  const specs = fc.oneof(
    fc.constant({}),
    word.map((w) => ({ workspace: w })),
    word.map((n) => ({ namespace: n })),
    fc.tuple(word, word).map(([c, n]) => ({ namespace: `${c}/${n}` })),
  );
  const policiesArb = fc
    .array(specs, { maxLength: 8 })
    .map((ss) => ss.map((s, i) => policy(`p${i}`, s)));

  /** Whether `node` is where the policy's scope points (computed independently of the code). */
  const isScopeNode = (p: PolicyLike, node: TreeNode): boolean => {
    const s = p.spec as { workspace?: string; namespace?: string };
    if (s.workspace !== undefined) return node.id === `workspace:${s.workspace}`;
    if (s.namespace !== undefined) {
      if (node.ref.kind !== "namespace") return false;
      return s.namespace.includes("/")
        ? node.label === s.namespace
        : node.ref.namespace === s.namespace;
    }
    return node.id === "organization";
  };

  it("a policy is direct exactly at its scope's nodes, inherited below them, nowhere else", () => {
    fc.assert(
      fc.property(trees, policiesArb, (tree, policies) => {
        for (const node of toVisibleNodes(tree)) {
          const path = toPath(tree, node.id);
          const got = evaluateNodePolicies(path, policies);
          const inherited = got.inherited.flatMap((g) => g.policies);
          for (const p of policies) {
            const direct = got.direct.includes(p);
            expect(direct).toBe(isScopeNode(p, node));
            const above = path.slice(0, -1).some((a) => isScopeNode(p, a));
            expect(inherited.includes(p)).toBe(above);
            expect(direct && above).toBe(false);
          }
          for (const g of got.inherited) {
            expect(g.policies.every((p) => isScopeNode(p, g.from))).toBe(true);
          }
        }
      }),
    );
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildPolicyTree,
  evaluateNodePolicies,
  type PolicyLike,
  type ScopeFields,
  toPath,
} from "../../console/src/lib/policy-tree.js";
import {
  type ReportedCandidate,
  toDefaultPreviewNamespace,
} from "../../console/src/lib/preview-namespace.js";
import type { SelectorRequirement } from "../../console/src/lib/selector.js";
import {
  failingRequirements,
  type LabelSelector,
  readSelector,
  toMismatchReason,
  toNamespaceLabels,
  toSelectorText,
} from "../../console/src/lib/selector-match.js";
import { matchesSelector } from "../../src/core/policy/selector.js";

const policy = (name: string, spec: ScopeFields): PolicyLike => ({ metadata: { name }, spec });
const names = (ps: readonly PolicyLike[]) => ps.map((p) => p.metadata.name);

// team-a: payments (team=a), web (team=b), legacy (not reported by its agent yet).
const TREE = buildPolicyTree("default", [
  {
    name: "team-a",
    namespaces: [
      { cluster: "prod", namespace: "payments", labels: { team: "a", tier: "1" } },
      { cluster: "prod", namespace: "web", labels: { team: "b" } },
      { cluster: "prod", namespace: "legacy", labels: undefined },
    ],
  },
]);

const POLICIES = [
  policy("org-plain", {}),
  policy("org-tier", {
    namespaceSelector: { matchExpressions: [{ key: "tier", operator: "Exists" }] },
  }),
  policy("ws-team-a", { workspace: "team-a", namespaceSelector: { matchLabels: { team: "a" } } }),
  policy("ws-teams", {
    workspace: "team-a",
    namespaceSelector: { matchExpressions: [{ key: "team", operator: "In", values: ["a", "b"] }] },
  }),
  policy("ns-web-not-b", {
    namespace: "prod/web",
    namespaceSelector: { matchExpressions: [{ key: "team", operator: "NotIn", values: ["b"] }] },
  }),
  policy("by-name", {
    workspace: "team-a",
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "web" } },
  }),
];

describe("the policy tree applies namespace selectors", () => {
  it.each<[string, string[], string[], [string, string][], string[]]>([
    // node, direct, inherited (applying), not applying [policy, reason], undecided
    [
      "namespace:team-a:prod/payments",
      [],
      ["org-plain", "org-tier", "ws-team-a", "ws-teams"],
      [
        [
          "by-name",
          "namespace labels do not match selector kubernetes.io/metadata.name=web (it has kubernetes.io/metadata.name=payments)",
        ],
      ],
      [],
    ],
    [
      "namespace:team-a:prod/web",
      [],
      ["org-plain", "ws-teams", "by-name"],
      [
        ["org-tier", "namespace labels do not match selector tier (it has no label tier)"],
        ["ws-team-a", "namespace labels do not match selector team=a (it has team=b)"],
        ["ns-web-not-b", "namespace labels do not match selector team NotIn (b) (it has team=b)"],
      ],
      [],
    ],
    [
      "namespace:team-a:prod/legacy",
      [],
      ["org-plain"],
      [],
      ["org-tier", "ws-team-a", "ws-teams", "by-name"],
    ],
    // Above namespaces a selector narrows nothing yet: the workspace keeps its policies.
    ["workspace:team-a", ["ws-team-a", "ws-teams", "by-name"], ["org-plain", "org-tier"], [], []],
  ])("%s", (id, direct, inherited, notApplying, undecided) => {
    const got = evaluateNodePolicies(toPath(TREE, id), POLICIES);
    expect(names(got.direct)).toEqual(direct);
    expect(names(got.inherited.flatMap((g) => g.policies))).toEqual(inherited);
    expect(got.notApplying.map((x) => [x.policy.metadata.name, x.reason])).toEqual(notApplying);
    expect(names(got.undecided.map((x) => x.policy))).toEqual(undecided);
  });

  it("says where an excluded policy is assigned, and why an unreported namespace is undecided", () => {
    const web = evaluateNodePolicies(toPath(TREE, "namespace:team-a:prod/web"), POLICIES);
    expect(web.notApplying.map((x) => x.from.id)).toEqual([
      "organization",
      "workspace:team-a",
      "namespace:team-a:prod/web",
    ]);
    const legacy = evaluateNodePolicies(toPath(TREE, "namespace:team-a:prod/legacy"), POLICIES);
    expect(legacy.undecided[1]?.reason).toBe(
      "the namespace's labels are not reported yet; it applies only if they match selector team=a",
    );
  });
});

describe("selector text", () => {
  it.each<[unknown, string]>([
    [undefined, ""],
    [{}, ""],
    [{ matchLabels: { team: "a" } }, "team=a"],
    [
      {
        matchLabels: { env: "prod" },
        matchExpressions: [
          { key: "team", operator: "In", values: ["a", "b"] },
          { key: "zone", operator: "NotIn", values: ["x"] },
          { key: "pci", operator: "Exists" },
          { key: "legacy", operator: "DoesNotExist" },
        ],
      },
      "env=prod, team In (a, b), zone NotIn (x), pci, !legacy",
    ],
    [{ matchExpressions: [{ key: "k", operator: "Near", values: ["v"] }] }, "k Near (v)"],
  ])("%j reads %s", (raw, text) => {
    expect(toSelectorText(readSelector(raw))).toBe(text);
  });

  it("an operator the engine refuses matches nothing (fail closed)", () => {
    const selector = readSelector({ matchExpressions: [{ key: "k", operator: "Near" }] });
    expect(selector).toBeDefined();
    expect(toMismatchReason(selector as LabelSelector, { k: "v" })).toBe(
      "namespace labels do not match selector k Near () (it has k=v)",
    );
  });
});

describe("the console's selector matching is the engine's", () => {
  const key = fc.constantFrom("team", "env", "tier");
  const value = fc.constantFrom("a", "b", "c");
  const requirement: fc.Arbitrary<SelectorRequirement> = fc.oneof(
    fc.record({
      key,
      operator: fc.constantFrom("In" as const, "NotIn" as const),
      values: fc.uniqueArray(value, { minLength: 1, maxLength: 3 }),
    }),
    fc.record({ key, operator: fc.constantFrom("Exists" as const, "DoesNotExist" as const) }),
  );
  const selector = fc.record({
    matchLabels: fc.dictionary(key, value, { maxKeys: 2 }),
    matchExpressions: fc.array(requirement, { maxLength: 3 }),
  });
  const labels = fc.dictionary(key, value, { maxKeys: 3 });

  it("matches exactly when src/core/policy's matchesSelector does", () => {
    fc.assert(
      fc.property(selector, labels, (s, l) => {
        const engine = matchesSelector(
          {
            matchLabels: s.matchLabels,
            matchExpressions: s.matchExpressions.map((r) => ({
              key: r.key,
              operator: r.operator,
              values: [...(r.values ?? [])],
            })),
          },
          toNamespaceLabels("ns", l),
        );
        const console = failingRequirements(s, toNamespaceLabels("ns", l)).length === 0;
        expect(console).toBe(engine);
      }),
    );
  });
});

describe("the preview's default namespace", () => {
  const reported: ReportedCandidate[] = [
    { cluster: "prod", name: "web", labels: { team: "b" }, workspace: "team-a" },
    { cluster: "prod", name: "payments", labels: { team: "a" }, workspace: "team-a" },
    { cluster: "dev", name: "payments", labels: { team: "a" }, workspace: "team-b" },
    { cluster: "prod", name: "other", labels: {}, workspace: undefined },
  ];
  const doc = (spec: Record<string, unknown>) => ({ kind: "ImagePolicy", spec });

  it.each<[string, Record<string, unknown>, string | undefined]>([
    ["organization, no selector: the control plane's own", {}, undefined],
    [
      "organization with a selector: the first that matches",
      { namespaceSelector: { matchLabels: { team: "b" } } },
      "prod/web",
    ],
    ["workspace: its first attached namespace", { workspace: "team-a" }, "prod/payments"],
    [
      "workspace with a selector: its namespace that matches, not the first",
      { workspace: "team-a", namespaceSelector: { matchLabels: { team: "b" } } },
      "prod/web",
    ],
    [
      "workspace whose namespaces all miss the selector: the first, to say why",
      { workspace: "team-a", namespaceSelector: { matchLabels: { team: "z" } } },
      "prod/payments",
    ],
    ["named namespace in every cluster", { namespace: "payments" }, "dev/payments"],
    ["named namespace in one cluster", { namespace: "prod/payments" }, "prod/payments"],
    ["named namespace nobody reported", { namespace: "nope" }, undefined],
    ["workspace with no reported namespace", { workspace: "team-z" }, undefined],
  ])("%s", (_, spec, expected) => {
    const got = toDefaultPreviewNamespace(doc(spec), reported);
    expect(got === undefined ? undefined : `${got.cluster}/${got.name}`).toBe(expected);
  });
});

describe("direct, inherited, not applying and undecided, for any labels and selectors", () => {
  const word = fc.constantFrom("a", "b");
  const labels = fc.option(fc.dictionary(fc.constantFrom("team", "env"), word, { maxKeys: 2 }), {
    nil: undefined,
  });
  const trees = fc
    .uniqueArray(
      fc.record({
        name: word,
        namespaces: fc.uniqueArray(fc.record({ cluster: word, namespace: word, labels }), {
          selector: (a) => `${a.cluster}/${a.namespace}`,
          maxLength: 3,
        }),
      }),
      { selector: (w) => w.name, maxLength: 2 },
    )
    .map((ws) => buildPolicyTree("org", ws));
  const selector = fc.option(
    fc.record({
      matchLabels: fc.dictionary(fc.constantFrom("team", "env"), word, { maxKeys: 1 }),
      matchExpressions: fc.array(
        fc.oneof(
          fc.record({
            key: fc.constantFrom("team", "env"),
            operator: fc.constantFrom("In" as const, "NotIn" as const),
            values: fc.uniqueArray(word, { minLength: 1, maxLength: 2 }),
          }),
          fc.record({
            key: fc.constantFrom("team", "env"),
            operator: fc.constantFrom("Exists" as const, "DoesNotExist" as const),
          }),
        ),
        { maxLength: 2 },
      ),
    }),
    { nil: undefined },
  );
  const scope = fc.oneof(
    fc.constant({}),
    word.map((w) => ({ workspace: w })),
    word.map((n) => ({ namespace: n })),
  );
  const policiesArb = fc
    .array(fc.tuple(scope, selector), { maxLength: 6 })
    .map((xs) =>
      xs.map(([s, sel], i) =>
        policy(`p${i}`, sel === undefined ? s : { ...s, namespaceSelector: sel }),
      ),
    );

  it("each policy of a namespace's path is in exactly one list, applying as the engine decides", () => {
    fc.assert(
      fc.property(trees, policiesArb, (tree, policies) => {
        for (const ws of tree.children) {
          for (const ns of ws.children) {
            if (ns.ref.kind !== "namespace") continue;
            const got = evaluateNodePolicies(toPath(tree, ns.id), policies);
            const applying = [...got.direct, ...got.inherited.flatMap((g) => g.policies)];
            const lists = [
              ...applying,
              ...got.notApplying.map((x) => x.policy),
              ...got.undecided.map((x) => x.policy),
            ];
            expect(new Set(lists).size).toBe(lists.length);
            for (const p of lists) {
              const raw = p.spec.namespaceSelector;
              const empty =
                raw === undefined ||
                (Object.keys(raw.matchLabels ?? {}).length === 0 &&
                  (raw.matchExpressions ?? []).length === 0);
              // An empty selector selects every namespace, as in Kubernetes.
              if (raw === undefined || empty) {
                expect(applying).toContain(p);
              } else if (ns.labels === undefined) {
                expect(got.undecided.map((x) => x.policy)).toContain(p);
              } else {
                const engine = matchesSelector(
                  {
                    matchLabels: { ...(raw.matchLabels ?? {}) },
                    matchExpressions: (raw.matchExpressions ?? []).map((r) => ({
                      key: r.key,
                      operator: r.operator,
                      values: [...(r.values ?? [])],
                    })),
                  },
                  toNamespaceLabels(ns.ref.namespace, ns.labels),
                );
                expect(applying.includes(p)).toBe(engine);
              }
            }
          }
        }
      }),
    );
  });
});

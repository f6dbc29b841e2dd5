import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createEvaluator, toNamespaceFacts } from "../../src/core/evaluate/index.js";
import { compileBundle, toBundleContent, toCanonicalJson } from "../../src/core/fleet/bundle.js";
import type { AttachmentRow, NamespaceRow, PolicyRow } from "../../src/core/fleet/store.js";
import { compileDocs, policyDoc } from "../support/policies.js";

const META = {
  uid: "u",
  resourceVersion: "1",
  creationTimestamp: "2026-01-01T00:00:00Z",
  updatedAt: "2026-01-01T00:00:00Z",
  createdBy: "t",
  updatedBy: "t",
};

function policy(name: string, scope: PolicyRow["scope"], selector?: string): PolicyRow {
  const spec: Record<string, unknown> = { recipe: "block-latest-tag", action: "deny" };
  if (scope.kind === "workspace") spec.workspace = scope.workspace;
  if (scope.kind === "namespace") {
    spec.namespace =
      scope.cluster === undefined ? scope.namespace : `${scope.cluster}/${scope.namespace}`;
  }
  if (selector !== undefined) spec.namespaceSelector = { matchLabels: { tier: selector } };
  return { organization: "o", metadata: { ...META, name }, document: policyDoc(name, spec), scope };
}

const attach = (workspace: string, cluster: string, namespace: string): AttachmentRow => ({
  organization: "o",
  workspace,
  cluster,
  namespace,
  attachedAt: META.creationTimestamp,
  attachedBy: "t",
});

const ns = (cluster: string, name: string, labels: Record<string, string> = {}): NamespaceRow => ({
  organization: "o",
  cluster,
  name,
  labels,
});

describe("compileBundle: what one cluster receives", () => {
  const policies = [
    policy("org-wide", { kind: "organization" }),
    policy("ws-a", { kind: "workspace", workspace: "a" }),
    policy("ws-b", { kind: "workspace", workspace: "b" }),
    policy("ws-labelled", { kind: "workspace", workspace: "l" }),
    policy("ns-bare", { kind: "namespace", namespace: "web" }),
    policy("ns-c1", { kind: "namespace", cluster: "c1", namespace: "web" }),
    policy("ns-c2", { kind: "namespace", cluster: "c2", namespace: "web" }),
  ];
  const attachments = [attach("a", "c1", "web"), attach("b", "c2", "api"), attach("a", "c2", "db")];
  const namespaces = [ns("c1", "web"), ns("c1", "ops", { "customs.dev/workspace": "l" })];

  it.each([
    ["c1", ["ns-bare", "ns-c1", "org-wide", "ws-a", "ws-labelled"], ["a", "l"]],
    ["c2", ["ns-bare", "ns-c2", "org-wide", "ws-a", "ws-b"], ["a", "b"]],
    ["c3", ["ns-bare", "org-wide"], []],
  ])("cluster %s", (cluster, names, workspaces) => {
    const b = compileBundle({
      revision: 7,
      cluster,
      policies,
      attachments,
      namespaces: namespaces.filter((n) => n.cluster === cluster),
    });
    expect(b.policies.map((p) => (p.metadata as { name: string }).name)).toEqual(names);
    expect(b.workspaces.map((w) => (w.metadata as { name: string }).name)).toEqual(workspaces);
    expect(b.revision).toBe(7);
  });

  it("lists only this cluster's namespaces in a Workspace document", () => {
    const b = compileBundle({ revision: 1, cluster: "c2", policies, attachments, namespaces: [] });
    expect(b.workspaces[0]).toEqual({
      apiVersion: "customs.dev/v1alpha1",
      kind: "Workspace",
      metadata: { name: "a" },
      spec: { namespaces: ["c2/db"] },
    });
  });

  it("trims stored metadata to name, labels and annotations", () => {
    const row = policy("p", { kind: "organization" });
    const doc = { ...row.document, metadata: { name: "p", labels: { x: "y" }, uid: "zz" } };
    const b = compileBundle({
      revision: 1,
      cluster: "c",
      policies: [{ ...row, document: doc }],
      attachments: [],
      namespaces: [],
    });
    expect(b.policies[0]?.metadata).toEqual({ name: "p", labels: { x: "y" } });
  });

  it("the content (ETag input) ignores the revision and the input order", () => {
    const input = { revision: 1, cluster: "c1", policies, attachments, namespaces };
    const a = compileBundle(input);
    const b = compileBundle({
      ...input,
      revision: 2,
      policies: [...policies].reverse(),
      attachments: [...attachments].reverse(),
    });
    expect(toBundleContent(a)).toBe(toBundleContent(b));
  });
});

describe("toCanonicalJson", () => {
  it("sorts keys at every level and drops undefined", () => {
    expect(toCanonicalJson({ b: 1, a: { d: [2, { z: 1, y: undefined, x: 0 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"x":0,"z":1}]},"b":1}',
    );
  });
  it("equal values give equal text whatever the key order (property)", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (value) => {
        const reversed = Object.fromEntries(Object.entries(value).reverse());
        expect(toCanonicalJson(reversed)).toBe(toCanonicalJson(value));
        expect(JSON.parse(toCanonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
        expect(toCanonicalJson(value)).toBe(recursiveCanonicalJson(value));
      }),
    );
  });
  it("renders documents of any depth (no recursion)", () => {
    let deep: unknown = "leaf";
    for (let i = 0; i < 200_000; i++) deep = i % 2 === 0 ? { k: deep } : [deep];
    const text = toCanonicalJson(deep);
    expect(text.startsWith('[{"k":[{"k":')).toBe(true);
    expect(text.length).toBe(100_000 * ('{"k":'.length + 1 + 2) + '"leaf"'.length);
  });
});

/** The recursive form the iterative one replaced: the same text for every value. */
function recursiveCanonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(recursiveCanonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${recursiveCanonicalJson(v)}`).join(",")}}`;
}

/** A random organization: clusters, namespaces (some labelled), workspaces, attachments, policies. */
const CLUSTERS = ["c1", "c2", "c3"];
const NAMES = ["web", "api", "db", "ops"];
const WORKSPACES = ["a", "b", "c"];

const organization = fc.record({
  namespaces: fc.uniqueArray(
    fc.record({
      cluster: fc.constantFrom(...CLUSTERS),
      name: fc.constantFrom(...NAMES),
      workspaceLabel: fc.option(fc.constantFrom(...WORKSPACES), { nil: undefined }),
      tier: fc.constantFrom("gold", "silver"),
    }),
    { selector: (n) => `${n.cluster}/${n.name}` },
  ),
  attachments: fc.uniqueArray(
    fc.record({
      cluster: fc.constantFrom(...CLUSTERS),
      namespace: fc.constantFrom(...NAMES),
      workspace: fc.constantFrom(...WORKSPACES),
    }),
    { selector: (a) => `${a.cluster}/${a.namespace}` },
  ),
  policies: fc.array(
    fc.record({
      scope: fc.oneof(
        fc.constant({ kind: "organization" as const }),
        fc
          .constantFrom(...WORKSPACES)
          .map((workspace) => ({ kind: "workspace" as const, workspace })),
        fc.record({
          kind: fc.constant("namespace" as const),
          namespace: fc.constantFrom(...NAMES),
          cluster: fc.option(fc.constantFrom(...CLUSTERS), { nil: undefined }),
        }),
      ),
      selector: fc.option(fc.constantFrom("gold", "silver"), { nil: undefined }),
    }),
    { maxLength: 8 },
  ),
});

describe("bundle for a cluster against the real engine (property)", () => {
  it("contains every policy that can apply to a namespace of the cluster, and only such", () => {
    fc.assert(
      fc.property(organization, fc.constantFrom(...CLUSTERS), (o, cluster) => {
        const rows = o.policies.map((p, i) => {
          const scope =
            p.scope.kind === "namespace" && p.scope.cluster === undefined
              ? { kind: "namespace" as const, namespace: p.scope.namespace }
              : p.scope;
          return policy(`p${i}`, scope as PolicyRow["scope"], p.selector);
        });
        const attachments = o.attachments.map((a) => attach(a.workspace, a.cluster, a.namespace));
        const reported = o.namespaces.map((n) =>
          ns(n.cluster, n.name, {
            tier: n.tier,
            ...(n.workspaceLabel ? { "customs.dev/workspace": n.workspaceLabel } : {}),
          }),
        );
        const bundle = compileBundle({
          revision: 1,
          cluster,
          policies: rows,
          attachments,
          namespaces: reported.filter((n) => n.cluster === cluster),
        });
        // The whole organization as `customs check` would see it, every cluster included.
        const full = createEvaluator(
          compileDocs(
            ...rows.map((r) => r.document as Record<string, unknown>),
            ...WORKSPACES.map((w) => ({
              apiVersion: "customs.dev/v1alpha1",
              kind: "Workspace",
              metadata: { name: w },
              spec: {
                namespaces: attachments
                  .filter((a) => a.workspace === w)
                  .map((a) => `${a.cluster}/${a.namespace}`),
              },
            })),
          ),
        );
        const delivered = createEvaluator(compileDocs(...bundle.policies, ...bundle.workspaces));
        const here = [
          ...reported.filter((n) => n.cluster === cluster),
          ...attachments
            .filter((a) => a.cluster === cluster)
            .filter((a) => !reported.some((n) => n.cluster === cluster && n.name === a.namespace))
            .map((a) => ns(cluster, a.namespace, { tier: "gold" })),
        ];
        for (const n of here) {
          const facts = toNamespaceFacts(n.name, n.labels, cluster);
          const names = (e: typeof full) =>
            e
              .applicable(facts)
              .map((p) => p.policy.name)
              .sort();
          expect(names(delivered)).toEqual(names(full));
        }
        // Only: each delivered policy can reach this cluster.
        const workspacesHere = new Set([
          ...attachments.filter((a) => a.cluster === cluster).map((a) => a.workspace),
          ...here.flatMap((n) => n.labels["customs.dev/workspace"] ?? []),
        ]);
        for (const doc of bundle.policies) {
          const spec = doc.spec as { workspace?: string; namespace?: string };
          if (spec.workspace !== undefined) expect(workspacesHere.has(spec.workspace)).toBe(true);
          if (spec.namespace?.includes("/"))
            expect(spec.namespace.startsWith(`${cluster}/`)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("compileBundle: extensions travel with their parent", () => {
  const parent: PolicyRow = {
    ...policy("ws-list", { kind: "workspace", workspace: "a" }),
    document: policyDoc("ws-list", {
      workspace: "a",
      recipe: "custom",
      extensible: true,
      input: { rules: [{ hostname: "a.example" }] },
    }),
  };
  const extension: PolicyRow = {
    ...policy("ext-web", { kind: "namespace", namespace: "web" }),
    document: policyDoc("ext-web", {
      namespace: "web",
      extends: "ws-list",
      input: { rules: [{ hostname: "b.example" }] },
    }),
  };

  it.each([
    ["c1", ["ext-web", "ws-list"]],
    // Workspace a has no namespace in c2: its policy stays home, and so does the extension.
    ["c2", []],
  ])("cluster %s receives %j", (cluster, names) => {
    const b = compileBundle({
      revision: 1,
      cluster,
      policies: [parent, extension],
      attachments: [attach("a", "c1", "web")],
      namespaces: [],
    });
    expect(b.policies.map((p) => (p.metadata as { name: string }).name)).toEqual(names);
  });
});

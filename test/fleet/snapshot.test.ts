import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  compileBundle,
  isExceptionRow,
  toBundleContent,
  toCanonicalJson,
  toDeliveredDocument,
} from "../../src/core/fleet/bundle.js";
import {
  compileClusterBundle,
  compileSnapshot,
  toClusterContent,
  toClusterInputs,
  toInputsKey,
} from "../../src/core/fleet/snapshot.js";
import { withClusterNamespaces, withPolicy } from "../../src/core/fleet/snapshot-patch.js";
import type { AttachmentRow, NamespaceRow, PolicyRow } from "../../src/core/fleet/store.js";

const CLUSTERS = ["c1", "c2", "c3", "c4"];
const NAMES = ["web", "api", "db", "ops", "x"];
const WORKSPACES = ["a", "b", "c", "d"];

const scope: fc.Arbitrary<PolicyRow["scope"]> = fc.oneof(
  fc.constant({ kind: "organization" as const }),
  fc.constantFrom(...WORKSPACES).map((workspace) => ({ kind: "workspace" as const, workspace })),
  fc
    .record({
      namespace: fc.constantFrom(...NAMES),
      cluster: fc.option(fc.constantFrom(...CLUSTERS, "elsewhere"), { nil: undefined }),
    })
    .map(({ namespace, cluster }) =>
      cluster === undefined
        ? { kind: "namespace" as const, namespace }
        : { kind: "namespace" as const, namespace, cluster },
    ),
);

const labels = fc.record(
  {
    "customs.dev/workspace": fc.constantFrom(...WORKSPACES, "", "unattached"),
    tier: fc.constantFrom("gold", "silver"),
  },
  { requiredKeys: [] },
);

const namespaceRows = fc.uniqueArray(
  fc.record({ cluster: fc.constantFrom(...CLUSTERS), name: fc.constantFrom(...NAMES), labels }),
  { selector: (n) => `${n.cluster}/${n.name}` },
);

const organization = fc.record({
  revision: fc.nat(1000),
  namespaces: namespaceRows.map((list) =>
    list.map((n): NamespaceRow => ({ organization: "o", ...n })),
  ),
  attachments: fc
    .uniqueArray(
      fc.record({
        cluster: fc.constantFrom(...CLUSTERS),
        namespace: fc.constantFrom(...NAMES),
        workspace: fc.constantFrom(...WORKSPACES),
      }),
      { selector: (a) => `${a.cluster}/${a.namespace}` },
    )
    .map((list) =>
      list.map(
        (a): AttachmentRow => ({ organization: "o", ...a, attachedAt: "t", attachedBy: "u" }),
      ),
    ),
  policies: fc
    .uniqueArray(
      fc.record({
        name: fc.stringMatching(/^[a-z]{1,4}$/),
        scope,
        rv: fc.nat(50),
        labels: fc.option(fc.dictionary(fc.constantFrom("x", "y"), fc.string()), {
          nil: undefined,
        }),
        // Extensions: of another generated row (delivered where that one is, or not), of
        // "zz-new" (absent until a write creates it) or of a name never written (an orphan).
        extends: fc.option(fc.oneof(fc.nat(11), fc.constantFrom("zz-new", "zzzzz")), {
          nil: undefined,
          freq: 2,
        }),
        exception: fc.boolean(),
      }),
      { selector: (p) => p.name, maxLength: 12 },
    )
    .map((list) =>
      list.map(({ extends: parent, exception, ...p }, i): PolicyRow & { _: unknown } => ({
        _: { parent, exception, i },
        organization: "o",
        metadata: {
          name: p.name,
          uid: `uid-${p.name}`,
          resourceVersion: String(p.rv),
          creationTimestamp: "t",
          updatedAt: "t",
          createdBy: "u",
          updatedBy: "u",
        },
        document: {
          apiVersion: "customs.dev/v1alpha1",
          kind: "ImagePolicy",
          metadata: { name: p.name, uid: "stored", ...(p.labels ? { labels: p.labels } : {}) },
          spec: { rv: p.rv, scope: p.scope },
        },
        scope: p.scope,
      })),
    )
    .map((rows) => rows.map((row) => withKind(row, rows))),
});

/**
 * A generated row with its kind and parent set: an exception (a few rows, which are never
 * parents, though one may be named as one) or a policy, possibly an extension.
 */
function withKind(
  row: PolicyRow & { _: unknown },
  rows: readonly { metadata: { name: string } }[],
): PolicyRow {
  const { _, ...rest } = row;
  const { parent, exception, i } = _ as {
    parent: number | string | undefined;
    exception: boolean;
    i: number;
  };
  if (exception && i % 3 === 0) {
    return { ...rest, document: { ...rest.document, kind: "ImagePolicyException" } };
  }
  const name = typeof parent === "number" ? rows[parent % rows.length]?.metadata.name : parent;
  if (name === undefined || name === rest.metadata.name) return rest;
  const spec = { ...(rest.document.spec as object), extends: name };
  return { ...rest, document: { ...rest.document, spec } };
}

const SAMPLE: PolicyRow = {
  organization: "o",
  metadata: {
    name: "sample",
    uid: "sample",
    resourceVersion: "1",
    creationTimestamp: "t",
    updatedAt: "t",
    createdBy: "u",
    updatedBy: "u",
  },
  document: {},
  scope: { kind: "organization" },
};

type Org = {
  revision: number;
  namespaces: NamespaceRow[];
  attachments: AttachmentRow[];
  policies: PolicyRow[];
};

/** The straightforward bundle, reading the whole organization: the oracle. */
function oracle(o: Org, cluster: string) {
  return compileBundle({
    revision: o.revision,
    cluster,
    policies: o.policies,
    attachments: o.attachments,
    namespaces: o.namespaces.filter((n) => n.cluster === cluster),
  });
}

const json = (p: PolicyRow) => toCanonicalJson(toDeliveredDocument(p.document));

describe("compileSnapshot + compileClusterBundle (property, against compileBundle)", () => {
  it("gives every cluster, reported or not, exactly the straightforward bundle", () => {
    fc.assert(
      fc.property(organization, (o) => {
        const snapshot = compileSnapshot(o);
        for (const cluster of [...CLUSTERS, "never-seen"]) {
          const inputs = toClusterInputs(snapshot, cluster);
          const expected = oracle(o, cluster);
          expect(compileClusterBundle(o.revision, cluster, inputs)).toEqual(expected);
          expect(toClusterContent(cluster, inputs, json)).toBe(toBundleContent(expected));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("a patched cluster report equals a snapshot built afresh, and leaves other clusters' keys", () => {
    fc.assert(
      fc.property(organization, fc.constantFrom(...CLUSTERS), namespaceRows, (o, cluster, ns) => {
        const reported = ns.map((n): NamespaceRow => ({ organization: "o", ...n, cluster }));
        const next = {
          ...o,
          revision: o.revision + 1,
          namespaces: [...o.namespaces.filter((n) => n.cluster !== cluster), ...reported],
        };
        const before = compileSnapshot(o);
        const { snapshot: patched, affected } = withClusterNamespaces(
          before,
          next.revision,
          cluster,
          reported,
        );
        expect(affected).toEqual(new Set([cluster]));
        for (const c of CLUSTERS) {
          const inputs = toClusterInputs(patched, c);
          expect(compileClusterBundle(next.revision, c, inputs)).toEqual(oracle(next, c));
          if (c !== cluster) {
            expect(toInputsKey(inputs)).toBe(toInputsKey(toClusterInputs(before, c)));
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it("a patched policy write equals a snapshot built afresh; unaffected clusters keep their key", () => {
    fc.assert(
      fc.property(
        organization,
        fc.nat(),
        fc.constantFrom("create", "update", "delete"),
        scope,
        (o, pick, op, newScope) => {
          // Policy writes are patched in; exception writes reload the snapshot (not here).
          const writable = o.policies.filter((p) => !isExceptionRow(p));
          const target = writable[pick % Math.max(1, writable.length)];
          const name = op === "create" || target === undefined ? "zz-new" : target.metadata.name;
          const after: PolicyRow | undefined =
            op === "delete"
              ? undefined
              : {
                  organization: "o",
                  metadata: {
                    ...(target ?? o.policies[0] ?? SAMPLE).metadata,
                    name,
                    uid: `uid-${name}`,
                    resourceVersion: "1000",
                  },
                  document: { kind: "ImagePolicy", metadata: { name }, spec: { scope: newScope } },
                  scope: newScope,
                };
          const rest = o.policies.filter((p) => p.metadata.name !== name);
          const next = {
            ...o,
            revision: o.revision + 1,
            policies: after ? [...rest, after] : rest,
          };
          const before = compileSnapshot(o);
          const patched = withPolicy(before, next.revision, name, after);
          for (const c of [...CLUSTERS, "never-seen"]) {
            const inputs = toClusterInputs(patched.snapshot, c);
            expect(compileClusterBundle(next.revision, c, inputs)).toEqual(oracle(next, c));
            if (patched.affected !== "all" && !patched.affected.has(c)) {
              expect(toInputsKey(inputs)).toBe(toInputsKey(toClusterInputs(before, c)));
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("equal input keys mean equal content; a policy update changes the key where it applies", () => {
    fc.assert(
      fc.property(organization, fc.nat(), (o, pick) => {
        const snapshot = compileSnapshot(o);
        const target = o.policies[pick % Math.max(1, o.policies.length)];
        const bumped = o.policies.map((p) =>
          p === target
            ? {
                ...p,
                metadata: { ...p.metadata, resourceVersion: "999" },
                document: { ...p.document, spec: { changed: true } },
              }
            : p,
        );
        const after = compileSnapshot({ ...o, policies: bumped });
        for (const c of CLUSTERS) {
          const a = toClusterInputs(snapshot, c);
          const b = toClusterInputs(after, c);
          const sameKey = toInputsKey(a) === toInputsKey(b);
          const sameContent = toClusterContent(c, a, json) === toClusterContent(c, b, json);
          if (sameKey) expect(sameContent).toBe(true);
          // Content differs exactly when the bumped policy is in this cluster's bundle, before
          // or after (the bump drops `extends`: an orphan extension becomes a policy).
          const holds = [a, b].some((x) =>
            x.policies.some((p) => p.metadata.name === target?.metadata.name),
          );
          expect(sameKey).toBe(!holds);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("compileSnapshot: examples", () => {
  const row = (name: string, s: PolicyRow["scope"]): PolicyRow => ({
    organization: "o",
    metadata: {
      name,
      uid: name,
      resourceVersion: "1",
      creationTimestamp: "t",
      updatedAt: "t",
      createdBy: "u",
      updatedBy: "u",
    },
    document: { apiVersion: "customs.dev/v1alpha1", kind: "ImagePolicy", metadata: { name } },
    scope: s,
  });

  it.each([
    ["c1", ["bare", "c1-web", "org", "ws-a"], ["a"]],
    ["c2", ["bare", "org", "ws-b"], ["b"]],
    ["c3", ["bare", "org"], []],
  ])("cluster %s gets %j and workspaces %j", (cluster, policies, workspaces) => {
    const snapshot = compileSnapshot({
      revision: 3,
      policies: [
        row("org", { kind: "organization" }),
        row("bare", { kind: "namespace", namespace: "web" }),
        row("c1-web", { kind: "namespace", cluster: "c1", namespace: "web" }),
        row("ws-a", { kind: "workspace", workspace: "a" }),
        row("ws-b", { kind: "workspace", workspace: "b" }),
      ],
      attachments: [
        {
          organization: "o",
          workspace: "a",
          cluster: "c1",
          namespace: "web",
          attachedAt: "t",
          attachedBy: "u",
        },
      ],
      namespaces: [
        { organization: "o", cluster: "c2", name: "api", labels: { "customs.dev/workspace": "b" } },
        { organization: "o", cluster: "c3", name: "api", labels: { "customs.dev/workspace": "" } },
      ],
    });
    const inputs = toClusterInputs(snapshot, cluster);
    expect(inputs.policies.map((p) => p.metadata.name)).toEqual(policies);
    expect(inputs.workspaces.map((w) => w.name)).toEqual(workspaces);
  });
});

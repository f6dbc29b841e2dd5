/**
 * Exceptions travel through the delivery snapshot with the policies (scoped the same way) and
 * are split out when a bundle is rendered: the snapshot's bundle equals the straightforward
 * one, and the ETag text built by hand equals the canonical JSON of the bundle.
 */
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
} from "../../src/core/fleet/snapshot.js";
import { withPolicy } from "../../src/core/fleet/snapshot-patch.js";
import type { AttachmentRow, PolicyRow } from "../../src/core/fleet/store.js";

const CLUSTERS = ["c1", "c2"];

const scope: fc.Arbitrary<PolicyRow["scope"]> = fc.oneof(
  fc.constant({ kind: "organization" as const }),
  fc.constantFrom("a", "b").map((workspace) => ({ kind: "workspace" as const, workspace })),
  fc
    .constantFrom("c1", "c2", "elsewhere")
    .map((cluster) => ({ kind: "namespace" as const, namespace: "web", cluster })),
);

function row(name: string, kind: string, s: PolicyRow["scope"], rv: number): PolicyRow {
  return {
    organization: "o",
    metadata: {
      name,
      uid: `${kind}-${name}`,
      resourceVersion: String(rv),
    } as PolicyRow["metadata"],
    document: { apiVersion: "customs.dev/v1alpha1", kind, metadata: { name }, spec: { rv } },
    scope: s,
  };
}

const rows = fc
  .array(
    fc.record({
      name: fc.constantFrom("p", "q", "r", "s"),
      kind: fc.constantFrom("ImagePolicy", "ImagePolicyException"),
      scope,
      rv: fc.nat(9),
    }),
    { maxLength: 10 },
  )
  .map((list) => {
    // Names are unique per kind; a policy and an exception may share one.
    const seen = new Set<string>();
    return list
      .filter((r) => !seen.has(`${r.kind}/${r.name}`) && seen.add(`${r.kind}/${r.name}`))
      .map((r) => row(r.name, r.kind, r.scope, r.rv));
  });

const attachments: AttachmentRow[] = [
  {
    organization: "o",
    cluster: "c1",
    namespace: "web",
    workspace: "a",
    attachedAt: "t",
    attachedBy: "u",
  },
];
const json = (p: PolicyRow) => toCanonicalJson(toDeliveredDocument(p.document));

describe("exceptions in bundles", () => {
  it("property: the snapshot's bundle and ETag text equal the straightforward ones", () => {
    fc.assert(
      fc.property(rows, (policies) => {
        const snapshot = compileSnapshot({ revision: 3, policies, attachments, namespaces: [] });
        for (const cluster of CLUSTERS) {
          const inputs = toClusterInputs(snapshot, cluster);
          const bundle = compileClusterBundle(3, cluster, inputs);
          const expected = compileBundle({
            revision: 3,
            cluster,
            policies,
            attachments,
            namespaces: [],
          });
          expect(bundle).toEqual(expected);
          expect(toClusterContent(cluster, inputs, json)).toBe(toBundleContent(expected));
          expect(bundle.policies.every((d) => d.kind === "ImagePolicy")).toBe(true);
          expect((bundle.exceptions ?? []).every((d) => d.kind === "ImagePolicyException")).toBe(
            true,
          );
          if (!policies.some(isExceptionRow)) expect(bundle.exceptions).toBeUndefined();
        }
      }),
      { numRuns: 300 },
    );
  });

  it("patching a policy leaves an exception of the same name in place", () => {
    const policy = row("same", "ImagePolicy", { kind: "organization" }, 1);
    const exception = row("same", "ImagePolicyException", { kind: "organization" }, 2);
    const snapshot = compileSnapshot({
      revision: 1,
      policies: [policy, exception],
      attachments,
      namespaces: [],
    });
    const patched = withPolicy(snapshot, 2, "same", undefined).snapshot;
    const bundle = compileClusterBundle(2, "c1", toClusterInputs(patched, "c1"));
    expect(bundle.policies).toEqual([]);
    expect(bundle.exceptions?.map((d) => (d.metadata as { name: string }).name)).toEqual(["same"]);
  });
});

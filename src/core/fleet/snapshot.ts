import { API_VERSION, WORKSPACE_LABEL } from "../policy/index.js";
import {
  type Bundle,
  isExceptionRow,
  toCanonicalJson,
  toDeliveredDocument,
  withoutOrphans,
} from "./bundle.js";
import type { AttachmentRow, NamespaceRow, PolicyRow } from "./store.js";

/**
 * An organization's delivery inputs at one revision, indexed so that one cluster's bundle
 * costs in proportion to that cluster's share of the organization, not to its whole size.
 * Built once per revision (docs/control-plane.md, Delivery); never changed afterwards.
 */
export interface OrgSnapshot {
  readonly revision: number;
  /** Organization-wide policies and bare namespace names: they reach every cluster. */
  readonly everywhere: readonly PolicyRow[];
  readonly byWorkspace: ReadonlyMap<string, readonly PolicyRow[]>;
  /** Namespace-scoped policies naming a cluster, by that cluster. */
  readonly byCluster: ReadonlyMap<string, readonly PolicyRow[]>;
  readonly attachments: ReadonlyMap<string, readonly AttachmentRow[]>;
  /** Workspaces named by the `customs.dev/workspace` label of a reported namespace. */
  readonly labelled: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface SnapshotInput {
  readonly revision: number;
  readonly policies: readonly PolicyRow[];
  readonly attachments: readonly AttachmentRow[];
  /** Every reported namespace of the organization. */
  readonly namespaces: readonly NamespaceRow[];
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Workspaces named by a cluster's reported namespaces' labels. */
export function toLabelledWorkspaces(namespaces: readonly NamespaceRow[]): Set<string> {
  const names = new Set<string>();
  for (const ns of namespaces) {
    const label = ns.labels[WORKSPACE_LABEL];
    if (label !== undefined && label !== "") names.add(label);
  }
  return names;
}

/** Indexes an organization's policies, attachments and reported namespaces. */
export function compileSnapshot(input: SnapshotInput): OrgSnapshot {
  const everywhere: PolicyRow[] = [];
  const byWorkspace = new Map<string, PolicyRow[]>();
  const byCluster = new Map<string, PolicyRow[]>();
  for (const p of input.policies) {
    const { scope } = p;
    if (scope.kind === "workspace") push(byWorkspace, scope.workspace, p);
    else if (scope.kind === "namespace" && scope.cluster !== undefined) {
      push(byCluster, scope.cluster, p);
    } else everywhere.push(p);
  }
  const attachments = new Map<string, AttachmentRow[]>();
  for (const a of input.attachments) push(attachments, a.cluster, a);
  const namespaces = new Map<string, NamespaceRow[]>();
  for (const ns of input.namespaces) push(namespaces, ns.cluster, ns);
  const labelled = new Map<string, ReadonlySet<string>>();
  for (const [cluster, list] of namespaces) {
    const names = toLabelledWorkspaces(list);
    if (names.size > 0) labelled.set(cluster, names);
  }
  return { revision: input.revision, everywhere, byWorkspace, byCluster, attachments, labelled };
}

/** What one cluster's bundle is made of, before its documents are rendered. */
export interface ClusterInputs {
  /** Sorted by name. */
  readonly policies: readonly PolicyRow[];
  /** Sorted by workspace name; namespaces as `cluster/namespace`, sorted. */
  readonly workspaces: readonly { readonly name: string; readonly namespaces: string[] }[];
}

export function toClusterInputs(snapshot: OrgSnapshot, cluster: string): ClusterInputs {
  const attached = snapshot.attachments.get(cluster) ?? [];
  const members = new Map<string, string[]>();
  for (const name of snapshot.labelled.get(cluster) ?? []) members.set(name, []);
  for (const a of attached) {
    const list = members.get(a.workspace);
    const entry = `${a.cluster}/${a.namespace}`;
    if (list === undefined) members.set(a.workspace, [entry]);
    else list.push(entry);
  }
  const policies = [...snapshot.everywhere, ...(snapshot.byCluster.get(cluster) ?? [])];
  for (const name of members.keys()) policies.push(...(snapshot.byWorkspace.get(name) ?? []));
  policies.sort((a, b) => byName(a.metadata.name, b.metadata.name));
  const workspaces = [...members]
    .sort(([a], [b]) => byName(a, b))
    .map(([name, namespaces]) => ({ name, namespaces: namespaces.sort(byName) }));
  return { policies: withoutOrphans(policies), workspaces };
}

/**
 * A short key of a cluster's inputs: equal keys mean equal bundle content, so a bundle built
 * at an older revision can be delivered again without rendering and hashing it anew. A
 * policy is named by uid and resourceVersion, which change with every write.
 */
export function toInputsKey(inputs: ClusterInputs): string {
  const policies = inputs.policies.map((p) => `${p.metadata.uid}@${p.metadata.resourceVersion}`);
  return JSON.stringify([policies, inputs.workspaces]);
}

/** The bundle of one cluster from its inputs (the same as compileBundle's). */
export function compileClusterBundle(
  revision: number,
  cluster: string,
  inputs: ClusterInputs,
): Bundle {
  const exceptions = inputs.policies.filter(isExceptionRow);
  const policies =
    exceptions.length === 0 ? inputs.policies : inputs.policies.filter((p) => !isExceptionRow(p));
  return {
    revision,
    cluster,
    policies: policies.map((p) => toDeliveredDocument(p.document)),
    workspaces: inputs.workspaces.map(({ name, namespaces }) => ({
      apiVersion: API_VERSION,
      kind: "Workspace",
      metadata: { name },
      spec: { namespaces },
    })),
    ...(exceptions.length === 0
      ? {}
      : { exceptions: exceptions.map((p) => toDeliveredDocument(p.document)) }),
  };
}

/**
 * The text the ETag hashes, equal to `toBundleContent(compileClusterBundle(…))`, but built
 * from each policy's canonical JSON as given by `policyJson`, which a caller may cache per
 * policy row: most of a bundle is policies, and they are shared by many clusters.
 */
export function toClusterContent(
  cluster: string,
  inputs: ClusterInputs,
  policyJson: (p: PolicyRow) => string,
): string {
  const { workspaces } = compileClusterBundle(0, cluster, { ...inputs, policies: [] });
  const rows = inputs.policies.filter((p) => !isExceptionRow(p));
  const exceptions = inputs.policies.filter(isExceptionRow);
  const policies = rows.map(policyJson).join(",");
  // Keys in canonical order: cluster, exceptions (only when some), policies, workspaces.
  const excepted =
    exceptions.length === 0 ? "" : `"exceptions":[${exceptions.map(policyJson).join(",")}],`;
  return `{"cluster":${JSON.stringify(cluster)},${excepted}"policies":[${policies}],"workspaces":${toCanonicalJson(workspaces)}}`;
}

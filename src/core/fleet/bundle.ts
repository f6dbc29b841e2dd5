import { API_VERSION, WORKSPACE_LABEL } from "../policy/index.js";
import type { AttachmentRow, NamespaceRow, PolicyRow } from "./store.js";

/** What `GET /api/v1/agent/policies` delivers to one cluster (docs/control-plane.md, step 3). */
export interface Bundle {
  readonly revision: number;
  readonly cluster: string;
  readonly policies: readonly Record<string, unknown>[];
  readonly workspaces: readonly Record<string, unknown>[];
  /**
   * ImagePolicyExceptions that can apply to the cluster; absent when there are none, so the
   * bundles (and ETags) of organizations without exceptions are unchanged.
   */
  readonly exceptions?: readonly Record<string, unknown>[];
}

/**
 * Exception rows travel with policy rows through the delivery snapshot (they are scoped the
 * same way) and are told apart by their document's kind when a bundle is rendered.
 */
export function isExceptionRow(row: PolicyRow): boolean {
  return row.document.kind === "ImagePolicyException";
}

export interface BundleInput {
  readonly revision: number;
  readonly cluster: string;
  readonly policies: readonly PolicyRow[];
  /** Every attachment of the organization (only this cluster's are used). */
  readonly attachments: readonly AttachmentRow[];
  /** The namespaces this cluster reported. */
  readonly namespaces: readonly NamespaceRow[];
}

/** Workspaces that can matter to a cluster: attached there, or named by a namespace's label. */
export function workspacesOfCluster(input: BundleInput): Set<string> {
  const names = new Set<string>();
  for (const a of input.attachments) if (a.cluster === input.cluster) names.add(a.workspace);
  for (const ns of input.namespaces) {
    const label = ns.labels[WORKSPACE_LABEL];
    if (ns.cluster === input.cluster && label !== undefined && label !== "") names.add(label);
  }
  return names;
}

/** Can a policy of this scope apply to some namespace of the cluster? */
function concerns(row: PolicyRow, cluster: string, workspaces: ReadonlySet<string>): boolean {
  const { scope } = row;
  switch (scope.kind) {
    case "organization":
      return true;
    case "workspace":
      return workspaces.has(scope.workspace);
    case "namespace":
      // A bare name means that namespace in every cluster, reported yet or not.
      return scope.cluster === undefined || scope.cluster === cluster;
  }
}

/**
 * The document as delivered: metadata trimmed to what the policy language reads (the name)
 * and the user's labels/annotations, so bookkeeping fields never change the bundle's hash.
 */
export function toDeliveredDocument(document: Readonly<Record<string, unknown>>) {
  const meta = (document.metadata ?? {}) as Record<string, unknown>;
  const metadata: Record<string, unknown> = { name: meta.name };
  if (meta.labels !== undefined) metadata.labels = meta.labels;
  if (meta.annotations !== undefined) metadata.annotations = meta.annotations;
  return { ...document, metadata };
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Leaves out an extension whose parent is not among `rows` (a parent scoped to a workspace
 * with no namespace in this cluster): it widens its parent only where the parent applies, so
 * leaving it out only narrows. compileBundle and the delivery snapshot (toClusterInputs) both
 * use it, so they agree. Exceptions are no parents.
 */
export function withoutOrphans(rows: readonly PolicyRow[]): PolicyRow[] {
  const names = new Set(rows.filter((p) => !isExceptionRow(p)).map((p) => p.metadata.name));
  return rows.filter((p) => {
    const parent = (p.document.spec as { extends?: unknown } | undefined)?.extends;
    return typeof parent !== "string" || names.has(parent);
  });
}

/**
 * The effective bundle for one cluster: every policy that can apply to one of its namespaces,
 * and Workspace documents listing this cluster's attached namespaces. Sorted by name so equal
 * inputs give equal bundles (and equal ETags).
 */
export function compileBundle(input: BundleInput): Bundle {
  const workspaces = workspacesOfCluster(input);
  const concerned = input.policies.filter((p) => concerns(p, input.cluster, workspaces));
  const rows = withoutOrphans(concerned).sort((a, b) => byName(a.metadata.name, b.metadata.name));
  const policies = rows
    .filter((p) => !isExceptionRow(p))
    .map((p) => toDeliveredDocument(p.document));
  // Exceptions are scoped like policies and travel apart (absent when none, as before them).
  const exceptions = rows.filter(isExceptionRow).map((p) => toDeliveredDocument(p.document));
  const documents = [...workspaces].sort(byName).map((name) => ({
    apiVersion: API_VERSION,
    kind: "Workspace",
    metadata: { name },
    spec: {
      namespaces: input.attachments
        .filter((a) => a.workspace === name && a.cluster === input.cluster)
        .map((a) => `${a.cluster}/${a.namespace}`)
        .sort(byName),
    },
  }));
  const bundle = {
    revision: input.revision,
    cluster: input.cluster,
    policies,
    workspaces: documents,
  };
  return exceptions.length === 0 ? bundle : { ...bundle, exceptions };
}

type Piece = { readonly text: string } | { readonly value: unknown };

/**
 * JSON with object keys sorted at every level: the same value always gives the same text,
 * whatever order its keys were built in. The ETag is a hash of this text.
 *
 * Iterative, over an explicit stack of pieces still to write: a document of any depth is
 * rendered (stored documents are bounded at write time, but one stored before the bounds
 * existed must not make its clusters' bundles fail with a stack overflow).
 */
export function toCanonicalJson(value: unknown): string {
  const out: string[] = [];
  const stack: Piece[] = [{ value }];
  for (let piece = stack.pop(); piece !== undefined; piece = stack.pop()) {
    if ("text" in piece) {
      out.push(piece.text);
      continue;
    }
    const v = piece.value;
    if (v === null || typeof v !== "object") {
      out.push(JSON.stringify(v) ?? "null");
      continue;
    }
    const pieces: Piece[] = [];
    if (Array.isArray(v)) {
      pieces.push({ text: "[" });
      v.forEach((item, i) => {
        if (i > 0) pieces.push({ text: "," });
        pieces.push({ value: item });
      });
      pieces.push({ text: "]" });
    } else {
      const entries = Object.entries(v as Record<string, unknown>)
        .filter(([, x]) => x !== undefined)
        .sort(([a], [b]) => byName(a, b));
      pieces.push({ text: "{" });
      entries.forEach(([k, x], i) => {
        pieces.push({ text: `${i > 0 ? "," : ""}${JSON.stringify(k)}:` }, { value: x });
      });
      pieces.push({ text: "}" });
    }
    for (let i = pieces.length - 1; i >= 0; i--) stack.push(pieces[i] as Piece);
  }
  return out.join("");
}

/** The part of a bundle its ETag covers: not the revision, which moves on unrelated changes. */
export function toBundleContent(bundle: Bundle): string {
  return toCanonicalJson({
    cluster: bundle.cluster,
    policies: bundle.policies,
    workspaces: bundle.workspaces,
    ...(bundle.exceptions === undefined ? {} : { exceptions: bundle.exceptions }),
  });
}

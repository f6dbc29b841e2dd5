/**
 * The Policies page's hierarchy: organization → workspaces → their namespaces, and which
 * policies each node has directly (its scope is that node) or inherits (scoped above it).
 */

import type { ImagePolicySpec } from "./api-types.js";
import {
  readSelector,
  toMismatchReason,
  toNamespaceLabels,
  toSelectorText,
} from "./selector-match.js";

/** A node of the tree. A namespace node is one attachment: `cluster/namespace` of a workspace. */
export type NodeRef =
  | { readonly kind: "organization" }
  | { readonly kind: "workspace"; readonly workspace: string }
  | {
      readonly kind: "namespace";
      readonly workspace: string;
      readonly cluster: string;
      readonly namespace: string;
    };

export interface TreeNode {
  readonly id: string;
  readonly label: string;
  readonly ref: NodeRef;
  readonly children: readonly TreeNode[];
  /** A namespace node's labels as its cluster's agent reported them (undefined: not reported). */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Where a policy applies, read from its spec (`namespace` may be `cluster/ns` or bare). */
export type PolicyScope =
  | { readonly kind: "organization" }
  | { readonly kind: "workspace"; readonly workspace: string }
  /** `cluster` undefined: that namespace in every cluster. */
  | {
      readonly kind: "namespace";
      readonly cluster: string | undefined;
      readonly namespace: string;
    };

export interface WorkspaceAttachments {
  readonly name: string;
  readonly namespaces: readonly {
    readonly cluster: string;
    readonly namespace: string;
    /** Undefined: the cluster's agent has not reported the namespace (its labels are unknown). */
    readonly labels?: Readonly<Record<string, string>> | undefined;
  }[];
}

/** The fields of an ImagePolicy's spec that say where it applies. */
export type ScopeFields = Pick<ImagePolicySpec, "workspace" | "namespace" | "namespaceSelector">;

export interface PolicyLike {
  readonly metadata: { readonly name: string };
  readonly spec: ScopeFields;
}

export interface InheritedGroup<P> {
  readonly from: TreeNode;
  readonly policies: readonly P[];
}

export interface NodePolicies<P> {
  readonly direct: readonly P[];
  /** Nearest ancestor last: the organization's first, then the workspace's. */
  readonly inherited: readonly InheritedGroup<P>[];
  /** Assigned here or above, but the namespace's labels do not match their namespaceSelector. */
  readonly notApplying: readonly Excluded<P>[];
  /** Assigned here or above with a namespaceSelector, but the namespace's labels are unknown. */
  readonly undecided: readonly Excluded<P>[];
}

/** A policy of a node's scope that the node's labels leave out (or may), and why. */
export interface Excluded<P> {
  readonly policy: P;
  /** The node it is assigned at. */
  readonly from: TreeNode;
  readonly reason: string;
}

export function toNodeId(ref: NodeRef): string {
  if (ref.kind === "organization") return "organization";
  if (ref.kind === "workspace") return `workspace:${ref.workspace}`;
  return `namespace:${ref.workspace}:${ref.cluster}/${ref.namespace}`;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function buildPolicyTree(
  org: string,
  workspaces: readonly WorkspaceAttachments[],
): TreeNode {
  const children = [...workspaces]
    .sort((a, b) => byText(a.name, b.name))
    .map((ws): TreeNode => {
      const ref: NodeRef = { kind: "workspace", workspace: ws.name };
      const namespaces = [...ws.namespaces]
        .sort((a, b) => byText(`${a.cluster}/${a.namespace}`, `${b.cluster}/${b.namespace}`))
        .map((a): TreeNode => {
          const nsRef: NodeRef = {
            kind: "namespace",
            workspace: ws.name,
            cluster: a.cluster,
            namespace: a.namespace,
          };
          return {
            id: toNodeId(nsRef),
            label: `${a.cluster}/${a.namespace}`,
            ref: nsRef,
            children: [],
            ...(a.labels === undefined ? {} : { labels: a.labels }),
          };
        });
      return { id: toNodeId(ref), label: ws.name, ref, children: namespaces };
    });
  const ref: NodeRef = { kind: "organization" };
  return { id: toNodeId(ref), label: org, ref, children };
}

export function toPolicyScope(spec: ScopeFields): PolicyScope {
  if (typeof spec.workspace === "string") return { kind: "workspace", workspace: spec.workspace };
  if (typeof spec.namespace === "string") {
    const slash = spec.namespace.indexOf("/");
    return slash < 0
      ? { kind: "namespace", cluster: undefined, namespace: spec.namespace }
      : {
          kind: "namespace",
          cluster: spec.namespace.slice(0, slash),
          namespace: spec.namespace.slice(slash + 1),
        };
  }
  return { kind: "organization" };
}

/** Whether a policy of `scope` is assigned at `node` itself (not above or below it). */
export function isAssignedAt(scope: PolicyScope, node: NodeRef): boolean {
  switch (scope.kind) {
    case "organization":
      return node.kind === "organization";
    case "workspace":
      return node.kind === "workspace" && node.workspace === scope.workspace;
    case "namespace":
      return (
        node.kind === "namespace" &&
        node.namespace === scope.namespace &&
        (scope.cluster === undefined || scope.cluster === node.cluster)
      );
  }
}

/** The nodes from the root down to the node `id` (empty when there is no such node). */
export function toPath(tree: TreeNode, id: string): TreeNode[] {
  if (tree.id === id) return [tree];
  for (const child of tree.children) {
    const below = toPath(child, id);
    if (below.length > 0) return [tree, ...below];
  }
  return [];
}

/**
 * Whether a policy's namespaceSelector lets it apply at a node: always above namespaces (a
 * selector picks namespaces, so a workspace or the organization keeps the policy); at a
 * namespace, by its reported labels, as the engine decides; `undefined` when the labels are
 * not reported yet (the console never claims a policy applies when it cannot tell).
 */
export function selectorApplies(
  spec: ScopeFields,
  node: TreeNode,
): { readonly applies: boolean | undefined; readonly reason: string } {
  const selector = readSelector(spec.namespaceSelector);
  if (selector === undefined || node.ref.kind !== "namespace") return { applies: true, reason: "" };
  if (node.labels === undefined) {
    return {
      applies: undefined,
      reason: `the namespace's labels are not reported yet; it applies only if they match selector ${toSelectorText(selector)}`,
    };
  }
  const mismatch = toMismatchReason(selector, toNamespaceLabels(node.ref.namespace, node.labels));
  return mismatch === undefined
    ? { applies: true, reason: "" }
    : { applies: false, reason: mismatch };
}

/**
 * Direct and inherited policies of the last node of `path` (root first): those whose
 * namespaceSelector leaves the node out go to `notApplying` (or `undecided`), with the reason.
 */
export function evaluateNodePolicies<P extends PolicyLike>(
  path: readonly TreeNode[],
  policies: readonly P[],
): NodePolicies<P> {
  const node = path[path.length - 1];
  if (node === undefined) return { direct: [], inherited: [], notApplying: [], undecided: [] };
  const notApplying: Excluded<P>[] = [];
  const undecided: Excluded<P>[] = [];
  const at = (from: TreeNode) =>
    policies.filter((p) => {
      if (!isAssignedAt(toPolicyScope(p.spec), from.ref)) return false;
      const { applies, reason } = selectorApplies(p.spec, node);
      if (applies === false) notApplying.push({ policy: p, from, reason });
      if (applies === undefined) undecided.push({ policy: p, from, reason });
      return applies === true;
    });
  const inherited = path
    .slice(0, -1)
    .map((from) => ({ from, policies: at(from) }))
    .filter((g) => g.policies.length > 0);
  return { direct: at(node), inherited, notApplying, undecided };
}

/** Every node in display order (depth first), for keyboard navigation of the tree. */
export function toVisibleNodes(tree: TreeNode): TreeNode[] {
  return [tree, ...tree.children.flatMap(toVisibleNodes)];
}

/**
 * The node a key moves to in a tree view (WAI-ARIA tree pattern, every node expanded):
 * up/down to the previous/next visible node, Home/End to the first/last, Left to the parent,
 * Right to the first child. `undefined`: the key does nothing here.
 */
export function toFocusTarget(tree: TreeNode, currentId: string, key: string): string | undefined {
  const visible = toVisibleNodes(tree);
  const i = visible.findIndex((n) => n.id === currentId);
  if (i < 0) return undefined;
  switch (key) {
    case "ArrowDown":
      return visible[Math.min(i + 1, visible.length - 1)]?.id;
    case "ArrowUp":
      return visible[Math.max(i - 1, 0)]?.id;
    case "Home":
      return visible[0]?.id;
    case "End":
      return visible[visible.length - 1]?.id;
    case "ArrowLeft": {
      const path = toPath(tree, currentId);
      return path[path.length - 2]?.id;
    }
    case "ArrowRight":
      return visible[i]?.children[0]?.id;
    default:
      return undefined;
  }
}

/**
 * The node to show after saving a policy of this scope: a namespace may sit in any workspace,
 * so its policy is shown from the organization view's summary.
 */
export function toNodeRefOfScope(
  scope:
    | { readonly kind: "organization" }
    | { readonly kind: "workspace"; readonly workspace: string }
    | { readonly kind: "namespace" },
): NodeRef {
  return scope.kind === "workspace"
    ? { kind: "workspace", workspace: scope.workspace }
    : { kind: "organization" };
}

/** Words for a policy's scope in lists: "Workspace team-a", "Namespace tanzu (all clusters)". */
export function toScopeLabel(scope: PolicyScope): string {
  if (scope.kind === "organization") return "Organization";
  if (scope.kind === "workspace") return `Workspace ${scope.workspace}`;
  return scope.cluster === undefined
    ? `Namespace ${scope.namespace} (all clusters)`
    : `Namespace ${scope.cluster}/${scope.namespace}`;
}

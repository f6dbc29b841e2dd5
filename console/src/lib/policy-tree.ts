/**
 * The Policies page's hierarchy: organization → workspaces → their namespaces, and which
 * policies each node has directly (its scope is that node) or inherits (scoped above it).
 */

/** A node of the tree. A namespace node is one attachment: `cluster/namespace` of a workspace. */
import type { ImagePolicySpec } from "./api-types.js";
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
  readonly namespaces: readonly { readonly cluster: string; readonly namespace: string }[];
}

/** The fields of an ImagePolicy's spec that say where it applies. */
export type ScopeFields = Pick<ImagePolicySpec, "workspace" | "namespace">;

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
          const nsRef: NodeRef = { kind: "namespace", workspace: ws.name, ...a };
          return {
            id: toNodeId(nsRef),
            label: `${a.cluster}/${a.namespace}`,
            ref: nsRef,
            children: [],
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

/** Direct and inherited policies of the last node of `path` (root first). */
export function evaluateNodePolicies<P extends PolicyLike>(
  path: readonly TreeNode[],
  policies: readonly P[],
): NodePolicies<P> {
  const at = (node: TreeNode) =>
    policies.filter((p) => isAssignedAt(toPolicyScope(p.spec), node.ref));
  const node = path[path.length - 1];
  if (node === undefined) return { direct: [], inherited: [] };
  const inherited = path
    .slice(0, -1)
    .map((from) => ({ from, policies: at(from) }))
    .filter((g) => g.policies.length > 0);
  return { direct: at(node), inherited };
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

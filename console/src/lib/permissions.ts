import type { NodeRef, PolicyScope } from "./policy-tree.js";
import type { Whoami } from "./resources.js";

/**
 * Whether the caller may change (edit, delete) a policy of this scope, by the rules of
 * docs/control-plane.md (Authorization). The server decides; this only hides the buttons a
 * caller could not use. A workspace admin changes policies of its workspaces and of
 * CLUSTER/NAMESPACE scopes it can see (it sees those only when the namespace is attached to
 * one of its workspaces); organization-wide policies and bare namespace names, which reach
 * other workspaces, are for organization admins.
 */
export function canChangePolicy(whoami: Whoami, scope: PolicyScope): boolean {
  if (whoami.role === "admin" || whoami.role === "organization-admin") return true;
  if (whoami.role !== "workspace-admin") return false;
  switch (scope.kind) {
    case "organization":
      return false;
    case "workspace":
      return whoami.workspaces.includes(scope.workspace);
    case "namespace":
      return scope.cluster !== undefined;
  }
}

/** The scope a policy created at a node of the tree gets. */
export function toScopeOfNode(ref: NodeRef): PolicyScope {
  if (ref.kind === "organization") return { kind: "organization" };
  if (ref.kind === "workspace") return { kind: "workspace", workspace: ref.workspace };
  return { kind: "namespace", cluster: ref.cluster, namespace: ref.namespace };
}

import { WORKSPACE_LABEL } from "../policy/index.js";
import type { AttachmentRow, PolicyRow, Role } from "./store.js";

/**
 * Who is calling, as established from a token. `workspaces` limits a workspace-admin (always)
 * and a viewer (when not empty); `organization` is undefined only for `admin`.
 */
export interface Principal {
  readonly token: string;
  readonly role: Role;
  readonly organization: string | undefined;
  readonly workspaces: readonly string[];
  readonly cluster: string | undefined;
}

/** Does the token's reach stop at some workspaces (workspace-admin, or a limited viewer)? */
export function isWorkspaceLimited(p: Principal): boolean {
  return p.role === "workspace-admin" || (p.role === "viewer" && p.workspaces.length > 0);
}

/** Any role but an agent's, within its own organization (admin: every organization). */
export function canSeeOrganization(p: Principal, org: string): boolean {
  if (p.role === "admin") return true;
  return p.role !== "cluster-agent" && p.organization === org;
}

export function canAdministerOrganization(p: Principal, org: string): boolean {
  return p.role === "admin" || (p.role === "organization-admin" && p.organization === org);
}

/** The workspaces a caller may see: every one, or a list. */
export function visibleWorkspaces(p: Principal, org: string): "all" | readonly string[] {
  if (!canSeeOrganization(p, org)) return [];
  return isWorkspaceLimited(p) ? p.workspaces : "all";
}

export function canSeeWorkspace(p: Principal, org: string, workspace: string): boolean {
  const visible = visibleWorkspaces(p, org);
  return visible === "all" || visible.includes(workspace);
}

/** Change a workspace or its attachments: org admins, and that workspace's admin. */
export function canChangeWorkspace(p: Principal, org: string, workspace: string): boolean {
  if (canAdministerOrganization(p, org)) return true;
  return p.role === "workspace-admin" && p.organization === org && p.workspaces.includes(workspace);
}

/**
 * Namespaces that run the cluster itself (and Customs): attaching one hands a workspace the
 * power to write policies that can stop the control plane of the cluster, so only
 * organization admins may. A fixed list plus every `kube-` namespace (docs/control-plane.md).
 */
export const SYSTEM_NAMESPACES: readonly string[] = [
  "kube-system",
  "kube-public",
  "kube-node-lease",
  "customs-system",
];

export function isSystemNamespace(namespace: string): boolean {
  return SYSTEM_NAMESPACES.includes(namespace) || namespace.startsWith("kube-");
}

/** What is known of a namespace when someone asks to attach it to a workspace. */
export interface NamespaceClaim {
  readonly namespace: string;
  /** The agent's report of it (undefined: not reported yet). */
  readonly labels: Readonly<Record<string, string>> | undefined;
  /** The workspace it is attached to now, if any. */
  readonly attachedTo: string | undefined;
}

/**
 * The workspace that has rights over a namespace besides organization admins: the one its
 * current attachment names, else the one its `customs.dev/workspace` label names (the
 * cluster's own owners put that label there). None for system namespaces.
 */
export function owningWorkspace(claim: NamespaceClaim): string | undefined {
  if (isSystemNamespace(claim.namespace)) return undefined;
  if (claim.attachedTo !== undefined) return claim.attachedTo;
  const label = claim.labels?.[WORKSPACE_LABEL];
  return label === undefined || label === "" ? undefined : label;
}

/**
 * Attach a namespace to `workspace`. Changing the workspace is not enough: a workspace admin
 * would otherwise take any namespace (another team's, `kube-system`, one not reported yet)
 * and then write policies for it and read its violations. It needs rights over the namespace
 * too: the label or the existing attachment names its workspace. Org admins may attach any.
 */
export function canAttachNamespace(
  p: Principal,
  org: string,
  workspace: string,
  claim: NamespaceClaim,
): boolean {
  if (canAdministerOrganization(p, org)) return true;
  if (!canChangeWorkspace(p, org, workspace)) return false;
  return owningWorkspace(claim) === workspace;
}

/**
 * Move a namespace attached to another workspace into `workspace`: org admins, or the admin of
 * the workspace its `customs.dev/workspace` label names (the cluster's owners said it is
 * theirs, whoever attached it first). Never a system namespace for a workspace admin.
 */
export function canReclaimNamespace(
  p: Principal,
  org: string,
  workspace: string,
  claim: NamespaceClaim,
): boolean {
  if (canAdministerOrganization(p, org)) return true;
  if (!canChangeWorkspace(p, org, workspace) || isSystemNamespace(claim.namespace)) return false;
  return claim.labels?.[WORKSPACE_LABEL] === workspace;
}

/** The workspace a namespace of a cluster is attached to, if any. */
export function workspaceOfNamespace(
  attachments: readonly AttachmentRow[],
  cluster: string,
  namespace: string,
): string | undefined {
  return attachments.find((a) => a.cluster === cluster && a.namespace === namespace)?.workspace;
}

/** Workspaces a policy's scope lies in: for a bare namespace name, each cluster's attachment. */
function policyWorkspaces(
  scope: PolicyRow["scope"],
  attachments: readonly AttachmentRow[],
): readonly string[] {
  switch (scope.kind) {
    case "organization":
      return [];
    case "workspace":
      return [scope.workspace];
    case "namespace":
      return attachments
        .filter(
          (a) =>
            a.namespace === scope.namespace &&
            (scope.cluster === undefined || a.cluster === scope.cluster),
        )
        .map((a) => a.workspace);
  }
}

/**
 * Read a policy. A workspace-limited caller sees organization-wide policies (they apply to its
 * namespaces too) and those scoped to its workspaces or to a namespace attached to one of
 * them; never a policy of another workspace.
 */
export function canSeePolicy(
  p: Principal,
  org: string,
  scope: PolicyRow["scope"],
  attachments: readonly AttachmentRow[],
): boolean {
  const visible = visibleWorkspaces(p, org);
  if (visible === "all") return canSeeOrganization(p, org);
  if (!canSeeOrganization(p, org)) return false;
  if (scope.kind === "organization") return true;
  return policyWorkspaces(scope, attachments).some((w) => visible.includes(w));
}

/**
 * Create, change or delete a policy of this scope. A workspace admin may only touch policies
 * whose whole reach is inside its workspaces: scoped to one of them, or to CLUSTER/NAMESPACE
 * attached to one. A bare namespace name reaches every cluster, so it is for org admins.
 */
export function canWritePolicy(
  p: Principal,
  org: string,
  scope: PolicyRow["scope"],
  attachments: readonly AttachmentRow[],
): boolean {
  if (canAdministerOrganization(p, org)) return true;
  if (p.role !== "workspace-admin" || p.organization !== org) return false;
  if (scope.kind === "organization") return false;
  if (scope.kind === "namespace" && scope.cluster === undefined) return false;
  const within = policyWorkspaces(scope, attachments);
  return within.length > 0 && within.every((w) => p.workspaces.includes(w));
}

/**
 * Can a caller see a namespace (reported or attached)? Workspace-limited callers: only those
 * attached to, or labelled with, one of their workspaces.
 */
export function canSeeNamespace(
  p: Principal,
  org: string,
  workspaceOfIt: readonly string[],
): boolean {
  const visible = visibleWorkspaces(p, org);
  if (visible === "all") return canSeeOrganization(p, org);
  return workspaceOfIt.some((w) => visible.includes(w));
}

/** Workspace filter for insights and audit: undefined means every workspace. */
export function workspaceFilter(p: Principal, org: string): readonly string[] | undefined {
  const visible = visibleWorkspaces(p, org);
  return visible === "all" ? undefined : visible;
}

/** Tokens: org admins only (and only of roles up to their own). */
export function canManageTokens(p: Principal, org: string): boolean {
  return canAdministerOrganization(p, org);
}

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

import { ApiError } from "../../core/fleet/api-error.js";
import {
  canAdministerOrganization,
  canAttachNamespace,
  canChangeWorkspace,
  canReclaimNamespace,
  isSystemNamespace,
  type NamespaceClaim,
  type Principal,
  visibleWorkspaces,
} from "../../core/fleet/authorize.js";
import type { OrganizationRow, Page, PageRequest, WorkspaceRow } from "../../core/fleet/store.js";
import { isDnsLabel } from "../../core/policy/index.js";
import { type NamedBody, toSpec } from "./bodies.js";
import {
  actorOf,
  type FleetContext,
  forbidden,
  requireOrganization,
  requireWorkspace,
  withCurrentOnConflict,
} from "./context.js";

export function toOrganization(row: OrganizationRow) {
  return { metadata: row.metadata, spec: row.spec, status: { revision: row.revision } };
}

export function toWorkspace(row: WorkspaceRow) {
  return { metadata: row.metadata, spec: row.spec };
}

export async function listOrganizations(ctx: FleetContext, p: Principal, page: PageRequest) {
  if (p.role === "cluster-agent") return { items: [], next: undefined };
  const only = p.role === "admin" || p.organization === undefined ? undefined : [p.organization];
  const rows = await ctx.store.listOrganizations(page, only);
  return { items: rows.items.map(toOrganization), next: rows.next };
}

export async function getOrganization(ctx: FleetContext, p: Principal, org: string) {
  requireOrganization(p, org);
  return toOrganization(await ctx.store.getOrganization(org));
}

export async function createOrganization(ctx: FleetContext, p: Principal, body: NamedBody) {
  if (p.role !== "admin") throw forbidden("create organizations");
  const row = await ctx.store.createOrganization(actorOf(p), body.name, toSpec(body));
  return toOrganization(row);
}

export async function updateOrganization(
  ctx: FleetContext,
  p: Principal,
  org: string,
  body: NamedBody,
  resourceVersion: string,
) {
  requireOrganization(p, org);
  if (!canAdministerOrganization(p, org)) throw forbidden("change this organization");
  nameMatches(body.name, org);
  const row = await withCurrentOnConflict(
    () => ctx.store.updateOrganization(actorOf(p), org, toSpec(body), { resourceVersion }),
    () => ctx.store.getOrganization(org),
  );
  ctx.hub.changed(org);
  return toOrganization(row);
}

export async function deleteOrganization(
  ctx: FleetContext,
  p: Principal,
  org: string,
  resourceVersion: string,
) {
  requireOrganization(p, org);
  if (!canAdministerOrganization(p, org)) throw forbidden("delete this organization");
  await withCurrentOnConflict(
    () => ctx.store.deleteOrganization(actorOf(p), org, { resourceVersion }),
    () => ctx.store.getOrganization(org),
  );
  ctx.hub.changed(org);
}

export function nameMatches(bodyName: string, pathName: string): void {
  if (bodyName !== pathName) {
    throw new ApiError(
      "API_NAME_MISMATCH",
      `metadata.name "${bodyName}" differs from "${pathName}" in the path`,
    );
  }
}

export async function listWorkspaces(
  ctx: FleetContext,
  p: Principal,
  org: string,
  page: PageRequest,
): Promise<Page<ReturnType<typeof toWorkspace>>> {
  requireOrganization(p, org);
  const visible = visibleWorkspaces(p, org);
  const rows = await ctx.store.listWorkspaces(org, page, visible === "all" ? undefined : visible);
  return { items: rows.items.map(toWorkspace), next: rows.next };
}

export async function getWorkspace(ctx: FleetContext, p: Principal, org: string, ws: string) {
  requireWorkspace(p, org, ws);
  return toWorkspace(await ctx.store.getWorkspace(org, ws));
}

export async function createWorkspace(
  ctx: FleetContext,
  p: Principal,
  org: string,
  body: NamedBody,
) {
  requireOrganization(p, org);
  if (!canAdministerOrganization(p, org)) throw forbidden("create workspaces");
  const row = await ctx.store.createWorkspace(actorOf(p), org, body.name, toSpec(body));
  ctx.hub.changed(org);
  return toWorkspace(row);
}

export async function updateWorkspace(
  ctx: FleetContext,
  p: Principal,
  org: string,
  ws: string,
  body: NamedBody,
  resourceVersion: string,
) {
  requireWorkspace(p, org, ws);
  if (!canChangeWorkspace(p, org, ws)) throw forbidden(`change workspace "${ws}"`);
  nameMatches(body.name, ws);
  const row = await withCurrentOnConflict(
    () => ctx.store.updateWorkspace(actorOf(p), org, ws, toSpec(body), { resourceVersion }),
    () => ctx.store.getWorkspace(org, ws),
  );
  ctx.hub.changed(org);
  return toWorkspace(row);
}

export async function deleteWorkspace(
  ctx: FleetContext,
  p: Principal,
  org: string,
  ws: string,
  resourceVersion: string,
) {
  requireWorkspace(p, org, ws);
  if (!canAdministerOrganization(p, org)) throw forbidden(`delete workspace "${ws}"`);
  await withCurrentOnConflict(
    () => ctx.store.deleteWorkspace(actorOf(p), org, ws, { resourceVersion }),
    () => ctx.store.getWorkspace(org, ws),
  );
  ctx.hub.changed(org);
}

/** Attached namespaces of a workspace, with whether (and with which labels) they were reported. */
export async function listWorkspaceNamespaces(
  ctx: FleetContext,
  p: Principal,
  org: string,
  ws: string,
) {
  requireWorkspace(p, org, ws);
  await ctx.store.getWorkspace(org, ws);
  const [attachments, reported] = await Promise.all([
    ctx.store.listAttachments(org, { workspace: ws }),
    ctx.store.listNamespaces(org),
  ]);
  const byName = new Map(reported.map((n) => [`${n.cluster}/${n.name}`, n]));
  const items = attachments.map((a) => {
    const ns = byName.get(`${a.cluster}/${a.namespace}`);
    return {
      cluster: a.cluster,
      namespace: a.namespace,
      ...(ns === undefined ? {} : { labels: ns.labels }),
      reported: ns !== undefined,
      attachedAt: a.attachedAt,
      attachedBy: a.attachedBy,
    };
  });
  return { items };
}

function checkNamespaceName(cluster: string, ns: string): void {
  const details = [];
  if (!isDnsLabel(cluster)) details.push({ path: "cluster", message: "not an RFC 1123 label" });
  if (!isDnsLabel(ns)) details.push({ path: "namespace", message: "not an RFC 1123 label" });
  if (details.length > 0) throw new ApiError("API_INVALID", "invalid namespace", { details });
}

type NamespaceTarget = { org: string; ws: string; cluster: string; ns: string };

/**
 * What decides who may attach or reclaim a namespace (its reported labels and its attachment),
 * once the caller may change the workspace and the workspace and cluster exist.
 */
async function claimFor(
  ctx: FleetContext,
  p: Principal,
  t: NamespaceTarget,
): Promise<NamespaceClaim> {
  requireWorkspace(p, t.org, t.ws);
  if (!canChangeWorkspace(p, t.org, t.ws)) throw forbidden(`attach namespaces to "${t.ws}"`);
  checkNamespaceName(t.cluster, t.ns);
  await ctx.store.getWorkspace(t.org, t.ws);
  await ctx.store.getCluster(t.org, t.cluster);
  const [reported, attachments] = await Promise.all([
    ctx.store.listNamespaces(t.org, t.cluster),
    ctx.store.listAttachments(t.org, { cluster: t.cluster }),
  ]);
  return {
    namespace: t.ns,
    labels: reported.find((n) => n.name === t.ns)?.labels,
    attachedTo: attachments.find((a) => a.namespace === t.ns)?.workspace,
  };
}

function refusedAttach(ns: string, ws: string): ApiError {
  return forbidden(
    isSystemNamespace(ns)
      ? `attach the system namespace "${ns}" (organization admins only)`
      : `attach "${ns}" to "${ws}": only a namespace labelled customs.dev/workspace=${ws} (or an organization admin)`,
  );
}

/**
 * PUT attach. A namespace held by another workspace is a 409 whoever asks (the message never
 * names that workspace); moving it is the explicit reclaim below, never a side effect.
 */
export async function attachNamespace(ctx: FleetContext, p: Principal, target: NamespaceTarget) {
  const { org, ws, cluster, ns } = target;
  const claim = await claimFor(ctx, p, target);
  if (claim.attachedTo === undefined || claim.attachedTo === ws) {
    if (!canAttachNamespace(p, org, ws, claim)) throw refusedAttach(ns, ws);
  }
  const row = await ctx.store.attach(actorOf(p), org, ws, cluster, ns);
  ctx.hub.changed(org);
  return row;
}

/**
 * Moves a namespace's attachment to `ws` (audited for both workspaces): for organization
 * admins, and for the admin of the workspace the namespace's `customs.dev/workspace` label
 * names, so a team can take back a namespace someone else attached first.
 */
export async function reclaimNamespace(ctx: FleetContext, p: Principal, target: NamespaceTarget) {
  const { org, ws, cluster, ns } = target;
  const claim = await claimFor(ctx, p, target);
  if (!canReclaimNamespace(p, org, ws, claim)) {
    throw forbidden(
      isSystemNamespace(ns)
        ? `reclaim the system namespace "${ns}" (organization admins only)`
        : `reclaim "${ns}" for "${ws}": its customs.dev/workspace label must name "${ws}"`,
    );
  }
  const row = await ctx.store.reclaim(actorOf(p), org, ws, cluster, ns);
  ctx.hub.changed(org);
  return row;
}

export async function detachNamespace(ctx: FleetContext, p: Principal, target: NamespaceTarget) {
  const { org, ws, cluster, ns } = target;
  requireWorkspace(p, org, ws);
  if (!canChangeWorkspace(p, org, ws)) throw forbidden(`detach namespaces from "${ws}"`);
  await ctx.store.detach(actorOf(p), org, ws, cluster, ns);
  ctx.hub.changed(org);
}

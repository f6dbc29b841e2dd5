import { ApiError } from "../../core/fleet/api-error.js";
import {
  canAdministerOrganization,
  canSeeNamespace,
  type Principal,
} from "../../core/fleet/authorize.js";
import type { ClusterRow, PageRequest } from "../../core/fleet/store.js";
import { WORKSPACE_LABEL } from "../../core/policy/index.js";
import { agentInstallFor } from "./agent-install.js";
import { type NamedBody, toSpec } from "./bodies.js";
import {
  actorOf,
  type FleetContext,
  forbidden,
  requireOrganization,
  withCurrentOnConflict,
} from "./context.js";
import { storeNewToken } from "./token-admin.js";

/** An agent not heard from for this long is `disconnected`. */
export const CONNECTED_WITHIN_MS = 90_000;

export function phaseOf(lastSeen: string | undefined, now: Date) {
  if (lastSeen === undefined) return "pending";
  return now.getTime() - Date.parse(lastSeen) < CONNECTED_WITHIN_MS ? "connected" : "disconnected";
}

export function toCluster(row: ClusterRow, now: Date) {
  return {
    metadata: row.metadata,
    spec: row.spec,
    status: {
      ...row.status,
      phase: phaseOf(row.status.lastSeen, now),
      // In sync: the agent reported (by its digest) a bundle whose signature it verified,
      // and it is the one delivered last. A revision number alone proves neither.
      inSync:
        row.status.appliedDigest !== undefined &&
        row.status.appliedDigest === row.status.deliveredDigest,
    },
  };
}

/** The agent token of a cluster is named after it; `:` keeps it apart from people's tokens. */
export function agentTokenName(cluster: string): string {
  return `agent:${cluster}`;
}

export async function listClusters(
  ctx: FleetContext,
  p: Principal,
  org: string,
  page: PageRequest,
) {
  requireOrganization(p, org);
  const rows = await ctx.store.listClusters(org, page);
  const now = ctx.now();
  return { items: rows.items.map((r) => toCluster(r, now)), next: rows.next };
}

export async function getCluster(ctx: FleetContext, p: Principal, org: string, name: string) {
  requireOrganization(p, org);
  return toCluster(await ctx.store.getCluster(org, name), ctx.now());
}

/** Creates a cluster and its agent token; the token's text is in the answer only this once. */
export async function createCluster(ctx: FleetContext, p: Principal, org: string, body: NamedBody) {
  requireOrganization(p, org);
  if (!canAdministerOrganization(p, org)) throw forbidden("register clusters");
  const row = await ctx.store.createCluster(actorOf(p), org, body.name, toSpec(body));
  const { token } = await storeNewToken(ctx, p, {
    organization: org,
    name: agentTokenName(body.name),
    role: "cluster-agent",
    workspaces: [],
    cluster: body.name,
  });
  ctx.hub.changed(org);
  // The token exists in clear only in this answer, so the ready-to-apply agent manifest and
  // Helm values that carry it are made now too.
  const install =
    ctx.agentInstall === undefined
      ? undefined
      : await agentInstallFor(ctx.agentInstall, body.name, token.text);
  return {
    ...toCluster(row, ctx.now()),
    agentToken: token.text,
    ...(install === undefined ? {} : { install }),
  };
}

export async function deleteCluster(
  ctx: FleetContext,
  p: Principal,
  org: string,
  name: string,
  resourceVersion: string,
) {
  requireOrganization(p, org);
  if (!canAdministerOrganization(p, org)) throw forbidden("delete clusters");
  await withCurrentOnConflict(
    () => ctx.store.deleteCluster(actorOf(p), org, name, { resourceVersion }),
    () => ctx.store.getCluster(org, name),
  );
  try {
    await ctx.store.revokeToken(actorOf(p), org, agentTokenName(name));
  } catch (e) {
    // The store may have removed it with the cluster already.
    if ((e as { code?: string }).code !== "STORE_NOT_FOUND") throw e;
  }
  ctx.hub.changed(org);
}

/** Reported namespaces of a cluster with their workspace; workspace roles see only theirs. */
export async function listClusterNamespaces(
  ctx: FleetContext,
  p: Principal,
  org: string,
  cluster: string,
) {
  requireOrganization(p, org);
  await ctx.store.getCluster(org, cluster);
  const [namespaces, attachments] = await Promise.all([
    ctx.store.listNamespaces(org, cluster),
    ctx.store.listAttachments(org, { cluster }),
  ]);
  const items = [];
  for (const ns of namespaces) {
    const workspace = attachments.find((a) => a.namespace === ns.name)?.workspace;
    const label = ns.labels[WORKSPACE_LABEL];
    const of = [workspace, label].filter((w): w is string => w !== undefined && w !== "");
    if (!canSeeNamespace(p, org, of)) continue;
    items.push({ name: ns.name, labels: ns.labels, ...(workspace ? { workspace } : {}) });
  }
  return { items };
}

/** The organization and cluster of an agent's token; any other token is refused. */
export function agentOf(p: Principal): { org: string; cluster: string } {
  if (p.role !== "cluster-agent" || p.organization === undefined || p.cluster === undefined) {
    throw new ApiError("API_FORBIDDEN", "only a cluster-agent token may use the agent endpoints");
  }
  return { org: p.organization, cluster: p.cluster };
}

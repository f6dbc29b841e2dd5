import { ApiError } from "../../core/fleet/api-error.js";
import {
  canAdministerOrganization,
  type Principal,
  workspaceFilter,
} from "../../core/fleet/authorize.js";
import type { PageRequest, ViolationFilter } from "../../core/fleet/store.js";
import { markDeleted } from "./compliance.js";
import { type FleetContext, forbidden, requireOrganization } from "./context.js";

const GROUPS = ["cluster", "namespace", "policy", "image"] as const;
export type GroupBy = (typeof GROUPS)[number];

/** `?cluster=&namespace=&policy=&image=&since=` as a store filter, limited to the caller's workspaces. */
export function toViolationFilter(
  p: Principal,
  org: string,
  query: URLSearchParams,
): ViolationFilter {
  const since = query.get("since") ?? undefined;
  if (since !== undefined && Number.isNaN(Date.parse(since))) {
    throw new ApiError("API_INVALID", "since must be an RFC 3339 time", {
      details: [{ path: "since", message: "must be an RFC 3339 time" }],
    });
  }
  const filter: Record<string, unknown> = {};
  for (const key of ["cluster", "namespace", "policy", "image"] as const) {
    const v = query.get(key);
    if (v !== null && v !== "") filter[key] = v;
  }
  if (since !== undefined) filter.since = new Date(since).toISOString();
  const workspaces = workspaceFilter(p, org);
  if (workspaces !== undefined) filter.workspaces = workspaces;
  return filter as ViolationFilter;
}

export function toGroupBy(text: string | null): GroupBy {
  const g = text ?? "policy";
  if (!GROUPS.includes(g as GroupBy)) {
    throw new ApiError("API_INVALID", `groupBy must be one of ${GROUPS.join(", ")}`, {
      details: [{ path: "groupBy", message: `must be one of ${GROUPS.join(", ")}` }],
    });
  }
  return g as GroupBy;
}

/** Violation counts grouped by one dimension, biggest first. */
export async function countViolations(
  ctx: FleetContext,
  p: Principal,
  org: string,
  query: URLSearchParams,
) {
  requireOrganization(p, org);
  const groupBy = toGroupBy(query.get("groupBy"));
  const groups = await ctx.store.countViolations(org, groupBy, toViolationFilter(p, org, query));
  if (groupBy !== "policy") return { groupBy, items: groups };
  const marked = await markDeleted(
    ctx,
    org,
    groups.map((g) => ({ ...g, policy: g.key })),
  );
  return { groupBy, items: marked.map(({ policy: _policy, ...g }) => g) };
}

export async function listViolations(
  ctx: FleetContext,
  p: Principal,
  org: string,
  query: URLSearchParams,
  page: PageRequest,
) {
  requireOrganization(p, org);
  const listed = await ctx.store.listViolations(org, toViolationFilter(p, org, query), page);
  return { items: await markDeleted(ctx, org, listed.items), next: listed.next };
}

/** The audit log: org admins see all of it, workspace admins the entries of their workspaces. */
export async function listAudit(ctx: FleetContext, p: Principal, org: string, page: PageRequest) {
  requireOrganization(p, org);
  if (!canAdministerOrganization(p, org) && p.role !== "workspace-admin") {
    throw forbidden("read the audit log");
  }
  const workspaces = workspaceFilter(p, org);
  return ctx.store.listAudit(org, page, workspaces === undefined ? {} : { workspaces });
}

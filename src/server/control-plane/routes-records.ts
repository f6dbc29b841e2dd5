import {
  compliance,
  complianceCsv,
  complianceTrend,
  countViolations,
  createAdminToken,
  createApiToken,
  dailyViolations,
  failingCsv,
  listAdminTokens,
  listAudit,
  listFailing,
  listTokens,
  listViolations,
  parseAdminTokenBody,
  parseTokenBody,
  previewPolicy,
  revokeAdminToken,
  revokeApiToken,
  rotateAdminToken,
  rotateApiToken,
  seriesCsv,
  violationsCsv,
  wantsCsv,
} from "../../app/fleet/index.js";
import { toListBody, toPageRequest } from "./paging.js";
import { created, noContent, ok, paged, param } from "./replies.js";
import type { Reply, Route } from "./router.js";

/** `?format=csv`: the list as CSV (docs/control-plane.md, CSV export). */
function csv(text: string, name: string): Reply {
  return {
    status: 200,
    text,
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${name}.csv"`,
    },
  };
}
const COMPLIANCE_FILTERS = ["cluster", "namespace", "policy", "format"];

const ORG = "/api/v1/organizations/{org}";
const FILTERS = ["cluster", "namespace", "policy", "image", "since"];

export const recordRoutes: readonly Route[] = [
  {
    method: "GET",
    path: "/api/v1/whoami",
    response: "Whoami",
    summary: "The caller's token name, role, organization and workspaces",
    roles: "any",
    handler: async (c) => {
      const { token, role, organization, workspaces, cluster } = c.principal;
      return ok({ token, role, organization, workspaces, ...(cluster ? { cluster } : {}) });
    },
  },
  {
    method: "POST",
    path: `${ORG}/policies/preview`,
    response: "PreviewResponse",
    summary: "Validate a policy and decide sample images: {policy, images, namespace?}",
    body: "PreviewRequest",
    success: 200,
    roles: "any in the organization",
    handler: async (c) =>
      ok(await previewPolicy(c.ctx, c.principal, param(c, "org"), await c.body())),
  },
  {
    method: "GET",
    path: `${ORG}/insights`,
    response: "Insights",
    summary: "Violation counts (?groupBy=cluster|namespace|policy|image, ?since=RFC3339)",
    roles: "who sees them (workspace roles: their namespaces)",
    query: ["groupBy", ...FILTERS],
    handler: async (c) => ok(await countViolations(c.ctx, c.principal, param(c, "org"), c.query)),
  },
  {
    method: "GET",
    path: `${ORG}/insights/violations`,
    response: "ViolationList",
    summary: "Violation records, newest first",
    roles: "who sees them (workspace roles: their namespaces)",
    query: ["limit", "continue", ...FILTERS, "format"],
    handler: async (c) => {
      const page = await listViolations(
        c.ctx,
        c.principal,
        param(c, "org"),
        c.query,
        toPageRequest(c.query),
      );
      return wantsCsv(c.query)
        ? csv(violationsCsv(page.items), "violations")
        : ok(toListBody(page));
    },
  },
  {
    method: "GET",
    path: `${ORG}/violations/daily`,
    response: "ViolationsDaily",
    summary: "Events per UTC day by cluster or policy (?days=30&by=cluster|policy), counts summed",
    roles: "who sees them (workspace roles: their namespaces)",
    query: ["days", "by", ...FILTERS, "format"],
    handler: async (c) => {
      const result = await dailyViolations(c.ctx, c.principal, param(c, "org"), c.query);
      return wantsCsv(c.query)
        ? csv(
            seriesCsv(result.by, result.series, ["day", "count", "denied", "warned", "audited"]),
            "violations-daily",
          )
        : ok(result);
    },
  },
  {
    method: "GET",
    path: `${ORG}/compliance`,
    response: "Compliance",
    summary:
      "Current compliance from the clusters' inventories (?groupBy=cluster|workspace|namespace|workload|policy)",
    roles: "who sees them (workspace roles: their namespaces)",
    query: ["groupBy", ...COMPLIANCE_FILTERS],
    handler: async (c) => {
      const result = await compliance(c.ctx, c.principal, param(c, "org"), c.query);
      return wantsCsv(c.query) ? csv(complianceCsv(result), "compliance") : ok(result);
    },
  },
  {
    method: "GET",
    path: `${ORG}/compliance/failing`,
    response: "FailingWorkloadList",
    summary: "Running workloads that fail a policy now, with their failing results",
    roles: "who sees them (workspace roles: their namespaces)",
    query: ["limit", "continue", ...COMPLIANCE_FILTERS],
    handler: async (c) => {
      const page = await listFailing(
        c.ctx,
        c.principal,
        param(c, "org"),
        c.query,
        toPageRequest(c.query),
      );
      return wantsCsv(c.query) ? csv(failingCsv(page.items), "failing") : ok(toListBody(page));
    },
  },
  {
    method: "GET",
    path: `${ORG}/compliance/trend`,
    response: "ComplianceTrend",
    summary: "Daily compliance (?days=30&by=cluster|policy), from each day's last reports",
    roles: "who sees them (workspace roles: their namespaces)",
    query: ["days", "by", ...COMPLIANCE_FILTERS],
    handler: async (c) => {
      const result = await complianceTrend(c.ctx, c.principal, param(c, "org"), c.query);
      return wantsCsv(c.query)
        ? csv(
            seriesCsv(result.by, result.series, [
              "day",
              "workloads",
              "failing",
              "warning",
              "compliantPercent",
            ]),
            "compliance-trend",
          )
        : ok(result);
    },
  },
  {
    method: "GET",
    path: `${ORG}/audit`,
    response: "AuditList",
    summary: "The audit log, newest first",
    roles: "organization-admin (workspace-admin: entries of its workspaces)",
    query: ["limit", "continue"],
    handler: paged((c, page) => listAudit(c.ctx, c.principal, param(c, "org"), page)),
  },
  {
    method: "GET",
    path: `${ORG}/tokens`,
    response: "TokenList",
    summary: "List API tokens (names and roles; never secrets)",
    roles: "organization-admin",
    handler: async (c) => ok(await listTokens(c.ctx, c.principal, param(c, "org"))),
  },
  {
    method: "POST",
    path: `${ORG}/tokens`,
    response: "TokenCreated",
    summary:
      "Create a token {metadata:{name}, spec:{role, workspaces?}}; the answer holds it, once",
    body: "TokenRequest",
    roles: "organization-admin",
    handler: async (c) =>
      created(
        await createApiToken(c.ctx, c.principal, param(c, "org"), parseTokenBody(await c.body())),
      ),
  },
  {
    method: "DELETE",
    path: `${ORG}/tokens/{name}`,
    summary: "Revoke a token",
    roles: "organization-admin",
    handler: async (c) => {
      await revokeApiToken(c.ctx, c.principal, param(c, "org"), param(c, "name"));
      return noContent;
    },
  },
  {
    method: "POST",
    path: `${ORG}/tokens/{name}/rotate`,
    response: "TokenCreated",
    summary: "Replace a token's secret (same name, role and reach); the answer holds it, once",
    success: 200,
    roles: "organization-admin",
    handler: async (c) =>
      ok(await rotateApiToken(c.ctx, c.principal, param(c, "org"), param(c, "name"))),
  },
  {
    method: "GET",
    path: "/api/v1/tokens",
    response: "TokenList",
    summary: "List admin tokens (tokens of no organization; never secrets)",
    roles: "admin",
    handler: async (c) => ok(await listAdminTokens(c.ctx, c.principal)),
  },
  {
    method: "POST",
    path: "/api/v1/tokens",
    response: "TokenCreated",
    summary:
      "Create an admin token {metadata:{name}, spec:{role: admin}}; the answer holds it, once",
    body: "AdminTokenRequest",
    roles: "admin",
    handler: async (c) =>
      created(await createAdminToken(c.ctx, c.principal, parseAdminTokenBody(await c.body()).name)),
  },
  {
    method: "DELETE",
    path: "/api/v1/tokens/{name}",
    summary: "Revoke an admin token (never the last live one: 409 LAST_ADMIN_TOKEN)",
    roles: "admin",
    handler: async (c) => {
      await revokeAdminToken(c.ctx, c.principal, param(c, "name"));
      return noContent;
    },
  },
  {
    method: "POST",
    path: "/api/v1/tokens/{name}/rotate",
    response: "TokenCreated",
    summary: "Replace an admin token's secret; the answer holds the new token, once",
    success: 200,
    roles: "admin",
    handler: async (c) => ok(await rotateAdminToken(c.ctx, c.principal, param(c, "name"))),
  },
];

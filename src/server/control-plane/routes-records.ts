import {
  countViolations,
  createAdminToken,
  createApiToken,
  listAdminTokens,
  listAudit,
  listTokens,
  listViolations,
  parseAdminTokenBody,
  parseTokenBody,
  previewPolicy,
  revokeAdminToken,
  revokeApiToken,
  rotateAdminToken,
  rotateApiToken,
} from "../../app/fleet/index.js";
import { created, noContent, ok, paged, param } from "./replies.js";
import type { Route } from "./router.js";

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
    query: ["limit", "continue", ...FILTERS],
    handler: paged((c, page) => listViolations(c.ctx, c.principal, param(c, "org"), c.query, page)),
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

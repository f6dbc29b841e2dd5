import { ApiError } from "../../core/fleet/api-error.js";
import { canManageTokens, type Principal } from "../../core/fleet/authorize.js";
import type { TokenRow } from "../../core/fleet/store.js";
import { actorOf, type FleetContext, forbidden, requireOrganization } from "./context.js";
import { type IssuedToken, issueToken } from "./tokens.js";

/** A token as listed: never its hash, never its secret. */
export function toTokenView(row: TokenRow) {
  return {
    metadata: {
      name: row.name,
      id: row.id,
      creationTimestamp: row.createdAt,
      createdBy: row.createdBy,
    },
    spec: {
      role: row.role,
      workspaces: row.workspaces,
      ...(row.cluster === undefined ? {} : { cluster: row.cluster }),
    },
    status: {
      revoked: row.revokedAt !== undefined,
      ...(row.revokedAt ? { revokedAt: row.revokedAt } : {}),
      ...(row.lastUsedAt ? { lastUsedAt: row.lastUsedAt } : {}),
    },
  };
}

/**
 * A fresh token stored with what it may reach, made by `p` now. Its text is in the answer
 * only: the store keeps the secret's hash.
 */
export async function storeNewToken(
  ctx: FleetContext,
  p: Principal,
  reach: Pick<TokenRow, "organization" | "name" | "role" | "workspaces" | "cluster">,
): Promise<{ row: TokenRow; token: IssuedToken }> {
  const token = issueToken();
  const row = await ctx.store.createToken(actorOf(p), {
    ...reach,
    id: token.id,
    secretHash: token.secretHash,
    createdAt: ctx.now().toISOString(),
    createdBy: p.token,
    revokedAt: undefined,
  });
  return { row, token };
}

function requireTokenAdmin(p: Principal, org: string): void {
  requireOrganization(p, org);
  if (!canManageTokens(p, org)) throw forbidden("manage tokens");
}

export async function listTokens(ctx: FleetContext, p: Principal, org: string) {
  requireTokenAdmin(p, org);
  const rows = await ctx.store.listTokens(org);
  return { items: rows.map(toTokenView) };
}

/** A new token of the organization; its text is in the answer only this once. */
export async function createApiToken(
  ctx: FleetContext,
  p: Principal,
  org: string,
  body: { name: string; role: TokenRow["role"]; workspaces: string[] },
) {
  requireTokenAdmin(p, org);
  for (const [i, ws] of body.workspaces.entries()) {
    try {
      await ctx.store.getWorkspace(org, ws);
    } catch (e) {
      if ((e as { code?: string }).code !== "STORE_NOT_FOUND") throw e;
      throw new ApiError("API_WORKSPACE_NOT_FOUND", `no workspace "${ws}"`, {
        details: [{ path: `spec.workspaces[${i}]`, message: `no workspace "${ws}"` }],
      });
    }
  }
  const { row, token } = await storeNewToken(ctx, p, {
    organization: org,
    name: body.name,
    role: body.role,
    workspaces: body.workspaces,
    cluster: undefined,
  });
  return { ...toTokenView(row), token: token.text };
}

export async function revokeApiToken(ctx: FleetContext, p: Principal, org: string, name: string) {
  requireTokenAdmin(p, org);
  await ctx.store.revokeToken(actorOf(p), org, name);
}

/** Replaces the token's secret: same name, role and reach; the old text stops working at once. */
export async function rotateApiToken(ctx: FleetContext, p: Principal, org: string, name: string) {
  requireTokenAdmin(p, org);
  return rotate(ctx, p, org, name);
}

async function rotate(ctx: FleetContext, p: Principal, org: string | undefined, name: string) {
  const token = issueToken();
  const row = await ctx.store.rotateToken(actorOf(p), org, name, {
    id: token.id,
    secretHash: token.secretHash,
    createdAt: ctx.now().toISOString(),
    createdBy: p.token,
  });
  return { ...toTokenView(row), token: token.text };
}

/**
 * Tokens of no organization: the `admin` ones (the first is made at first start). Only an
 * `admin` manages them, so the first token can be replaced (rotate) or, once another admin
 * token exists, revoked; the last live one cannot be revoked (409 LAST_ADMIN_TOKEN).
 */
function requireAdmin(p: Principal): void {
  if (p.role !== "admin") throw forbidden("manage admin tokens");
}

export async function listAdminTokens(ctx: FleetContext, p: Principal) {
  requireAdmin(p);
  return { items: (await ctx.store.listTokens(undefined)).map(toTokenView) };
}

export async function createAdminToken(ctx: FleetContext, p: Principal, name: string) {
  requireAdmin(p);
  const { row, token } = await storeNewToken(ctx, p, {
    organization: undefined,
    name,
    role: "admin",
    workspaces: [],
    cluster: undefined,
  });
  return { ...toTokenView(row), token: token.text };
}

export async function revokeAdminToken(ctx: FleetContext, p: Principal, name: string) {
  requireAdmin(p);
  await ctx.store.revokeToken(actorOf(p), undefined, name);
}

export async function rotateAdminToken(ctx: FleetContext, p: Principal, name: string) {
  requireAdmin(p);
  return rotate(ctx, p, undefined, name);
}

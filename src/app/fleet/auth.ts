import { ApiError } from "../../core/fleet/api-error.js";
import type { Principal } from "../../core/fleet/authorize.js";
import type { FleetStore, TokenRow } from "../../core/fleet/store.js";
import type { FailureLimiter } from "./rate-limit.js";
import { isSecretOf, toTokenParts } from "./tokens.js";

export interface AuthContext {
  readonly store: FleetStore;
  readonly limiter: FailureLimiter;
  /** The clock of `lastUsedAt`. */
  readonly now?: () => Date;
  /** Told about each failure with the token's id (never its secret). */
  readonly onFailure?: (address: string, tokenId: string | undefined, reason: string) => void;
}

function unauthenticated(): ApiError {
  return new ApiError(
    "API_UNAUTHENTICATED",
    "a valid token is needed (Authorization: Bearer cst_…)",
  );
}

function rateLimited(ms: number): ApiError {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return new ApiError(
    "API_RATE_LIMITED",
    "too many failed authentications with this token or from this address",
    { retryAfterSeconds: seconds },
  );
}

/** `lastUsedAt` is kept to the minute: one write per token per minute, not one per request. */
const USE_RESOLUTION_MS = 60_000;

/** Records the use; a failed write must not fail the request it records. */
async function noteUse(ctx: AuthContext, row: TokenRow): Promise<void> {
  const now = (ctx.now ?? (() => new Date()))();
  const last = row.lastUsedAt === undefined ? Number.NaN : Date.parse(row.lastUsedAt);
  if (now.getTime() - last < USE_RESOLUTION_MS) return;
  await ctx.store.touchToken(row.id, now.toISOString()).catch(() => {});
}

// Compared against when the id is unknown, so an unknown id costs what a wrong secret does.
const NO_SECRET_HASH = "0".repeat(64);

/**
 * Establishes the caller from `Authorization: Bearer cst_<id>_<secret>`. Unknown ids, wrong
 * secrets and revoked tokens all answer the same 401 and count as failures of the token id
 * presented (`id:…`) and of the client address (`address:…`).
 *
 * A token is verified before the limiter is asked, at the same cost whether its id exists or
 * not: one that verifies always passes, so no failure of someone else (a neighbour behind
 * the same address, an attacker presenting the same id) ever refuses it. Only failures are
 * refused (429) while one of their keys is blocked; since unknown ids and wrong secrets are
 * counted alike, a 429 says no more about a token than the 401 would have.
 */
export async function authenticate(
  ctx: AuthContext,
  authorization: string | undefined,
  address: string,
): Promise<Principal> {
  // A request without any token is not an attack on a token: it is not counted.
  if (authorization === undefined) throw unauthenticated();
  const match = /^Bearer (\S+)$/i.exec(authorization);
  const parts = match?.[1] === undefined ? undefined : toTokenParts(match[1]);
  const row = parts === undefined ? undefined : await ctx.store.findToken(parts.id);
  const secretMatches =
    parts !== undefined && isSecretOf(parts.secret, row?.secretHash ?? NO_SECRET_HASH);
  let reason: string | undefined;
  if (parts === undefined) reason = "malformed token";
  else if (row === undefined) reason = "unknown token";
  else if (!secretMatches) reason = "wrong secret";
  else if (row.revokedAt !== undefined) reason = "revoked token";
  if (reason === undefined && row !== undefined) {
    ctx.limiter.succeed(`id:${row.id}`);
    await noteUse(ctx, row);
    return {
      token: row.name,
      role: row.role,
      organization: row.organization,
      workspaces: row.workspaces,
      cluster: row.cluster,
    };
  }
  const keys = [`address:${address}`, ...(parts === undefined ? [] : [`id:${parts.id}`])];
  const wait = Math.max(...keys.map((k) => ctx.limiter.retryAfterMs(k)));
  if (wait > 0) throw rateLimited(wait);
  for (const k of keys) ctx.limiter.fail(k);
  ctx.onFailure?.(address, parts?.id, reason ?? "unknown token");
  throw unauthenticated();
}

import { ApiError } from "../../core/fleet/api-error.js";
import type { Principal } from "../../core/fleet/authorize.js";
import type { FleetStore } from "../../core/fleet/store.js";
import type { FailureLimiter } from "./rate-limit.js";
import { isSecretOf, toTokenParts } from "./tokens.js";

export interface AuthContext {
  readonly store: FleetStore;
  readonly limiter: FailureLimiter;
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
  return new ApiError("API_RATE_LIMITED", "too many failed authentications from this address", {
    retryAfterSeconds: seconds,
  });
}

/**
 * Establishes the caller from `Authorization: Bearer cst_<id>_<secret>`. Unknown ids, wrong
 * secrets and revoked tokens all answer the same 401, and count against the address.
 */
export async function authenticate(
  ctx: AuthContext,
  authorization: string | undefined,
  address: string,
): Promise<Principal> {
  const wait = ctx.limiter.retryAfterMs(address);
  if (wait > 0) {
    ctx.limiter.fail(address);
    throw rateLimited(ctx.limiter.retryAfterMs(address));
  }
  const match = /^Bearer (\S+)$/i.exec(authorization ?? "");
  const parts = match?.[1] === undefined ? undefined : toTokenParts(match[1]);
  const row = parts === undefined ? undefined : await ctx.store.findToken(parts.id);
  let reason: string | undefined;
  if (parts === undefined) reason = authorization === undefined ? "no token" : "malformed token";
  else if (row === undefined) reason = "unknown token";
  else if (!isSecretOf(parts.secret, row.secretHash)) reason = "wrong secret";
  else if (row.revokedAt !== undefined) reason = "revoked token";
  if (reason !== undefined || row === undefined) {
    // A request without any token is not an attack on a token: it is not counted.
    if (authorization !== undefined) {
      ctx.limiter.fail(address);
      ctx.onFailure?.(address, parts?.id, reason ?? "unknown token");
    }
    throw unauthenticated();
  }
  ctx.limiter.succeed(address);
  return {
    token: row.name,
    role: row.role,
    organization: row.organization,
    workspaces: row.workspaces,
    cluster: row.cluster,
  };
}

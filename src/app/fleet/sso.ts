import { createHash, timingSafeEqual } from "node:crypto";
import { type OidcProvider, randomToken } from "../../adapters/oidc/index.js";
import { CustomsError } from "../../core/errors.js";
import { ApiError } from "../../core/fleet/api-error.js";
import type { Principal } from "../../core/fleet/authorize.js";
import type { FleetStore, SessionRow } from "../../core/fleet/store.js";
import type { OidcConfig } from "../../core/oidc/config.js";
import { grantOf, groupsOf } from "../../core/oidc/roles.js";

/** Sign-in with OpenID Connect: the configuration, its provider, where sessions are kept. */
export interface SsoContext {
  readonly config: OidcConfig;
  readonly provider: Pick<OidcProvider, "authorizationUrl" | "exchangeCode" | "verifyIdToken">;
  readonly store: FleetStore;
  readonly now: () => Date;
  /** Told why a sign-in failed (the browser is only told the code). */
  readonly onFailure?: (code: string, message: string) => void;
}

/** How long a browser has between leaving for the provider and coming back. */
export const SIGN_IN_SECONDS = 600;
/** `last_seen_at` is written at most once a minute per session. */
const SEEN_RESOLUTION_MS = 60_000;

export function hashId(id: string): string {
  return createHash("sha256").update(id, "utf8").digest("hex");
}

function sameText(a: string, b: string): boolean {
  const x = createHash("sha256").update(a).digest();
  const y = createHash("sha256").update(b).digest();
  return timingSafeEqual(x, y);
}

/** A console route to come back to: a `#/…` fragment of the console, nothing else. */
export function toReturnTo(value: string | null): string {
  if (value === null || value.length > 300) return "#/";
  return /^#\/[A-Za-z0-9/?=&._~%-]*$/.test(value) ? value : "#/";
}

function signInInvalid(message: string): CustomsError {
  return new CustomsError("OIDC_SIGN_IN_INVALID", message);
}

/**
 * Starts a sign-in: records state, nonce and the PKCE verifier under a fresh id (the browser
 * keeps it in a cookie) and answers where to send the browser. Expired sessions and sign-ins
 * are dropped on the way, so the tables stay small without a timer.
 */
export async function beginSignIn(
  ctx: SsoContext,
  returnTo: string,
): Promise<{ id: string; location: string }> {
  const now = ctx.now();
  await ctx.store.pruneSessions(now.toISOString());
  const id = randomToken();
  const row = {
    idHash: hashId(id),
    state: randomToken(),
    nonce: randomToken(),
    codeVerifier: randomToken(),
    returnTo,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + SIGN_IN_SECONDS * 1000).toISOString(),
  };
  const location = await ctx.provider.authorizationUrl(row);
  await ctx.store.createSignIn(row);
  return { id, location };
}

export interface CallbackParams {
  /** The sign-in cookie's value. */
  readonly signInId: string | undefined;
  readonly state: string | null;
  readonly code: string | null;
  readonly error: string | null;
}

/**
 * Ends a sign-in: the provider's answer must belong to a sign-in this browser started
 * (cookie), not used before and not expired, with the same state; the code is exchanged with
 * the PKCE verifier and the ID token verified against the nonce. The groups must map to a
 * role. Answers the new session's id (for the cookie) and where the console goes back to.
 */
export async function finishSignIn(
  ctx: SsoContext,
  p: CallbackParams,
): Promise<{ id: string; session: SessionRow; returnTo: string }> {
  if (p.signInId === undefined)
    throw signInInvalid("this browser started no sign-in (its sign-in cookie is missing)");
  const row = await ctx.store.takeSignIn(hashId(p.signInId));
  const now = ctx.now();
  if (row === undefined) throw signInInvalid("this sign-in is unknown or was already used");
  if (Date.parse(row.expiresAt) <= now.getTime())
    throw signInInvalid(`this sign-in took longer than ${SIGN_IN_SECONDS / 60} minutes`);
  if (p.state === null || !sameText(p.state, row.state))
    throw signInInvalid("the provider's answer carries another sign-in's state");
  if (p.error !== null) throw signInInvalid(`the provider answered "${p.error}"`);
  if (p.code === null || p.code === "") throw signInInvalid("the provider answered no code");
  const idToken = await ctx.provider.exchangeCode(p.code, row.codeVerifier);
  const claims = await ctx.provider.verifyIdToken(idToken, row.nonce);
  const groups = groupsOf(claims, ctx.config.groupsClaim);
  const subject = String(claims.sub);
  const named = claims[ctx.config.usernameClaim];
  const username = typeof named === "string" && named !== "" ? named : subject;
  if (grantOf(ctx.config.mappings, groups) === undefined) {
    throw new CustomsError(
      "OIDC_NO_ROLE",
      `${username} is in no group that gives a role on this control plane`,
    );
  }
  const id = randomToken();
  const session: SessionRow = {
    idHash: hashId(id),
    organization: ctx.config.organization,
    subject,
    username,
    groups,
    csrfToken: randomToken(),
    createdAt: now.toISOString(),
    lastSeenAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + ctx.config.absoluteTimeoutSeconds * 1000).toISOString(),
  };
  await ctx.store.createSession(session);
  return { id, session, returnTo: row.returnTo };
}

function sessionEnded(reason: string): ApiError {
  return new ApiError("API_UNAUTHENTICATED", `the session ${reason}: sign in again`);
}

/** When the session ends for want of use. */
export function idleEndOf(ctx: SsoContext, s: SessionRow): number {
  return Date.parse(s.lastSeenAt) + ctx.config.idleTimeoutSeconds * 1000;
}

/**
 * The live session of a cookie, or a 401. An expired one (absolute end, or idle for longer
 * than the idle timeout) is deleted. Use is recorded to the minute.
 */
export async function liveSession(ctx: SsoContext, id: string): Promise<SessionRow> {
  const row = await ctx.store.findSession(hashId(id));
  if (row === undefined) throw sessionEnded("is unknown or has ended");
  const now = ctx.now().getTime();
  const expired = Date.parse(row.expiresAt) <= now;
  if (expired || idleEndOf(ctx, row) <= now) {
    await ctx.store.deleteSession(row.idHash);
    throw sessionEnded(expired ? "has expired" : "was idle for too long");
  }
  if (now - Date.parse(row.lastSeenAt) >= SEEN_RESOLUTION_MS) {
    const seen = new Date(now).toISOString();
    await ctx.store.touchSession(row.idHash, seen).catch(() => {});
    return { ...row, lastSeenAt: seen };
  }
  return row;
}

/**
 * The caller a session stands for. The role is mapped from the session's groups with the
 * configuration in force now, so a mapping removed takes effect at once. Its name is
 * `oidc:USERNAME` (the colon keeps it apart from token names) in the audit log.
 */
export function principalOf(ctx: SsoContext, s: SessionRow): Principal {
  const grant = grantOf(ctx.config.mappings, s.groups);
  if (grant === undefined) throw sessionEnded("no longer has a role (its groups map to none)");
  return {
    token: `oidc:${s.username}`,
    role: grant.role,
    organization: s.organization,
    workspaces: grant.workspaces,
    cluster: undefined,
  };
}

/**
 * CSRF defence for writes made with a session cookie (docs/sso.md): the request must carry
 * the session's token in `X-CSRF-Token` (a page of another site can neither read it nor set
 * that header without a CORS preflight, which the control plane never grants), and an
 * `Origin`, when the browser sends one, must be one of this control plane's.
 */
export function checkCsrf(
  s: SessionRow,
  headers: { csrf: string | undefined; origin: string | undefined },
  origins: readonly string[],
): void {
  if (headers.origin !== undefined && !origins.includes(headers.origin)) {
    throw new ApiError(
      "API_CSRF_REFUSED",
      `a change from the origin ${headers.origin} is refused (not this control plane's)`,
    );
  }
  if (headers.csrf === undefined || !sameText(headers.csrf, s.csrfToken)) {
    throw new ApiError(
      "API_CSRF_REFUSED",
      "a change made with a session cookie needs the session's X-CSRF-Token header",
    );
  }
}

/** Ends the session server-side (its cookie is then worthless wherever it was copied). */
export async function endSession(ctx: SsoContext, id: string): Promise<void> {
  await ctx.store.deleteSession(hashId(id));
}

import {
  beginSignIn,
  checkCsrf,
  endSession,
  finishSignIn,
  idleEndOf,
  liveSession,
  principalOf,
  SIGN_IN_SECONDS,
  type SsoContext,
  toReturnTo,
} from "../../app/fleet/index.js";
import { isCustomsError } from "../../core/errors.js";
import { ApiError, toWireError } from "../../core/fleet/api-error.js";
import { clearCookie, cookieOf, SESSION_COOKIE, SIGN_IN_COOKIE, setCookie } from "./cookies.js";
import type { Call, Reply, Route } from "./router.js";

const AUTH = "/api/v1/auth";
export const SIGN_IN_PATH = `${AUTH}/oidc/sign-in`;
export const CALLBACK_PATH = `${AUTH}/oidc/callback`;

function ssoOf(c: Call): SsoContext {
  const sso = c.ctx.sso;
  if (sso === undefined)
    throw new ApiError(
      "OIDC_NOT_CONFIGURED",
      "sign-in with OpenID Connect is not configured (customs serve control-plane --oidc-config)",
    );
  return sso;
}

function redirect(location: string, cookies: readonly string[]): Reply {
  return { status: 302, headers: { location, "set-cookie": [...cookies] } };
}

/** A failed sign-in goes back to the console with the code only (the log has the reason). */
function failedSignIn(sso: SsoContext | undefined, e: unknown): Reply {
  const code = isCustomsError(e) ? toWireError(e.code).code : "INTERNAL";
  const wire = code === "INTERNAL" && isCustomsError(e) ? e.code : code;
  sso?.onFailure?.(wire, e instanceof Error ? e.message : String(e));
  return redirect(`/?sign_in_error=${encodeURIComponent(wire)}`, [
    clearCookie(SIGN_IN_COOKIE, "Lax"),
  ]);
}

/**
 * Sign-in with OpenID Connect and the cookie session of the console (docs/sso.md). These
 * routes take no token: they are how a browser gets a session.
 */
export const authRoutes: readonly Route[] = [
  {
    method: "GET",
    path: AUTH,
    response: "AuthMethods",
    summary: "How to sign in: {methods: [token, oidc?], oidc?: {signInUrl}}",
    roles: "none (no token needed)",
    public: true,
    handler: async (c) => ({
      status: 200,
      body: {
        methods: c.ctx.sso === undefined ? ["token"] : ["token", "oidc"],
        ...(c.ctx.sso === undefined ? {} : { oidc: { signInUrl: SIGN_IN_PATH } }),
      },
    }),
  },
  {
    method: "GET",
    path: SIGN_IN_PATH,
    summary:
      "Start signing in: redirects the browser to the OpenID Provider (code flow, PKCE S256, state, nonce); ?return=#/route",
    roles: "none (a browser signing in)",
    public: true,
    query: ["return"],
    success: 302,
    handler: async (c) => {
      // A browser follows this link: a failure goes back to the console, not to a JSON page.
      try {
        const sso = ssoOf(c);
        const { id, location } = await beginSignIn(sso, toReturnTo(c.query.get("return")));
        return redirect(location, [
          setCookie(SIGN_IN_COOKIE, id, { maxAgeSeconds: SIGN_IN_SECONDS, sameSite: "Lax" }),
        ]);
      } catch (e) {
        return failedSignIn(c.ctx.sso, e);
      }
    },
  },
  {
    method: "GET",
    path: CALLBACK_PATH,
    summary:
      "The provider's redirect: checks state, exchanges the code, verifies the ID token, sets the session cookie and returns to the console",
    roles: "none (a browser signing in)",
    public: true,
    query: ["code", "state", "error"],
    success: 302,
    handler: async (c) => {
      const sso = c.ctx.sso;
      try {
        const done = await finishSignIn(ssoOf(c), {
          signInId: cookieOf(c.headers.cookie, SIGN_IN_COOKIE),
          state: c.query.get("state"),
          code: c.query.get("code"),
          error: c.query.get("error"),
        });
        const { createdAt, expiresAt } = done.session;
        const seconds = Math.floor((Date.parse(expiresAt) - Date.parse(createdAt)) / 1000);
        return redirect(`/${done.returnTo}`, [
          clearCookie(SIGN_IN_COOKIE, "Lax"),
          setCookie(SESSION_COOKIE, done.id, {
            maxAgeSeconds: Math.max(1, seconds),
            sameSite: "Strict",
          }),
        ]);
      } catch (e) {
        return failedSignIn(sso, e);
      }
    },
  },
  {
    method: "GET",
    path: `${AUTH}/session`,
    response: "Session",
    summary:
      "The cookie session: who is signed in, role, workspaces, the CSRF token writes carry, when it ends",
    roles: "a browser with a session cookie",
    public: true,
    handler: async (c) => {
      const sso = ssoOf(c);
      const id = cookieOf(c.headers.cookie, SESSION_COOKIE);
      if (id === undefined)
        throw new ApiError("API_UNAUTHENTICATED", "no session: sign in with OpenID Connect");
      const s = await liveSession(sso, id);
      const p = principalOf(sso, s);
      return {
        status: 200,
        body: {
          username: s.username,
          subject: s.subject,
          organization: s.organization,
          role: p.role,
          workspaces: p.workspaces,
          groups: s.groups,
          csrfToken: s.csrfToken,
          expiresAt: s.expiresAt,
          idleExpiresAt: new Date(idleEndOf(sso, s)).toISOString(),
        },
      };
    },
  },
  {
    method: "POST",
    path: `${AUTH}/sign-out`,
    summary:
      "Sign out: ends the cookie session on the server and clears the cookie (needs X-CSRF-Token)",
    roles: "a browser with a session cookie",
    public: true,
    success: 204,
    handler: async (c) => {
      const sso = ssoOf(c);
      const id = cookieOf(c.headers.cookie, SESSION_COOKIE);
      if (id !== undefined) {
        const s = await liveSession(sso, id).catch(() => undefined);
        // A live session is ended only by its own page (CSRF token); a dead one has nothing left.
        if (s !== undefined) {
          checkCsrf(s, csrfHeaders(c), c.origins);
          await endSession(sso, id);
        }
      }
      return { status: 204, headers: { "set-cookie": [clearCookie(SESSION_COOKIE, "Strict")] } };
    },
  },
];

export function csrfHeaders(c: { headers: Call["headers"] }): {
  csrf: string | undefined;
  origin: string | undefined;
} {
  const csrf = c.headers["x-csrf-token"];
  const origin = c.headers.origin;
  return { csrf: typeof csrf === "string" ? csrf : undefined, origin };
}

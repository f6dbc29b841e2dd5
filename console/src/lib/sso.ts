/**
 * Sign-in with OpenID Connect (docs/sso.md): the control plane holds the session in an
 * HttpOnly cookie the console never sees; the console asks who is signed in
 * (`GET /api/v1/auth/session`), sends the session's CSRF token with every change, and signs
 * out with `POST /api/v1/auth/sign-out`. Nothing here knows about React.
 */
import type { Fetch } from "./api.js";
import type { AuthMethods, Session } from "./api-types.js";

/** What the console keeps of the session (the answer's type is the OpenAPI document's). */
export type SsoSession = Pick<
  Session,
  "username" | "role" | "organization" | "workspaces" | "csrfToken" | "expiresAt"
>;

/** The sign-in methods the control plane offers; the SSO link when OIDC is configured. */
export async function signInMethods(
  origin: string,
  fetchImpl: Fetch,
): Promise<{ oidc: string | undefined }> {
  try {
    const r = await fetchImpl(`${origin}/api/v1/auth`, { headers: { accept: "application/json" } });
    if (!r.ok) return { oidc: undefined };
    // Read defensively all the same: this page may be served by an older control plane.
    const body = (await r.json()) as Partial<AuthMethods>;
    const url = body.oidc?.signInUrl;
    return { oidc: typeof url === "string" && url.startsWith("/") ? url : undefined };
  } catch {
    return { oidc: undefined };
  }
}

/** The cookie session, or undefined when there is none (401) or the server cannot say. */
export async function currentSession(
  origin: string,
  fetchImpl: Fetch,
): Promise<SsoSession | undefined> {
  try {
    const r = await fetchImpl(`${origin}/api/v1/auth/session`, {
      headers: { accept: "application/json" },
      credentials: "same-origin",
    });
    if (!r.ok) return undefined;
    const b = (await r.json()) as Partial<Session>;
    if (typeof b.csrfToken !== "string" || typeof b.username !== "string") return undefined;
    if (typeof b.role !== "string") return undefined;
    return {
      username: b.username,
      role: b.role,
      organization: String(b.organization ?? ""),
      workspaces: Array.isArray(b.workspaces) ? b.workspaces.map(String) : [],
      csrfToken: b.csrfToken,
      expiresAt: String(b.expiresAt ?? ""),
    };
  } catch {
    return undefined;
  }
}

/** Ends the session on the server (which also clears the cookie). */
export async function signOut(origin: string, csrfToken: string, fetchImpl: Fetch): Promise<void> {
  await fetchImpl(`${origin}/api/v1/auth/sign-out`, {
    method: "POST",
    headers: { "x-csrf-token": csrfToken },
    credentials: "same-origin",
  }).catch(() => undefined);
}

/** Where the "Sign in with SSO" link goes: the sign-in route, returning to this console page. */
export function ssoHref(signInUrl: string, hash: string): string {
  const back = hash.startsWith("#/") ? hash : "#/";
  return `${signInUrl}?return=${encodeURIComponent(back)}`;
}

const MESSAGES: Readonly<Record<string, string>> = {
  NO_ROLE:
    "You signed in, but none of your groups gives a role on this control plane. Ask an administrator to map one of your groups.",
  SIGN_IN_INVALID:
    "The sign-in could not be completed (it expired or was already used). Try again.",
  TOKEN_INVALID:
    "The identity provider's answer could not be verified. Try again, or ask an administrator to check the logs.",
  PROVIDER_FAILED: "The identity provider cannot be reached or answered an error. Try again later.",
  OIDC_NOT_CONFIGURED: "Sign-in with SSO is not configured on this control plane.",
};

/** The message for `?sign_in_error=CODE`, which the control plane adds after a failed sign-in. */
export function signInError(search: string): string | undefined {
  const code = new URLSearchParams(search).get("sign_in_error");
  if (code === null) return undefined;
  return MESSAGES[code] ?? `Signing in failed (${code.replace(/[^A-Z_]/g, "")}).`;
}

/**
 * The console's cookies (docs/sso.md). `__Host-` names: the browser keeps them only when
 * Secure, with `Path=/` and no `Domain`, so no other host (a sibling subdomain) can set or
 * shadow them. The session cookie is `SameSite=Strict`; the sign-in cookie must come back with
 * the provider's redirect (a navigation from another site), hence `SameSite=Lax`.
 */
export const SESSION_COOKIE = "__Host-customs-session";
export const SIGN_IN_COOKIE = "__Host-customs-sign-in";

/** The value of one cookie of a `Cookie` header (the first of that name). */
export function cookieOf(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    // Our values are base64url; anything else is not ours.
    return /^[A-Za-z0-9_-]{1,200}$/.test(value) ? value : undefined;
  }
  return undefined;
}

export function setCookie(
  name: string,
  value: string,
  options: { maxAgeSeconds: number; sameSite: "Strict" | "Lax" },
): string {
  return `${name}=${value}; Path=/; Secure; HttpOnly; SameSite=${options.sameSite}; Max-Age=${options.maxAgeSeconds}`;
}

export function clearCookie(name: string, sameSite: "Strict" | "Lax"): string {
  return `${name}=; Path=/; Secure; HttpOnly; SameSite=${sameSite}; Max-Age=0`;
}

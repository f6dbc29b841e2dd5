/**
 * The API token lives in sessionStorage: it survives a reload of the tab, is gone when the
 * tab closes, and is never written to localStorage or a cookie (no CSRF surface).
 */

const KEY = "customs.token";
const ORG_KEY = "customs.organization";

export interface SessionStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function loadSession(store: SessionStore): { token: string; organization: string } {
  return { token: store.getItem(KEY) ?? "", organization: store.getItem(ORG_KEY) ?? "" };
}

export function saveSession(store: SessionStore, token: string, organization: string): void {
  store.setItem(KEY, token);
  store.setItem(ORG_KEY, organization);
}

export function clearSession(store: SessionStore): void {
  store.removeItem(KEY);
  store.removeItem(ORG_KEY);
}

/** A pasted token, trimmed of whitespace and an accidental `Bearer ` prefix. */
export function toToken(pasted: string): string {
  return pasted
    .trim()
    .replace(/^bearer\s+/i, "")
    .trim();
}

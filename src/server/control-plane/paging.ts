import { ApiError } from "../../core/fleet/api-error.js";
import type { Page, PageRequest } from "../../core/fleet/store.js";

export const MAX_LIMIT = 500;
export const DEFAULT_LIMIT = 100;

/** `?limit` and `?continue` (an opaque base64url token holding the last key seen). */
export function toPageRequest(query: URLSearchParams): PageRequest {
  const limitText = query.get("limit");
  const limit = limitText === null ? DEFAULT_LIMIT : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new ApiError("API_INVALID", `limit must be 1 to ${MAX_LIMIT}`, {
      details: [{ path: "limit", message: `must be 1 to ${MAX_LIMIT}` }],
    });
  }
  const token = query.get("continue");
  return { limit, after: token === null || token === "" ? undefined : fromCursor(token) };
}

export function toCursor(key: string): string {
  return Buffer.from(JSON.stringify({ k: key }), "utf8").toString("base64url");
}

function fromCursor(token: string): string {
  try {
    const value = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { k?: unknown };
    // Keys are names or ids: never long, never NUL (which PostgreSQL cannot compare with).
    if (typeof value.k === "string" && value.k.length <= 512 && !value.k.includes("\u0000"))
      return value.k;
  } catch {
    // Falls through to the refusal below.
  }
  throw new ApiError("API_BAD_REQUEST", "continue is not a token this server handed out");
}

/** `{items, continue?}` as the API answers lists. */
export function toListBody<T>(page: Page<T> | { items: readonly T[]; next?: string }) {
  return page.next === undefined
    ? { items: page.items }
    : { items: page.items, continue: toCursor(page.next) };
}

import { CustomsError } from "../../core/errors.js";
import type { Page, PageRequest } from "../../core/fleet/store.js";

/** At least one row per page; the API bounds the upper end (1–500). */
export function pageSize(page: PageRequest): number {
  return Math.max(1, Math.floor(page.limit));
}

/**
 * Keyset paging: the query asked for `limit + 1` rows after the cursor; the extra row only
 * says that more follow, and `next` is the key of the last row shown.
 */
export function toPage<R, T>(
  rows: readonly R[],
  page: PageRequest,
  map: (row: R) => T,
  key: (row: R) => string,
): Page<T> {
  const limit = pageSize(page);
  const shown = rows.slice(0, limit);
  const last = shown[shown.length - 1];
  return {
    items: shown.map(map),
    next: rows.length > limit && last !== undefined ? key(last) : undefined,
  };
}

/**
 * The cursor of id-ordered lists (audit, violations): a decimal id, newest first. Anything
 * else was not handed out by the server (a key too large for a bigint once made PostgreSQL
 * fail with a 500): API_BAD_REQUEST, as for any forged cursor.
 */
export function idCursor(page: PageRequest): number | undefined {
  if (page.after === undefined) return undefined;
  const id = /^\d{1,15}$/.test(page.after) ? Number(page.after) : Number.NaN;
  if (!Number.isSafeInteger(id)) {
    throw new CustomsError("API_BAD_REQUEST", "continue is not a token this server handed out");
  }
  return id;
}

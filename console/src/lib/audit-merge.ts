/**
 * The Audit log refreshes on its own: newer entries are put on top of what is shown, and the
 * pages already loaded with "Load more" (and their `continue` token) stay as they were.
 */

export interface HasId {
  readonly id: number;
}

/**
 * The entries of `fresh` (a newest-first page) newer than every entry of `shown`. `gap`: all
 * of `fresh` is newer, so more new entries may lie between it and `shown`; the caller reads
 * the next page and takes from it too.
 */
export function takeNewer<T extends HasId>(
  shown: readonly T[],
  fresh: readonly T[],
): { newer: T[]; gap: boolean } {
  if (shown.length === 0) return { newer: [...fresh], gap: false };
  const newest = Math.max(...shown.map((e) => e.id));
  const newer = fresh.filter((e) => e.id > newest);
  return { newer, gap: fresh.length > 0 && newer.length === fresh.length };
}

/** `newer` on top of `shown`, without an entry twice (a refresh may race "Load more"). */
export function mergeOnTop<T extends HasId>(newer: readonly T[], shown: readonly T[]): T[] {
  const ids = new Set(shown.map((e) => e.id));
  return [...newer.filter((e) => !ids.has(e.id)), ...shown];
}

/** A "Load more" page below `shown`, without an entry twice. */
export function appendOlder<T extends HasId>(shown: readonly T[], older: readonly T[]): T[] {
  const ids = new Set(shown.map((e) => e.id));
  return [...shown, ...older.filter((e) => !ids.has(e.id))];
}

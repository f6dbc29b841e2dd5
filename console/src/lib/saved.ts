/**
 * What the last save said, carried from the wizard to the Policies page it returns to (the
 * page is a new component, so the message cannot live in the wizard's state).
 */

export interface SavedWarning {
  readonly code: string;
  readonly path: string;
  readonly message: string;
}

export interface SavedNotice {
  readonly policy: string;
  readonly created: boolean;
  readonly warnings: readonly SavedWarning[];
}

let notice: SavedNotice | undefined;

/** The lint warnings of a create/update answer (`{…policy, warnings: [...]}`), read defensively. */
export function toSavedWarnings(body: unknown): SavedWarning[] {
  const list = (body as { warnings?: unknown } | null)?.warnings;
  if (!Array.isArray(list)) return [];
  return list
    .filter((w): w is Record<string, unknown> => typeof w === "object" && w !== null)
    .map((w) => ({
      code: String(w.code ?? ""),
      path: String(w.path ?? ""),
      message: String(w.message ?? ""),
    }));
}

export function setSavedNotice(n: SavedNotice | undefined): void {
  notice = n;
}

export function readSavedNotice(): SavedNotice | undefined {
  return notice;
}

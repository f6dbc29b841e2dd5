import type { GroupMapping, MappedRole } from "./config.js";

/** What a person's groups give them: one role, and the workspaces it is limited to. */
export interface Grant {
  readonly role: MappedRole;
  readonly workspaces: readonly string[];
}

const RANK: Record<MappedRole, number> = {
  "organization-admin": 3,
  "workspace-admin": 2,
  viewer: 1,
};

/**
 * The role the groups map to (docs/sso.md). A person has one role, as a token does: the
 * highest any of their groups gives wins; the workspaces of every mapping of that role are
 * joined. Viewers: one mapping without workspaces makes an unrestricted viewer. Undefined
 * when no group maps: that person may not sign in.
 */
export function grantOf(
  mappings: readonly GroupMapping[],
  groups: readonly string[],
): Grant | undefined {
  const matching = mappings.filter((m) => groups.includes(m.group));
  if (matching.length === 0) return undefined;
  const top = matching.reduce((a, b) => (RANK[b.role] > RANK[a.role] ? b : a)).role;
  const same = matching.filter((m) => m.role === top);
  if (top === "organization-admin") return { role: top, workspaces: [] };
  if (top === "viewer" && same.some((m) => m.workspaces.length === 0))
    return { role: top, workspaces: [] };
  const workspaces = [...new Set(same.flatMap((m) => m.workspaces))].sort();
  return { role: top, workspaces };
}

/**
 * The groups of an ID token's claim: a list of strings, or one string (some providers send
 * one group so). Anything else is no groups.
 */
export function groupsOf(claims: Readonly<Record<string, unknown>>, claim: string): string[] {
  const value = claims[claim];
  if (typeof value === "string") return [value];
  if (!Array.isArray(value)) return [];
  return value.filter((g): g is string => typeof g === "string");
}

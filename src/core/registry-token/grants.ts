import { compilePattern, matchPattern, type Pattern } from "../policy/index.js";
import { type Access, isRepositoryName, toAccess } from "./scope.js";

/**
 * Which actions an account may take on which repositories. Patterns are the policy
 * language's wildcards (`*` matches any run of characters, `/` included), matched as data.
 */
export const REPOSITORY_ACTIONS = ["pull", "push", "delete"] as const;
export type RepositoryAction = (typeof REPOSITORY_ACTIONS)[number];

export interface Grant {
  readonly repositories: readonly string[];
  readonly actions: readonly RepositoryAction[];
}

export interface CompiledGrant {
  readonly repositories: readonly Pattern[];
  readonly actions: ReadonlySet<string>;
}

export function compileGrants(grants: readonly Grant[]): CompiledGrant[] {
  return grants.map((g) => ({
    repositories: g.repositories.map((r) => compilePattern(r)),
    actions: new Set(g.actions),
  }));
}

/** Why a requested scope (or part of it) was not granted; logged beside the account. */
export interface Refusal {
  readonly scope: string;
  readonly reason: "malformed" | "unsupported-type" | "invalid-name" | "not-granted";
}

export interface AccessDecision {
  /** The `access` claim: only actions both requested and granted, one entry per repository. */
  readonly granted: readonly Access[];
  readonly refused: readonly Refusal[];
}

/** The actions of `grants` that cover `repository`. */
export function allowedActions(grants: readonly CompiledGrant[], repository: string): Set<string> {
  const allowed = new Set<string>();
  for (const g of grants) {
    if (g.repositories.some((p) => matchPattern(p, repository)))
      for (const a of g.actions) allowed.add(a);
  }
  return allowed;
}

/**
 * Narrows the requested scopes to what the grants allow. Only `repository` scopes can be
 * granted: `registry:catalog:*` lists every repository of every team, so nobody gets it
 * (docs/registry-access.md). A requested `*` action is never expanded: it is granted only
 * by name, which no grant holds.
 */
export function evaluateAccess(
  grants: readonly CompiledGrant[],
  scopes: readonly string[],
): AccessDecision {
  const byName = new Map<string, Set<string>>();
  const refused: Refusal[] = [];
  for (const scope of scopes) {
    const access = toAccess(scope);
    if (access === undefined) {
      refused.push({ scope, reason: "malformed" });
      continue;
    }
    if (access.type !== "repository") {
      refused.push({ scope, reason: "unsupported-type" });
      continue;
    }
    if (!isRepositoryName(access.name)) {
      refused.push({ scope, reason: "invalid-name" });
      continue;
    }
    const allowed = allowedActions(grants, access.name);
    const kept = access.actions.filter((a) => allowed.has(a));
    if (kept.length < access.actions.length) refused.push({ scope, reason: "not-granted" });
    if (kept.length === 0) continue;
    const set = byName.get(access.name) ?? new Set<string>();
    for (const a of kept) set.add(a);
    byName.set(access.name, set);
  }
  const granted = [...byName].map(([name, actions]) => ({
    type: "repository",
    name,
    actions: REPOSITORY_ACTIONS.filter((a) => actions.has(a)),
  }));
  return { granted, refused };
}

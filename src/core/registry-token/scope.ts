/**
 * Scopes of the Docker registry token protocol
 * (https://distribution.github.io/distribution/spec/auth/scope/):
 * `resourcetype[(resourceclass)]:resourcename:action[,action...]`, for example
 * `repository:team/app:pull,push` or `registry:catalog:*`.
 */

/** One entry of a token's `access` claim. */
export interface Access {
  readonly type: string;
  readonly name: string;
  readonly actions: readonly string[];
}

/** Longest scope string looked at: far above any real one (names are at most 255). */
export const MAX_SCOPE_LENGTH = 1024;

// Repository name grammar of distribution/reference: lowercase path components joined by `/`,
// each alphanumeric runs separated by `.`, `_`, `__` or `-`s. Our own fixed grammar, not user input.
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const MAX_NAME_LENGTH = 255;

export function isRepositoryName(name: string): boolean {
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) return false;
  return name.split("/").every((c) => COMPONENT.test(c));
}

/**
 * Splits a scope; undefined when it has no type, name or actions. The name sits between the
 * first and the last colon (a type never holds one; a name may not either, but a hostile
 * client may send one and the name check refuses it later).
 */
export function toAccess(scope: string): Access | undefined {
  if (scope.length > MAX_SCOPE_LENGTH) return undefined;
  const first = scope.indexOf(":");
  const last = scope.lastIndexOf(":");
  if (first <= 0 || last <= first + 1 || last === scope.length - 1) return undefined;
  const type = scope.slice(0, first);
  const name = scope.slice(first + 1, last);
  const actions = scope
    .slice(last + 1)
    .split(",")
    .filter((a) => a !== "");
  if (actions.length === 0) return undefined;
  return { type, name, actions: [...new Set(actions)] };
}

/** The scope string of an access entry (for logs). */
export function toScope(a: Access): string {
  return `${a.type}:${a.name}:${a.actions.join(",")}`;
}

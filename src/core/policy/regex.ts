/**
 * Regular expressions of the policy language are RE2 (linear time, no backtracking), so a
 * hostile pattern cannot stall the webhook. `core/` may not import packages, so the engine is
 * an interface here and the app layer passes an RE2-backed one (src/adapters/re2).
 */

/** A compiled expression. It must match the WHOLE value (implicitly anchored). */
export interface CompiledRegex {
  test(value: string): boolean;
}

export type RegexCompilation =
  | { readonly ok: true; readonly regex: CompiledRegex }
  | { readonly ok: false; readonly message: string };

export interface RegexEngine {
  compile(pattern: string): RegexCompilation;
}

/** Longest regular expression accepted; longer ones are surely generated or hostile. */
export const MAX_REGEX_LENGTH = 1024;

import { RE2JS } from "re2js";
import { CustomsError } from "../../core/errors.js";

/**
 * One accepted keyless identity: the certificate's subject (SAN email or URI) and the OIDC
 * issuer, each exact or an RE2 pattern. Patterns must match the whole value: an unanchored
 * `https://github.com/org/` would also accept `https://github.com/evil/x?https://github.com/org/`.
 */
export interface IdentitySpec {
  readonly subject?: string | undefined;
  readonly subjectRegexp?: string | undefined;
  readonly issuer?: string | undefined;
  readonly issuerRegexp?: string | undefined;
}

export interface IdentityMatcher {
  /** For messages: what was asked for. */
  readonly description: string;
  matches(subject: string, issuer: string): boolean;
}

type Test = (value: string) => boolean;

function compileOne(exact: string | undefined, pattern: string | undefined, what: string): Test {
  if (exact !== undefined && pattern !== undefined) {
    throw new CustomsError("USAGE", `give the ${what} exactly or as a pattern, not both`);
  }
  if (exact !== undefined) return (value) => value === exact;
  if (pattern === undefined) {
    throw new CustomsError("USAGE", `a keyless identity needs its ${what} (exact or pattern)`);
  }
  let re: RE2JS;
  try {
    // User patterns only ever run in RE2: linear time, no backtracking.
    re = RE2JS.compile(pattern);
  } catch (e) {
    throw new CustomsError(
      "IDENTITY_PATTERN_INVALID",
      `${what} pattern "${pattern}": ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  return (value) => re.matches(value);
}

export function compileIdentity(spec: IdentitySpec): IdentityMatcher {
  const subject = compileOne(spec.subject, spec.subjectRegexp, "certificate identity");
  const issuer = compileOne(spec.issuer, spec.issuerRegexp, "OIDC issuer");
  const show = (exact?: string, pattern?: string) => exact ?? `/${pattern}/`;
  return {
    description: `${show(spec.subject, spec.subjectRegexp)} from ${show(spec.issuer, spec.issuerRegexp)}`,
    matches: (s, i) => subject(s) && issuer(i),
  };
}

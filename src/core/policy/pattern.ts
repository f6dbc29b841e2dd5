/**
 * Wildcard patterns of the policy language: `*` matches any run of characters (also `/`, also
 * none), every other character is literal, and the pattern must match the whole part.
 *
 * Patterns come from users, so they never become regular expressions: a compiled pattern is
 * a list of literal segments matched with indexOf, which takes at most O(n·m) and needs no
 * backtracking engine. Leftmost placement of each middle segment is optimal for `*`-only
 * globs (any later match leaves less room for the segments after it).
 */

/**
 * A compiled pattern is plain data matched by one function (`matchPattern`): on the hot path
 * every call site stays monomorphic, which matters with 50 policies × several rules per image.
 */
export interface Pattern {
  readonly source: string;
  /** 0: literal, 1: matches everything, 2: wildcard segments. */
  readonly kind: 0 | 1 | 2;
  readonly first: string;
  readonly last: string;
  readonly middle: readonly string[];
  readonly minLength: number;
}

/**
 * Compiles a pattern. With `lowercase`, the pattern is lowercased and the values given to
 * `matchPattern` must be lowercase already (hostnames are, in ImageParts), so the hot path
 * does no case folding.
 */
export function compilePattern(pattern: string, lowercase = false): Pattern {
  const p = lowercase ? pattern.toLowerCase() : pattern;
  if (!p.includes("*"))
    return { source: p, kind: 0, first: p, last: "", middle: [], minLength: p.length };
  const segments = p.split("*");
  const first = segments[0] ?? "";
  const last = segments[segments.length - 1] ?? "";
  const middle = segments.slice(1, -1).filter((s) => s !== "");
  const minLength = first.length + last.length + middle.reduce((n, s) => n + s.length, 0);
  return { source: p, kind: minLength === 0 ? 1 : 2, first, last, middle, minLength };
}

export function matchPattern(p: Pattern, value: string): boolean {
  if (p.kind === 0) return value === p.first;
  if (p.kind === 1) return true;
  if (value.length < p.minLength || !value.startsWith(p.first) || !value.endsWith(p.last))
    return false;
  let at = p.first.length;
  const end = value.length - p.last.length;
  for (const segment of p.middle) {
    const found = value.indexOf(segment, at);
    if (found === -1 || found + segment.length > end) return false;
    at = found + segment.length;
  }
  return true;
}

/** Does the pattern contain a wildcard? */
export function isWildcard(pattern: string): boolean {
  return pattern.includes("*");
}

/**
 * The characters each part can hold (from the reference grammar), plus `*`. A pattern with
 * any other character can never match, which is surely a mistake, so validation refuses it.
 */
const PART_CHARSETS = {
  hostname: /^[A-Za-z0-9.\-[\]:*]+$/,
  port: /^[0-9*]+$/,
  imageName: /^[a-z0-9._\-/*]+$/,
  tag: /^[A-Za-z0-9_.\-*]+$/,
} as const;

const PART_DESCRIPTIONS = {
  hostname: "letters, digits, '.', '-', an IPv6 address in [brackets], and '*'",
  port: "digits and '*'",
  imageName: "lowercase letters, digits, '.', '_', '-', '/' and '*'",
  tag: "letters, digits, '_', '.', '-' and '*'",
} as const;

export type PatternPart = keyof typeof PART_CHARSETS;

/** Longest pattern accepted: longer than any reference part can be. */
export const MAX_PATTERN_LENGTH = 512;

/** Returns why the pattern can never match its part, or undefined when it is fine. */
export function checkPattern(part: PatternPart, pattern: string): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return `is ${pattern.length} characters long; at most ${MAX_PATTERN_LENGTH} are allowed`;
  }
  if (!PART_CHARSETS[part].test(pattern)) {
    return `"${printable(pattern)}" can never match: a ${part} holds only ${PART_DESCRIPTIONS[part]}`;
  }
  if (part === "hostname" && hostnameHasPort(pattern)) {
    return `"${pattern}" includes a port: put the port in the rule's \`port\` field`;
  }
  return undefined;
}

/** A ':' outside IPv6 brackets means the author wrote host:port into `hostname`. */
function hostnameHasPort(pattern: string): boolean {
  const close = pattern.lastIndexOf("]");
  return pattern.slice(close + 1).includes(":");
}

/** Escapes control and non-ASCII characters so that messages stay one readable line. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f]/;

export function printable(value: string, max = 120): string {
  // Fast path: almost every string is short and clean.
  if (value.length <= max && !UNPRINTABLE.test(value)) return value;
  let out = "";
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0)) {
      out += `\\u${code.toString(16).padStart(4, "0")}`;
    } else {
      out += ch;
    }
    if (out.length > max) return `${out.slice(0, max)}… (${value.length} characters)`;
  }
  return out;
}

/**
 * Wildcard patterns of the policy language: `*` matches any run of characters (also `/`, also
 * none), every other character is literal, and the pattern must match the whole part.
 *
 * Patterns come from users, so they never become regular expressions: a compiled pattern is
 * a list of literal segments matched with indexOf, which takes at most O(n·m) and needs no
 * backtracking engine. Leftmost placement of each middle segment is optimal for `*`-only
 * globs (any later match leaves less room for the segments after it).
 */

export type Matcher = (value: string) => boolean;

const matchAll: Matcher = () => true;

export function compilePattern(pattern: string, caseInsensitive = false): Matcher {
  const p = caseInsensitive ? pattern.toLowerCase() : pattern;
  const norm = caseInsensitive ? (s: string) => s.toLowerCase() : (s: string) => s;
  if (!p.includes("*")) return (value) => norm(value) === p;
  const segments = p.split("*");
  if (segments.every((s) => s === "")) return matchAll;
  const first = segments[0] ?? "";
  const last = segments[segments.length - 1] ?? "";
  const middle = segments.slice(1, -1).filter((s) => s !== "");
  const minLength = first.length + last.length + middle.reduce((n, s) => n + s.length, 0);
  return (raw) => {
    const value = norm(raw);
    if (value.length < minLength) return false;
    if (!value.startsWith(first) || !value.endsWith(last)) return false;
    let at = first.length;
    const end = value.length - last.length;
    for (const segment of middle) {
      const found = value.indexOf(segment, at);
      if (found === -1 || found + segment.length > end) return false;
      at = found + segment.length;
    }
    return true;
  };
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
export function printable(value: string, max = 120): string {
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

import type { RegexHit, SecretRegex } from "./types.js";

/**
 * A hand scanner for `scheme://user:password@host`: it jumps from one `://` to the next with
 * indexOf instead of trying a regex at every offset of every file that holds a URL (nearly
 * all of them). The password is the secret.
 */
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]{0,19}$/;
/** Characters that end a URL's authority, or a URL in code. */
const STOP = new Set([..."/?#@ \t\r\n\"'`<>()[]{}\\,;"]);

function schemeBefore(text: string, at: number): boolean {
  let start = at;
  while (start > 0 && start > at - 20 && /[A-Za-z0-9+.-]/.test(text[start - 1] as string)) start--;
  return SCHEME.test(text.slice(start, at));
}

/** The password span after `://` at `from`, or undefined. */
function passwordAt(text: string, from: number): RegexHit | undefined {
  let colon = -1;
  const limit = Math.min(text.length, from + 256);
  for (let i = from; i < limit; i++) {
    const c = text[i] as string;
    if (c === "@") {
      if (colon === -1 || colon === from || colon + 1 === i) return undefined;
      return hostAfter(text, i + 1) ? { start: colon + 1, end: i } : undefined;
    }
    if (c === ":" && colon === -1) colon = i;
    else if (STOP.has(c)) return undefined;
  }
  return undefined;
}

function hostAfter(text: string, at: number): boolean {
  return /^[A-Za-z0-9[]/.test(text.slice(at, at + 1));
}

export const URL_PASSWORD_SCANNER: SecretRegex = {
  *matchAll(text: string): Iterable<RegexHit> {
    for (let at = text.indexOf("://"); at !== -1; at = text.indexOf("://", at + 3)) {
      if (!schemeBefore(text, at)) continue;
      const hit = passwordAt(text, at + 3);
      if (hit !== undefined) yield hit;
    }
  },
  test: (value) => {
    for (const _ of URL_PASSWORD_SCANNER.matchAll(value)) return true;
    return false;
  },
};

/** Passwords that are obviously not real: words, template variables, masks. */
const PLACEHOLDER =
  /^(?:pass(?:word|wd)?|secret|changeme|example|redacted|null|none|test|user(?:name)?|x+|\*+|\.+|-+)$|^[$%{<]|[}>]$|^:/i;

export function isPasswordPlaceholder(secret: string): boolean {
  return PLACEHOLDER.test(secret) || /^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(secret);
}

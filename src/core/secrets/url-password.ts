import type { RegexHit, SecretRegex } from "./types.js";

/**
 * A hand scanner for `scheme://user:password@host`: it jumps from one `://` to the next with
 * indexOf instead of trying a regex at every offset of every file that holds a URL (nearly
 * all of them). The password is the secret.
 */
/** Characters that end a URL's authority, or a URL in code (a table: this runs per character). */
const STOP = new Uint8Array(128);
for (const c of "/?#@ \t\r\n\"'`<>()[]{}\\,;") STOP[c.charCodeAt(0)] = 1;

function isSchemeChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    (c >= 48 && c <= 57) ||
    c === 43 ||
    c === 45 ||
    c === 46
  );
}

/** A scheme (`[A-Za-z][A-Za-z0-9+.-]{0,19}`) ends at `at`. */
function schemeBefore(text: string, at: number): boolean {
  let start = at;
  while (start > 0 && at - start < 20 && isSchemeChar(text.charCodeAt(start - 1))) start--;
  const first = text.charCodeAt(start);
  return start < at && ((first >= 97 && first <= 122) || (first >= 65 && first <= 90));
}

/** The password span after `://` at `from`, or undefined. */
function passwordAt(text: string, from: number): RegexHit | undefined {
  let colon = -1;
  const limit = Math.min(text.length, from + 256);
  for (let i = from; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === 64) {
      // "@": the user-info ends; a password is there when a ":" came before it.
      if (colon === -1 || colon === from || colon + 1 === i) return undefined;
      return hostAfter(text, i + 1) ? { start: colon + 1, end: i } : undefined;
    }
    if (c === 58 && colon === -1) colon = i;
    else if (c < 128 && STOP[c] === 1) return undefined;
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

import type { RegexHit, SecretRegex } from "./types.js";

/**
 * Wraps one of our own patterns (never a user's: those go to RE2) as a SecretRegex. The
 * secret is capture group 1 when the pattern has one, else the whole match. Patterns are
 * written to be linear: every repetition is bounded or over a class that cannot overlap
 * what follows, and each starts with a literal V8 can search for quickly.
 */
export function fromV8(source: string, pointAtMatch = false): SecretRegex {
  const hasGroup = /\((?!\?)/.test(source.replace(/\\./g, ""));
  const global = new RegExp(source, hasGroup ? "gd" : "g");
  const single = new RegExp(source);
  return {
    *matchAll(text: string): Iterable<RegexHit> {
      global.lastIndex = 0;
      for (let m = global.exec(text); m !== null; m = global.exec(text)) {
        const span = (hasGroup ? firstGroup(m) : undefined) ?? {
          start: m.index,
          end: m.index + m[0].length,
        };
        yield pointAtMatch ? { ...span, at: m.index } : span;
        if (m[0].length === 0) global.lastIndex++;
      }
    },
    test: (value) => single.test(value),
  };
}

function firstGroup(m: RegExpExecArray): RegexHit | undefined {
  const indices = m.indices;
  if (indices === undefined) return undefined;
  for (let i = 1; i < indices.length; i++) {
    const span = indices[i];
    if (span !== undefined) return { start: span[0], end: span[1] };
  }
  return undefined;
}

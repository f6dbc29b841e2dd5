/**
 * The JSON fast path. JSON is YAML, and the YAML parser reads it correctly but slowly; JSON.parse
 * is tens of times faster, which matters for `kubectl get -o json` dumps of a whole cluster.
 * Both paths must accept the same texts and refuse them with the same words: a duplicate key
 * (which JSON.parse silently resolves to the last) and deep nesting are refused here as the YAML
 * path refuses them; whatever JSON.parse refuses goes down the YAML path to be explained.
 */

export const QUOTE = 0x22;
const BACKSLASH = 0x5c;
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACE = 0x7d;
export const OPEN_BRACKET = 0x5b;
export const CLOSE_BRACKET = 0x5d;
export const COMMA = 0x2c;
export const COLON = 0x3a;

export function isJsonSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

/** Offset of the `{` or `[` a JSON text starts with (after a BOM and spaces), or -1. */
export function jsonStart(text: string): number {
  let at = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (at < text.length && isJsonSpace(text.charCodeAt(at))) at++;
  const code = text.charCodeAt(at);
  return code === OPEN_BRACE || code === OPEN_BRACKET ? at : -1;
}

export type JsonRead =
  | { kind: "value"; value: unknown }
  /** JSON.parse refused the text: the YAML parser will say why. */
  | { kind: "not-json" }
  /** The first key repeated in its object, at the repetition. */
  | { kind: "duplicate-key"; key: string; offset: number }
  /** The first object or array (in text order) nested deeper than allowed. */
  | { kind: "too-deep"; offset: number };

export function readJson(text: string, start: number, maxDepth: number): JsonRead {
  let value: unknown;
  try {
    value = JSON.parse(start === 0 ? text : text.slice(start));
  } catch {
    return { kind: "not-json" };
  }
  return scanKeys(text, start, maxDepth) ?? { kind: "value", value };
}

/** Offset of the quote closing the string that opens at `at` (the end of text if none). */
export function stringEnd(text: string, at: number): number {
  let end = text.indexOf('"', at + 1);
  for (;;) {
    if (end === -1) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
}

/** A key as JSON.parse reads it: `"\u0061"` and `"a"` are the same key. */
export function keyAt(text: string, at: number, end: number): string {
  const raw = text.slice(at + 1, end);
  return raw.includes("\\") ? (JSON.parse(text.slice(at, end + 1)) as string) : raw;
}

/** Objects with more keys than this get a Set; smaller ones are searched in place. */
const SMALL_OBJECT = 16;

/**
 * Scans text that JSON.parse accepted for what the YAML path refuses. Too deep wins over a
 * duplicate key, as there: the YAML path refuses a deep document before reading its keys.
 * Each nesting level reuses one array of keys, so the scan allocates almost nothing.
 */
function scanKeys(text: string, start: number, maxDepth: number): JsonRead | undefined {
  const keysAt: string[][] = [];
  const setsAt: (Set<string> | undefined)[] = [];
  const isObjectAt: boolean[] = [];
  let duplicate: JsonRead | undefined;
  let depth = -1;
  let expectKey = false;
  // The regex engine jumps over indentation and scalars far faster than a loop over characters.
  const structure = /["{}[\],]/g;
  structure.lastIndex = start;
  while (structure.test(text)) {
    const at = structure.lastIndex - 1;
    const code = text.charCodeAt(at);
    if (code === QUOTE) {
      const end = stringEnd(text, at);
      if (expectKey && duplicate === undefined) {
        const key = keyAt(text, at, end);
        if (addKey(keysAt[depth] as string[], setsAt, depth, key)) {
          duplicate = { kind: "duplicate-key", key, offset: at };
        }
      }
      expectKey = false;
      structure.lastIndex = end + 1;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      depth++;
      if (depth >= maxDepth) return { kind: "too-deep", offset: at };
      isObjectAt[depth] = code === OPEN_BRACE;
      expectKey = code === OPEN_BRACE;
      if (expectKey) {
        const keys = keysAt[depth];
        if (keys === undefined) keysAt[depth] = [];
        else keys.length = 0;
        setsAt[depth] = undefined;
      }
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth--;
    } else {
      expectKey = isObjectAt[depth] === true;
    }
  }
  return duplicate;
}

/** Records a key of the object at `depth`; true when the object already had it. */
function addKey(
  keys: string[],
  setsAt: (Set<string> | undefined)[],
  depth: number,
  key: string,
): boolean {
  let set = setsAt[depth];
  if (set === undefined && keys.length < SMALL_OBJECT) {
    if (keys.includes(key)) return true;
    keys.push(key);
    return false;
  }
  if (set === undefined) {
    set = new Set(keys);
    setsAt[depth] = set;
  }
  if (set.has(key)) return true;
  set.add(key);
  return false;
}

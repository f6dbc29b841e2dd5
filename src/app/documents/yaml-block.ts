/**
 * The fast reader for manifests as people and tools write them: block mappings and sequences,
 * flow collections on one line (`resources: {requests: {cpu: 100m}}`), plain, single- and
 * double-quoted scalars, comments, literal block scalars (`|`, `|-`) and `---` between
 * documents. One pass over the text, by character codes, building the values as it goes; plain
 * scalars resolve with go-yaml's rules (go-scalar.ts), so the values are Kubernetes' values.
 *
 * It is a subset reader, not a second YAML implementation: the moment it meets anything it
 * does not read exactly as the careful path (yaml.ts) does, it gives up and returns undefined,
 * and the caller reads the text the careful way. Giving up is always correct; reading a value
 * differently never is, so every rule below errs towards giving up:
 *
 * - anchors, aliases, tags, directives, merge keys (`<<`), complex keys (`?`), `...`: careful
 *   path (it limits alias expansion and merges as go-yaml does);
 * - tabs, carriage returns other than CRLF line ends (blockText), control characters, characters outside the Basic Multilingual
 *   Plane, byte order marks, U+2028/U+2029 (line breaks to YAML 1.1): careful path, which
 *   names a forbidden character's line and column;
 * - a plain scalar or flow collection that goes on past its line, a quoted scalar that does,
 *   folded block scalars (`>`), explicit indentation indicators (`|2`), keep chomping (`|+`),
 *   lines of only spaces inside a block scalar;
 * - a compact nested sequence (`- - a`), a scalar alone on the line below its key, an empty
 *   document between two `---`, a document that is neither a mapping nor a sequence;
 * - a key given twice (the careful path's error names it), a key go-yaml would not read as a
 *   string (`on:`, `1:`), the key `__proto__`, a space before a key's colon;
 * - a number JSON cannot hold (`.inf`, `1e400`): the careful path refuses it, at the scalar;
 * - nesting deeper than MAX_DEPTH (the reader recurses).
 *
 * test/yaml-block.test.ts compares it with the careful path on generated documents that hold
 * every construct named above.
 */
import { goWord, resolveGoScalar } from "./go-scalar.js";

const MAX_DEPTH = 64;

/** What a blockDocuments reader returns after the last document. */
export const DONE: unique symbol = Symbol("done");
/** What a blockDocuments reader returns when the careful path must read the rest. */
export const GAVE_UP: unique symbol = Symbol("gave up");

/** Thrown to give up; caught once, in blockDocuments. */
const GIVE_UP: unique symbol = Symbol("give up");

/**
 * Characters the reader takes as they are: line feed, printable ASCII, and the Basic
 * Multilingual Plane from U+00A0 except line and paragraph separators, surrogates, the byte
 * order mark and the non-characters. Anything else goes to the careful path. A negated class,
 * not a user pattern: it cannot backtrack.
 */
const UNSURE_CHARACTER = /[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]/;

const LF = 10;
const SPACE = 32;
const HASH = 35;
const DASH = 45;
const COLON = 58;
const COMMA = 44;
const DOT = 46;
const SINGLE = 39;
const DOUBLE = 34;
const BACKSLASH = 92;
const OPEN_SQUARE = 91;
const CLOSE_SQUARE = 93;
const OPEN_CURLY = 123;
const CLOSE_CURLY = 125;
const PIPE = 124;

/** What the line the reader stands on is. */
const CONTENT = 0;
const DOCUMENT_START = 1;
const END = 2;

/**
 * First characters after which a plain scalar may be something other than a string to
 * go-yaml (its resolve table's hint): `-+0-9yYnNtTfFoO~.`.
 */
const HINTED = new Uint8Array(128);
for (const c of "-+0123456789yYnNtTfFoO~.") HINTED[c.charCodeAt(0)] = 1;

/** Characters that cannot start a plain scalar here (YAML's indicators, and `@`, `` ` ``). */
const NOT_PLAIN_START = new Uint8Array(128);
for (const c of "&*!|>%@`'\"#,[]{}?:-") NOT_PLAIN_START[c.charCodeAt(0)] = 1;

const ESCAPES: Readonly<Record<number, string>> = {
  [BACKSLASH]: "\\",
  [DOUBLE]: '"',
  110: "\n",
  116: "\t",
  114: "\r",
  98: "\b",
  102: "\f",
  32: " ",
};

function isFlowIndicator(c: number): boolean {
  return (
    c === COMMA || c === OPEN_SQUARE || c === CLOSE_SQUARE || c === OPEN_CURLY || c === CLOSE_CURLY
  );
}

function giveUp(): never {
  throw GIVE_UP;
}

/** Letters: only the words of go-yaml's table (`yes`, `Off`, `null`…) are not strings. */
function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function plainValue(text: string): unknown {
  const first = text.charCodeAt(0);
  if (first >= 128 || HINTED[first] === 0) return text;
  if (isLetter(first)) {
    const word = goWord(text);
    return word === undefined ? text : word.value;
  }
  // A small decimal integer (`8080`, `3`), the commonest number in a manifest: go-yaml reads
  // it as strconv does, and a double holds it exactly.
  if (first >= 49 && first <= 57 && text.length <= 15) {
    let digits = true;
    for (let i = 1; i < text.length && digits; i++) {
      const c = text.charCodeAt(i);
      digits = c >= 48 && c <= 57;
    }
    if (digits) return Number(text);
  }
  const resolved = resolveGoScalar(text);
  if (typeof resolved.value === "number" && !Number.isFinite(resolved.value)) giveUp();
  return resolved.value;
}

function plainKey(text: string): string {
  const first = text.charCodeAt(0);
  if (first < 128 && HINTED[first] === 1) {
    const resolved = isLetter(first) ? goWord(text) : resolveGoScalar(text);
    if (resolved !== undefined && resolved.type !== "str") giveUp();
  }
  return text;
}

function setKey(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__" || key === "<<" || Object.hasOwn(target, key)) giveUp();
  target[key] = value;
}

/** Where an entry of a collection is: its key (-1 in a sequence) and its value (-1 if empty). */
interface Place {
  readonly key: number;
  readonly value: number;
}

type Places = Map<object, Map<string, Place> | Place[]>;

class BlockReader {
  private p = -1;
  /** Start of the current line. */
  private lineStart = 0;
  /** Indentation of the current content line. */
  private indent = 0;
  private state = CONTENT;
  private readonly t: string;
  private readonly n: number;

  /** Offsets of every entry, by collection: only when positions are asked for. */
  private readonly places: Places | undefined;

  constructor(text: string, places?: Places) {
    this.t = text;
    this.n = text.length;
    this.places = places;
  }

  /** Where the next document starts (its first content character), or -1 after the last. */
  nextStart(): number {
    this.start();
    if (this.state === END) return -1;
    // Two `---` in a row: an empty document in the middle keeps its number in the careful path.
    if (this.state === DOCUMENT_START || this.indent !== 0) giveUp();
    return this.p;
  }

  /** Reads from `offset`, a document's start as nextStart gave it. */
  seek(offset: number): void {
    this.started = true;
    this.p = offset;
    this.lineStart = offset;
    this.indent = 0;
    this.state = CONTENT;
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.nextLine();
    if (this.state === DOCUMENT_START) this.nextLine();
  }

  private placeEntry(target: object, key: string, keyAt: number, valueAt: number): void {
    let entries = this.places?.get(target) as Map<string, Place> | undefined;
    if (entries === undefined) {
      entries = new Map();
      this.places?.set(target, entries);
    }
    entries.set(key, { key: keyAt, value: valueAt });
  }

  private placeItem(target: unknown[], valueAt: number): void {
    let items = this.places?.get(target) as Place[] | undefined;
    if (items === undefined) {
      items = [];
      this.places?.set(target, items);
    }
    items.push({ key: -1, value: valueAt });
  }

  private started = false;

  /** The next document's value, or DONE after the last; throws GIVE_UP. */
  next(): unknown {
    this.start();
    if (this.state === END) return DONE;
    // Two `---` in a row: an empty document in the middle keeps its number in the careful path.
    if (this.state === DOCUMENT_START || this.indent !== 0) giveUp();
    let value: unknown;
    if (this.isSequenceStart()) value = this.sequence(0, 1);
    else if (this.looksLikeKey()) value = this.mapping(0, 1);
    else giveUp();
    if (this.state === CONTENT) giveUp();
    if (this.state === DOCUMENT_START) this.nextLine();
    return value;
  }

  /**
   * From the end of a line (`p` at its line feed, or -1 before the text), to the next line
   * with content: blank lines and comment lines are skipped. Sets `state`, and for content
   * `indent` and `p` at its first character.
   */
  private nextLine(): void {
    const t = this.t;
    const n = this.n;
    let p = this.p + 1;
    for (;;) {
      if (p >= n) {
        this.p = n;
        this.state = END;
        return;
      }
      const start = p;
      while (p < n && t.charCodeAt(p) === SPACE) p++;
      const c = p < n ? t.charCodeAt(p) : LF;
      if (c === LF) {
        p++;
        continue;
      }
      if (c === HASH) {
        const end = t.indexOf("\n", p);
        p = end === -1 ? n : end + 1;
        continue;
      }
      this.lineStart = start;
      this.indent = p - start;
      this.p = p;
      if (p === start && (c === DASH || c === DOT) && this.isMarker(p, c)) {
        if (c === DOT) giveUp();
        this.p = p + 3;
        this.endLine();
        this.state = DOCUMENT_START;
        return;
      }
      this.state = CONTENT;
      return;
    }
  }

  /** `---` or `...` at `p`, followed by a space, a line feed or the end. */
  private isMarker(p: number, c: number): boolean {
    const t = this.t;
    if (t.charCodeAt(p + 1) !== c || t.charCodeAt(p + 2) !== c) return false;
    const after = p + 3 < this.n ? t.charCodeAt(p + 3) : LF;
    return after === SPACE || after === LF;
  }

  /** Only spaces and a comment may follow on this line; leaves `p` at its line feed. */
  private endLine(): void {
    const t = this.t;
    const n = this.n;
    let p = this.p;
    const from = p;
    while (p < n && t.charCodeAt(p) === SPACE) p++;
    if (p < n) {
      const c = t.charCodeAt(p);
      if (c === HASH) {
        // A comment needs a space before it, unless it starts the line.
        if (p === from && p !== this.lineStart && t.charCodeAt(p - 1) !== SPACE) giveUp();
        const end = t.indexOf("\n", p);
        p = end === -1 ? n : end;
      } else if (c !== LF) giveUp();
    }
    this.p = p;
  }

  /** `-` at `p` followed by a space, a line feed or the end: a block sequence entry. */
  private isSequenceStart(): boolean {
    const t = this.t;
    const p = this.p;
    if (t.charCodeAt(p) !== DASH) return false;
    const after = p + 1 < this.n ? t.charCodeAt(p + 1) : LF;
    return after === SPACE || after === LF;
  }

  /** Does the node at `p` start a block mapping entry (`key:` then a space or the line's end)? */
  private looksLikeKey(): boolean {
    const t = this.t;
    const n = this.n;
    let p = this.p;
    const c = t.charCodeAt(p);
    if (c === DOUBLE || c === SINGLE) {
      p++;
      while (p < n) {
        const q = t.charCodeAt(p);
        if (q === LF) return false;
        if (c === DOUBLE && q === BACKSLASH) p += 2;
        else if (q === c) {
          if (c === SINGLE && t.charCodeAt(p + 1) === SINGLE) p += 2;
          else break;
        } else p++;
      }
      if (p >= n || t.charCodeAt(p + 1) !== COLON) return false;
      const after = p + 2 < n ? t.charCodeAt(p + 2) : LF;
      return after === SPACE || after === LF;
    }
    if (c === OPEN_SQUARE || c === OPEN_CURLY) return false;
    for (; p < n; p++) {
      const q = t.charCodeAt(p);
      if (q === LF) return false;
      if (q === COLON) {
        const after = p + 1 < n ? t.charCodeAt(p + 1) : LF;
        if (after === SPACE || after === LF) return true;
      } else if (q === HASH && t.charCodeAt(p - 1) === SPACE) return false;
    }
    return false;
  }

  /** A block node whose first line is the current one, indented `indent`. */
  private node(indent: number, depth: number): unknown {
    if (depth > MAX_DEPTH) giveUp();
    if (this.isSequenceStart()) return this.sequence(indent, depth);
    if (this.looksLikeKey()) return this.mapping(indent, depth);
    // A scalar alone on its line: a plain one may go on over lines; left to the careful path.
    return giveUp();
  }

  /** A block mapping whose keys are at column `indent`; `p` is at its first key. */
  private mapping(indent: number, depth: number): Record<string, unknown> {
    const t = this.t;
    const n = this.n;
    const target: Record<string, unknown> = {};
    for (;;) {
      const keyAt = this.p;
      const key = this.key(false);
      let p = this.p;
      while (p < n && t.charCodeAt(p) === SPACE) p++;
      this.p = p;
      const c = p < n ? t.charCodeAt(p) : LF;
      let value: unknown;
      let valueAt = p;
      if (c === LF || c === HASH) {
        this.endLine();
        this.nextLine();
        valueAt = this.p;
        if (this.state === CONTENT && this.indent > indent)
          value = this.node(this.indent, depth + 1);
        else if (this.state === CONTENT && this.indent === indent && this.isSequenceStart())
          value = this.sequence(indent, depth + 1);
        else {
          value = null;
          valueAt = -1;
        }
      } else {
        value = this.inline(indent, depth + 1);
        this.endLine();
        this.nextLine();
        if (this.state === CONTENT && this.indent > indent) giveUp();
      }
      setKey(target, key, value);
      if (this.places !== undefined) this.placeEntry(target, key, keyAt, valueAt);
      if (this.state !== CONTENT || this.indent < indent) return target;
      if (this.indent > indent || !this.looksLikeKey()) giveUp();
    }
  }

  /**
   * The key at `p` and its colon, leaving `p` after the colon (in a flow mapping, after the
   * space that must follow it). A plain key in a flow mapping ends at its first colon, and
   * may hold no flow indicator.
   */
  private key(flow: boolean): string {
    const t = this.t;
    const n = this.n;
    const c = t.charCodeAt(this.p);
    let key: string;
    if (c === DOUBLE) key = this.doubleQuoted();
    else if (c === SINGLE) key = this.singleQuoted();
    else {
      if (c < 128 && NOT_PLAIN_START[c] === 1) giveUp();
      const start = this.p;
      let p = start;
      for (;;) {
        if (p >= n) giveUp();
        const q = t.charCodeAt(p);
        if (q === COLON) {
          const after = p + 1 < n ? t.charCodeAt(p + 1) : LF;
          if (flow || after === SPACE || after === LF) break;
        } else if (
          q === LF ||
          (q === HASH && t.charCodeAt(p - 1) === SPACE) ||
          (flow && isFlowIndicator(q))
        )
          giveUp();
        p++;
      }
      if (p === start || t.charCodeAt(p - 1) === SPACE) giveUp();
      key = plainKey(t.slice(start, p));
      this.p = p;
    }
    if (t.charCodeAt(this.p) !== COLON) giveUp();
    this.p++;
    const after = this.p < n ? t.charCodeAt(this.p) : LF;
    if (after !== SPACE && (flow || after !== LF)) giveUp();
    if (flow) this.p++;
    return key;
  }

  /** A block sequence whose `-` are at column `indent`; `p` is at the first `-`. */
  private sequence(indent: number, depth: number): unknown[] {
    const t = this.t;
    const n = this.n;
    const items: unknown[] = [];
    for (;;) {
      let p = this.p + 1;
      while (p < n && t.charCodeAt(p) === SPACE) p++;
      this.p = p;
      const c = p < n ? t.charCodeAt(p) : LF;
      let item: unknown;
      let itemAt = p;
      if (c === LF || c === HASH) {
        this.endLine();
        this.nextLine();
        const nested = this.state === CONTENT && this.indent > indent;
        itemAt = nested ? this.p : -1;
        item = nested ? this.node(this.indent, depth + 1) : null;
      } else if (this.isSequenceStart()) {
        // `- - a`: js-yaml and the specification nest these differently; not worth the risk.
        giveUp();
      } else if (this.looksLikeKey()) {
        if (depth + 1 > MAX_DEPTH) giveUp();
        item = this.mapping(p - this.lineStart, depth + 1);
      } else {
        item = this.inline(indent, depth + 1);
        this.endLine();
        this.nextLine();
        if (this.state === CONTENT && this.indent > indent) giveUp();
      }
      items.push(item);
      if (this.places !== undefined) this.placeItem(items, itemAt);
      if (this.state !== CONTENT || this.indent < indent) return items;
      if (this.indent > indent) giveUp();
      // The same indentation without a `-`: the next key of the mapping this sequence is a
      // value of (`containers:` with its entries not indented); that mapping checks it.
      if (!this.isSequenceStart()) return items;
    }
  }

  /** A node that starts and ends on this line (or a literal block scalar); `p` is at it. */
  private inline(parentIndent: number, depth: number): unknown {
    const t = this.t;
    const n = this.n;
    const c = t.charCodeAt(this.p);
    if (c === DOUBLE) return this.doubleQuoted();
    if (c === SINGLE) return this.singleQuoted();
    if (c === OPEN_SQUARE || c === OPEN_CURLY) return this.flow(depth);
    if (c === PIPE) return this.literal(parentIndent);
    if (c < 128 && NOT_PLAIN_START[c] === 1) {
      // `-`, `?` and `:` start a plain scalar when not followed by a space (`-1`, `-Xmx1g`).
      const next = this.p + 1 < n ? t.charCodeAt(this.p + 1) : LF;
      if (!((c === DASH || c === COLON || c === 63) && next !== SPACE && next !== LF)) giveUp();
    }
    const start = this.p;
    let p = start;
    let end = start;
    for (; p < n; p++) {
      const q = t.charCodeAt(p);
      if (q === LF) break;
      if (q === SPACE) {
        if (t.charCodeAt(p + 1) === HASH) break;
        continue;
      }
      if (q === COLON) {
        const after = p + 1 < n ? t.charCodeAt(p + 1) : LF;
        if (after === SPACE || after === LF) giveUp();
      }
      end = p + 1;
    }
    this.p = end;
    return plainValue(t.slice(start, end));
  }

  /** `"…"` on one line, with the common escapes; `p` ends after the closing quote. */
  private doubleQuoted(): string {
    const t = this.t;
    const n = this.n;
    const start = this.p + 1;
    let p = start;
    let out: string | undefined;
    let chunk = start;
    for (;;) {
      if (p >= n) giveUp();
      const q = t.charCodeAt(p);
      if (q === DOUBLE) break;
      if (q === LF) giveUp();
      if (q === BACKSLASH) {
        const e = p + 1 < n ? t.charCodeAt(p + 1) : LF;
        let decoded = ESCAPES[e];
        let width = 2;
        if (decoded === undefined) {
          const digits = e === 120 ? 2 : e === 117 ? 4 : 0;
          const hex = t.slice(p + 2, p + 2 + digits);
          if (digits === 0 || !/^[0-9a-fA-F]+$/.test(hex) || hex.length !== digits) giveUp();
          const code = Number.parseInt(hex, 16);
          // Escaped surrogates, controls and the like: the careful path decides about them.
          if (code < 32 || (code >= 0x7f && code < 0xa0) || (code >= 0xd800 && code < 0xe000))
            giveUp();
          decoded = String.fromCharCode(code);
          width = 2 + digits;
        }
        out = (out ?? "") + t.slice(chunk, p) + decoded;
        p += width;
        chunk = p;
        continue;
      }
      p++;
    }
    this.p = p + 1;
    return out === undefined ? t.slice(start, p) : out + t.slice(chunk, p);
  }

  /** `'…'` on one line (`''` is one quote); `p` ends after the closing quote. */
  private singleQuoted(): string {
    const t = this.t;
    const start = this.p + 1;
    let p = start;
    let out: string | undefined;
    // The line's end, found once: a line of many `''` must not be searched again for each.
    const eol = t.indexOf("\n", start);
    for (;;) {
      const close = t.indexOf("'", p);
      if (close === -1 || (eol !== -1 && eol < close)) giveUp();
      if (t.charCodeAt(close + 1) === SINGLE) {
        out = `${out ?? ""}${t.slice(p, close)}'`;
        p = close + 2;
        continue;
      }
      this.p = close + 1;
      return out === undefined ? t.slice(start, close) : out + t.slice(p, close);
    }
  }

  /** `[…]` or `{…}` closed on the same line; `p` ends after it. */
  private flow(depth: number): unknown {
    if (depth > MAX_DEPTH) giveUp();
    const t = this.t;
    const square = t.charCodeAt(this.p) === OPEN_SQUARE;
    const close = square ? CLOSE_SQUARE : CLOSE_CURLY;
    this.p++;
    this.skipSpaces();
    const items: unknown[] = [];
    const target: Record<string, unknown> = {};
    if (t.charCodeAt(this.p) === close) {
      this.p++;
      return square ? items : target;
    }
    for (;;) {
      if (square) {
        const at = this.p;
        items.push(this.flowNode(depth + 1));
        if (this.places !== undefined) this.placeItem(items, at);
      } else {
        const keyAt = this.p;
        const key = this.key(true);
        this.skipSpaces();
        const at = this.p;
        setKey(target, key, this.flowNode(depth + 1));
        if (this.places !== undefined) this.placeEntry(target, key, keyAt, at);
      }
      this.skipSpaces();
      const c = t.charCodeAt(this.p);
      this.p++;
      if (c === close) return square ? items : target;
      if (c !== COMMA) giveUp();
      this.skipSpaces();
      // A trailing comma, or an empty entry: valid YAML, rare, and read differently by tools.
      const next = t.charCodeAt(this.p);
      if (next === COMMA || next === close) giveUp();
    }
  }

  private skipSpaces(): void {
    const t = this.t;
    const n = this.n;
    while (this.p < n && t.charCodeAt(this.p) === SPACE) this.p++;
  }

  /** A node inside a flow collection. */
  private flowNode(depth: number): unknown {
    const t = this.t;
    const n = this.n;
    const c = t.charCodeAt(this.p);
    if (c === DOUBLE) return this.doubleQuoted();
    if (c === SINGLE) return this.singleQuoted();
    if (c === OPEN_SQUARE || c === OPEN_CURLY) return this.flow(depth);
    if (c < 128 && NOT_PLAIN_START[c] === 1) {
      // `-1` is a plain scalar; `-` before a space, a line's end or a flow indicator is not.
      const next = this.p + 1 < n ? t.charCodeAt(this.p + 1) : LF;
      if (
        c !== DASH ||
        next === SPACE ||
        next === LF ||
        next === COMMA ||
        next === CLOSE_SQUARE ||
        next === CLOSE_CURLY
      )
        giveUp();
    }
    const start = this.p;
    let p = start;
    let end = start;
    for (; p < n; p++) {
      const q = t.charCodeAt(p);
      if (q === COMMA || q === CLOSE_SQUARE || q === CLOSE_CURLY) break;
      if (q === SPACE) continue;
      if (
        q === LF ||
        q === COLON ||
        q === OPEN_SQUARE ||
        q === OPEN_CURLY ||
        (q === HASH && t.charCodeAt(p - 1) === SPACE)
      )
        giveUp();
      end = p + 1;
    }
    if (end === start) giveUp();
    this.p = end;
    return plainValue(t.slice(start, end));
  }

  /**
   * `|` or `|-` and the lines below it indented more than `parentIndent`. Leaves `p` at the
   * line feed of its last line, so that nextLine goes on from there.
   */
  private literal(parentIndent: number): string {
    const t = this.t;
    const n = this.n;
    let p = this.p + 1;
    const strip = t.charCodeAt(p) === DASH;
    if (strip) p++;
    this.p = p;
    const after = p < n ? t.charCodeAt(p) : LF;
    if (after !== SPACE && after !== LF) giveUp();
    this.endLine();
    const lines: string[] = [];
    let contentIndent = -1;
    let last = this.p;
    let trailingBlank = 0;
    p = this.p;
    while (p < n) {
      const start = p + 1;
      let q = start;
      while (q < n && t.charCodeAt(q) === SPACE) q++;
      if (q >= n) {
        if (q > start) giveUp();
        break;
      }
      if (t.charCodeAt(q) === LF) {
        // Spaces alone on a line: where they end the indentation is the careful path's call.
        if (q > start) giveUp();
        lines.push("");
        trailingBlank++;
        p = q;
        continue;
      }
      const spaces = q - start;
      if (contentIndent === -1) {
        if (spaces <= parentIndent) break;
        contentIndent = spaces;
      }
      if (spaces < contentIndent) break;
      const eol = t.indexOf("\n", q);
      // The last line without a line break: whether the value ends in one is subtle; give up.
      if (eol === -1) giveUp();
      lines.push(t.slice(start + contentIndent, eol));
      trailingBlank = 0;
      p = eol;
      last = eol;
    }
    if (contentIndent === -1) giveUp();
    lines.length -= trailingBlank;
    // Blank lines after the content are not part of it; nextLine skips them again.
    this.p = last;
    const body = lines.join("\n");
    return strip ? body : `${body}\n`;
  }
}

/**
 * The documents' values, exactly as the careful path would give them, or undefined when the
 * text holds anything this reader leaves to the careful path.
 */
export function readBlockYaml(text: string): unknown[] | undefined {
  const block = blockText(text);
  return block === undefined ? undefined : readBlockDocuments(block)?.map((d) => d.value);
}

/** A document the block reader read: its value, and where it starts (for locateInBlockYaml). */
export interface BlockDocument {
  readonly value: unknown;
  readonly start: number;
}

/** The documents of a text as blockText gave it, each with its start. */
export function readBlockDocuments(text: string): BlockDocument[] | undefined {
  const read = blockDocuments(text);
  if (read === undefined) return undefined;
  const docs: BlockDocument[] = [];
  for (let doc = read(); doc !== DONE; doc = read()) {
    if (doc === GAVE_UP) return undefined;
    docs.push(doc);
  }
  return docs;
}

/**
 * The documents of a text as blockText gave it, one at a time, for reading a large stream
 * without holding all its values:
 * each call gives the next document (its value and start), DONE after the last, or GAVE_UP (and from then
 * on GAVE_UP) when the text holds something left to the careful path; the values given before
 * are what the careful path gives for those documents. Undefined when the text holds a
 * character the reader does not take.
 */
export function blockDocuments(
  text: string,
): (() => BlockDocument | typeof DONE | typeof GAVE_UP) | undefined {
  if (UNSURE_CHARACTER.test(text)) return undefined;
  const reader = new BlockReader(text);
  let gaveUp = false;
  return () => {
    if (gaveUp) return GAVE_UP;
    try {
      const start = reader.nextStart();
      if (start === -1) return DONE;
      return { value: reader.next(), start };
    } catch (e) {
      // GIVE_UP, or a RangeError: the reader recursed too deep for the stack (the careful
      // path has its own limit).
      if (e !== GIVE_UP && !(e instanceof RangeError)) throw e;
      gaveUp = true;
      return GAVE_UP;
    }
  };
}

/**
 * The text the block reader reads for `text`: the text itself, or, when it ends its lines
 * with CRLF (an editor on Windows), the same with each CRLF made a line feed: YAML reads both
 * as one line break, the values are the same, and a node's line and column are the same in
 * both (the carriage return is the line's last character). Undefined when a carriage return
 * stands anywhere else: the careful path decides about it.
 */
export function blockText(text: string): string | undefined {
  if (!text.includes("\r")) return text;
  const normalized = text.replaceAll("\r\n", "\n");
  return normalized.includes("\r") ? undefined : normalized;
}

/** What locateInBlockYaml answers when only the careful path can say. */
export const UNSURE: unique symbol = Symbol("unsure");

/**
 * Finds nodes in the document that starts at `start` (as readBlockDocuments gave it): the
 * offset of the node at `segments`, by the careful locator's rule (yaml-locate.ts): a scalar where
 * its text is, a mapping or sequence where its key is. The document is read again by the block
 * reader, recording where each entry is; the careful reader never reads the file for it.
 * Undefined when there is no such node; UNSURE where the careful path places a node in a way
 * this does not copy (a block scalar, an empty entry of a sequence).
 */
export function blockLocator(
  text: string,
  start: number,
): (segments: readonly string[]) => number | undefined | typeof UNSURE {
  const places: Places = new Map();
  const reader = new BlockReader(text, places);
  reader.seek(start);
  let root: unknown;
  try {
    root = reader.next();
  } catch {
    return () => UNSURE;
  }
  return (segments) => locate(text, start, root, places, segments);
}

function locate(
  text: string,
  start: number,
  root: unknown,
  places: Places,
  segments: readonly string[],
): number | undefined | typeof UNSURE {
  let node = root;
  let keyAt = -1;
  let at = start;
  for (const segment of segments) {
    const entries = node !== null && typeof node === "object" ? places.get(node) : undefined;
    if (entries === undefined) return undefined;
    let place: Place | undefined;
    if (Array.isArray(entries)) {
      if (!/^(0|[1-9][0-9]*)$/.test(segment)) return undefined;
      place = entries[Number(segment)];
    } else place = entries.get(segment);
    if (place === undefined) return undefined;
    keyAt = place.key;
    at = place.value;
    node = (node as Record<string, unknown>)[segment];
  }
  if (node !== null && typeof node === "object") return keyAt >= 0 ? keyAt : at;
  if (at >= 0) return text.charCodeAt(at) === PIPE ? UNSURE : at;
  return keyAt >= 0 ? keyAt : UNSURE;
}

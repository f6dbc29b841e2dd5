/**
 * Positions in JSON text that JSON.parse accepted, without a second parse: the fast path's
 * answer to "which line is this image on?".
 */
import {
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  isJsonSpace,
  keyAt,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
  stringEnd,
} from "./json.js";

/** Where one member or item sits: its key (for object members) and its value. */
interface Slot {
  key: number | undefined;
  value: number;
}

/**
 * Finds the offset of the node at a pointer. Each object or array on a looked-up path is
 * indexed once, so locating every image of a 10,000-item List reads the text a few times,
 * not once per lookup.
 */
export class JsonLocator {
  private readonly indexes = new Map<number, Map<string, Slot> | number[]>();

  constructor(
    private readonly text: string,
    private readonly start: number,
  ) {}

  /** The node's offset: the key of a member whose value is an object or array, else the value. */
  locate(segments: readonly string[]): number | undefined {
    let slot: Slot = { key: undefined, value: this.start };
    for (const segment of segments) {
      const index = this.indexOf(slot.value);
      if (index === undefined) return undefined;
      let next: Slot | undefined;
      if (Array.isArray(index)) {
        const value = /^(0|[1-9][0-9]*)$/.test(segment) ? index[Number(segment)] : undefined;
        next = value === undefined ? undefined : { key: undefined, value };
      } else {
        next = index.get(segment);
      }
      if (next === undefined) return undefined;
      slot = next;
    }
    const code = this.text.charCodeAt(slot.value);
    const isCollection = code === OPEN_BRACE || code === OPEN_BRACKET;
    return isCollection && slot.key !== undefined ? slot.key : slot.value;
  }

  private indexOf(at: number): Map<string, Slot> | number[] | undefined {
    const cached = this.indexes.get(at);
    if (cached !== undefined) return cached;
    const code = this.text.charCodeAt(at);
    let index: Map<string, Slot> | number[];
    if (code === OPEN_BRACE) index = this.indexObject(at);
    else if (code === OPEN_BRACKET) index = this.indexArray(at);
    else return undefined;
    this.indexes.set(at, index);
    return index;
  }

  private indexObject(open: number): Map<string, Slot> {
    const members = new Map<string, Slot>();
    let at = this.skipSpace(open + 1);
    while (this.text.charCodeAt(at) === QUOTE) {
      const keyStart = at;
      const end = stringEnd(this.text, at);
      const key = keyAt(this.text, at, end);
      at = this.skipSpace(end + 1);
      if (this.text.charCodeAt(at) === COLON) at = this.skipSpace(at + 1);
      members.set(key, { key: keyStart, value: at });
      at = this.skipSpace(this.skipValue(at));
      if (this.text.charCodeAt(at) === COMMA) at = this.skipSpace(at + 1);
    }
    return members;
  }

  private indexArray(open: number): number[] {
    const items: number[] = [];
    let at = this.skipSpace(open + 1);
    while (at < this.text.length && this.text.charCodeAt(at) !== CLOSE_BRACKET) {
      items.push(at);
      at = this.skipSpace(this.skipValue(at));
      if (this.text.charCodeAt(at) !== COMMA) break;
      at = this.skipSpace(at + 1);
    }
    return items;
  }

  /** The offset just past the value starting at `at`. */
  private skipValue(at: number): number {
    const { text } = this;
    let depth = 0;
    for (; at < text.length; at++) {
      const code = text.charCodeAt(at);
      if (code === QUOTE) {
        at = stringEnd(text, at);
        if (depth === 0) return at + 1;
      } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
        depth++;
      } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
        depth--;
        if (depth <= 0) return depth === 0 ? at + 1 : at;
      } else if (depth === 0 && (code === COMMA || isJsonSpace(code))) {
        return at;
      }
    }
    return at;
  }

  private skipSpace(at: number): number {
    while (at < this.text.length && isJsonSpace(this.text.charCodeAt(at))) at++;
    return at;
  }
}

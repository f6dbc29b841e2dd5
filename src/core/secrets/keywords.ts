/**
 * Which keywords a text holds, in one pass: an Aho–Corasick automaton compiled to a dense
 * state × byte table, so the scan is one table lookup per byte however many keywords there
 * are (calling `includes` once per keyword costs one pass each, and there are dozens).
 * Keywords are ASCII; the rare non-ASCII keyword (a custom detector's) is looked up with
 * `includes` instead.
 */
export class KeywordMatcher {
  /**
   * The automaton. A state is stored premultiplied (`index * width`), so the next state is
   * `delta[state + classOf[byte]]`; states with outputs are numbered last, from `firstMarked`.
   */
  private readonly delta: Int32Array;
  private readonly firstMarked: number;
  /** Bytes that appear in no keyword share class 0: a small table that stays in L1 cache. */
  private readonly classOf: Uint8Array;
  private readonly width: number;
  /** For each state, the keywords that end there (through suffix links too). */
  private readonly outputs: (readonly number[] | undefined)[];
  private readonly ascii: readonly string[];
  private readonly other: readonly string[];

  constructor(keywords: Iterable<string>) {
    const unique = [...new Set(keywords)].filter((k) => k !== "");
    this.ascii = unique.filter((k) => /^[\x01-\x7f]+$/.test(k));
    this.other = unique.filter((k) => !/^[\x01-\x7f]+$/.test(k));
    const { delta, outputs, classOf, width, firstMarked } = compile(this.ascii);
    this.delta = delta;
    this.classOf = classOf;
    this.width = width;
    this.outputs = outputs;
    this.firstMarked = firstMarked;
  }

  /** Keywords present in UTF-8 bytes. */
  findInBytes(bytes: Uint8Array, decode: () => string): Set<string> {
    const found = new Set<string>();
    const delta = this.delta;
    const classOf = this.classOf;
    const marked = this.firstMarked;
    let s = 0;
    // The hot loop: two typed-array loads and one comparison per byte, no calls.
    for (let i = 0; i < bytes.length; i++) {
      s = delta[s + (classOf[bytes[i] as number] as number)] as number;
      if (s >= marked && this.record(s, found)) break;
    }
    if (this.other.length > 0) {
      const text = decode();
      for (const k of this.other) if (text.includes(k)) found.add(k);
    }
    return found;
  }

  /** Keywords present in a string. */
  findInText(text: string): Set<string> {
    const found = new Set<string>();
    const delta = this.delta;
    const classOf = this.classOf;
    const marked = this.firstMarked;
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      // Code units above Latin-1 are in no ASCII keyword: they act as byte 0.
      s = delta[s + (classOf[c < 256 ? c : 0] as number)] as number;
      if (s >= marked && this.record(s, found)) break;
    }
    for (const k of this.other) if (text.includes(k)) found.add(k);
    return found;
  }

  /** Adds the keywords ending at state `s`; true when every keyword has been seen. */
  private record(s: number, found: Set<string>): boolean {
    for (const k of this.outputs[s / this.width] ?? []) found.add(this.ascii[k] as string);
    return found.size >= this.ascii.length;
  }
}

function compile(words: readonly string[]): {
  delta: Int32Array;
  outputs: (readonly number[] | undefined)[];
  classOf: Uint8Array;
  width: number;
  firstMarked: number;
} {
  // The trie: goto[state][byte], -1 where there is no edge yet.
  const go: Int32Array[] = [new Int32Array(256).fill(-1)];
  const out: number[][] = [[]];
  words.forEach((word, index) => {
    let s = 0;
    for (let i = 0; i < word.length; i++) {
      const c = word.charCodeAt(i);
      let next = (go[s] as Int32Array)[c] as number;
      if (next === -1) {
        next = go.length;
        go.push(new Int32Array(256).fill(-1));
        out.push([]);
        (go[s] as Int32Array)[c] = next;
      }
      s = next;
    }
    (out[s] as number[]).push(index);
  });
  // Breadth-first: suffix links, and the missing edges filled from them (a DFA).
  const fail = new Int32Array(go.length);
  const queue: number[] = [];
  const root = go[0] as Int32Array;
  for (let c = 0; c < 256; c++) {
    const next = root[c] as number;
    if (next === -1) root[c] = 0;
    else queue.push(next);
  }
  for (let q = 0; q < queue.length; q++) {
    const s = queue[q] as number;
    const row = go[s] as Int32Array;
    (out[s] as number[]).push(...(out[fail[s] as number] as number[]));
    for (let c = 0; c < 256; c++) {
      const next = row[c] as number;
      const via = (go[fail[s] as number] as Int32Array)[c] as number;
      if (next === -1) row[c] = via;
      else {
        fail[next] = via;
        queue.push(next);
      }
    }
  }
  const classOf = new Uint8Array(256);
  const members: number[] = [0];
  for (const word of words)
    for (let i = 0; i < word.length; i++) {
      const c = word.charCodeAt(i);
      if (classOf[c] === 0 && c !== 0) {
        classOf[c] = members.length;
        members.push(c);
      }
    }
  const width = members.length;
  // Renumber: the root stays 0, states without outputs next, states with outputs last.
  const order = go
    .map((_, s) => s)
    .sort(
      (a, b) =>
        Number(a !== 0) - Number(b !== 0) ||
        (out[a] as number[]).length - (out[b] as number[]).length ||
        a - b,
    );
  const sorted = order.map((s) => ((out[s] as number[]).length === 0 ? 0 : 1));
  const rank = new Int32Array(go.length);
  order.forEach((s, i) => {
    rank[s] = i;
  });
  const delta = new Int32Array(go.length * width);
  order.forEach((s, i) => {
    const row = go[s] as Int32Array;
    members.forEach((c, k) => {
      delta[i * width + k] =
        (rank[row[k === 0 ? firstOutsider(classOf) : c] as number] as number) * width;
    });
  });
  const firstIndex = sorted.indexOf(1);
  const outputs = order.map((s) =>
    (out[s] as number[]).length === 0 ? undefined : (out[s] as number[]),
  );
  return {
    delta,
    outputs,
    classOf,
    width,
    firstMarked: firstIndex === -1 ? Number.MAX_SAFE_INTEGER : firstIndex * width,
  };
}

/** A byte in no keyword (class 0 stands for all of them; they all go to the same state). */
function firstOutsider(classOf: Uint8Array): number {
  for (let c = 1; c < 256; c++) if (classOf[c] === 0) return c;
  return 0;
}

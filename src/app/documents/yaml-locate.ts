/**
 * Finds the node at a JSON pointer in a YAML document's syntax tree, the way the pointer was
 * made: through aliases and `<<` merge keys, as the parsed value sees them.
 */
import type { Alias, Document, Node, Pair, Scalar, YAMLMap, YAMLSeq } from "yaml";
import { yamlLib } from "./yaml-lib.js";

// yaml's node tests, through the lazily loaded module (a tree exists only once it is loaded).
const isAlias = (n: unknown): n is Alias => yamlLib().isAlias(n);
const isMap = (n: unknown): n is YAMLMap => yamlLib().isMap(n);
const isNode = (n: unknown): n is Node => yamlLib().isNode(n);
const isScalar = (n: unknown): n is Scalar => yamlLib().isScalar(n);
const isSeq = (n: unknown): n is YAMLSeq => yamlLib().isSeq(n);

/** Merge sources nest at most this deep; real manifests use one level. */
const MAX_MERGE_DEPTH = 8;
/** Aliases followed at most this many times in a row, in case of a cycle. */
const MAX_ALIAS_HOPS = 64;

/** The offset of the node at `segments`: a scalar value, else the key that holds it. */
export function locateInYaml(doc: Document, segments: readonly string[]): number | undefined {
  let node: unknown = doc.contents;
  let key: unknown;
  for (const segment of segments) {
    node = resolve(doc, node);
    if (isMap(node)) {
      const pair = findPair(doc, node, segment, 0);
      if (pair === undefined) return undefined;
      key = pair.key;
      node = pair.value;
    } else if (isSeq(node) && /^(0|[1-9][0-9]*)$/.test(segment)) {
      node = node.items[Number(segment)];
      key = undefined;
      if (node === undefined) return undefined;
    } else {
      return undefined;
    }
  }
  // A scalar is best shown where its text is; a mapping or sequence where its key is.
  if ((isScalar(node) || isAlias(node)) && node.range && node.range[1] > node.range[0]) {
    return node.range[0];
  }
  return startOf(key) ?? startOf(node);
}

function startOf(node: unknown): number | undefined {
  return isNode(node) && node.range ? node.range[0] : undefined;
}

function resolve(doc: Document, node: unknown): unknown {
  let current = node;
  for (let hops = 0; isAlias(current) && hops < MAX_ALIAS_HOPS; hops++)
    current = current.resolve(doc);
  return current;
}

/** A key as the parsed value spells it: `on: x` (YAML 1.1) is the key "true", `1: x` is "1". */
function keyText(key: unknown): string | undefined {
  if (!isScalar(key) || typeof key.value === "symbol") return undefined;
  return key.value === null ? "" : String(key.value);
}

/** A plain `<<` key: the 1.1 schema resolves it to a symbol, a quoted "<<" stays a string. */
function isMergeKey(key: unknown): boolean {
  return isScalar(key) && typeof key.value === "symbol";
}

/** Own keys first, then merge sources in order: the precedence of the merged value. */
function findPair(doc: Document, map: YAMLMap, segment: string, depth: number): Pair | undefined {
  for (const pair of map.items) if (keyText(pair.key) === segment) return pair;
  if (depth >= MAX_MERGE_DEPTH) return undefined;
  for (const pair of map.items) {
    if (!isMergeKey(pair.key)) continue;
    const source = resolve(doc, pair.value);
    const sources = isSeq(source) ? source.items.map((item) => resolve(doc, item)) : [source];
    for (const merged of sources) {
      const found = isMap(merged) ? findPair(doc, merged, segment, depth + 1) : undefined;
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

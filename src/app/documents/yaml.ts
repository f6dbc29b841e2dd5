/**
 * How Customs reads YAML: as Kubernetes does, and safely against hostile input.
 */
import type {
  CST,
  Document,
  DocumentOptions,
  ParseOptions,
  ScalarTag,
  SchemaOptions,
  Tags,
  YAMLError,
} from "yaml";
import {
  type GoScalar,
  type GoScalarType,
  resolveGoScalar,
  resolveTaggedGoScalar,
} from "./go-scalar.js";
import { yamlLib } from "./yaml-lib.js";

/**
 * yaml's alias budget per document: each use of an anchor counts, weighted by the aliases inside
 * it. Enough for any real manifest (Helm output has no anchors), not for a "billion laughs".
 */
export const MAX_ALIAS_COUNT = 100;

/**
 * Collections nested deeper than this are refused. yaml's composer recurses once per level, and
 * near the stack's end V8 (Node 20) can die outright ("FATAL ERROR: RegExpCompiler Allocation
 * failed", not a catchable RangeError): a 2 KB text of 1,000 `- ` parsed a few times in one
 * process killed it. Real manifests nest about 20 levels, CRD schemas under 100.
 */
export const MAX_NESTING = 128;

/** YAML 1.1 tags that go-yaml v2 reads as plain strings (timestamps, 1:20 sexagesimals) or not at all. */
const DROPPED_TAGS = new Set([
  "tag:yaml.org,2002:binary",
  "tag:yaml.org,2002:omap",
  "tag:yaml.org,2002:pairs",
  "tag:yaml.org,2002:set",
  "tag:yaml.org,2002:timestamp",
]);

const RESOLVED_TYPES: readonly GoScalarType[] = ["null", "bool", "int", "float"];

/**
 * yaml asks each implicit tag's test in turn, then the chosen tag's resolve, all for the same
 * scalar: the last answer is kept so that go-yaml's rules run once per scalar, not five times.
 */
let lastText: string | undefined;
let lastResolved: GoScalar = { type: "str", value: "" };
function resolvedOnce(text: string): GoScalar {
  if (text !== lastText) {
    lastResolved = resolveGoScalar(text);
    lastText = text;
  }
  return lastResolved;
}
const tagOf = (type: GoScalarType) => `tag:yaml.org,2002:${type}`;

/**
 * Plain scalars resolve as go-yaml resolves them (go-scalar.ts), not by YAML 1.1's regular
 * expressions: one implicit tag per type, whose test is go-yaml's answer. Explicit tags
 * (`!!int "12"`) come first in the list, so that a tag name finds them before anything else.
 */
function goYamlTags(): ScalarTag[] {
  const explicit = RESOLVED_TYPES.map(
    (type): ScalarTag => ({
      tag: tagOf(type),
      default: false,
      resolve(text, onError) {
        const resolved = resolveTaggedGoScalar(type, text);
        if (resolved === undefined) {
          onError(`cannot decode ${JSON.stringify(text)} as a !!${type}`);
          return text;
        }
        return resolved.value;
      },
    }),
  );
  const implicit = RESOLVED_TYPES.map(
    (type): ScalarTag => ({
      tag: tagOf(type),
      default: true,
      // yaml asks a tag's `test` whether a plain scalar is its own; go-yaml answers.
      test: { test: (text: string) => resolvedOnce(text).type === type } as RegExp,
      resolve(text, onError) {
        const value = resolvedOnce(text).value;
        // go-yaml reads `.inf` and `.nan`, but JSON cannot hold them: kubectl refuses the
        // manifest ("unsupported value"), and so does Customs, at the scalar.
        if (typeof value === "number" && !Number.isFinite(value)) {
          onError(`${text} is not a number JSON can hold, and Kubernetes refuses it`);
        }
        return value;
      },
    }),
  );
  return [...explicit, ...implicit];
}

const RESOLVED_TAGS = new Set(RESOLVED_TYPES.map(tagOf));

function kubernetesTags(tags: Tags): Tags {
  const kept: Tags[number][] = [];
  for (const tag of tags) {
    if (typeof tag !== "object") kept.push(tag);
    else if (DROPPED_TAGS.has(tag.tag) || ("format" in tag && tag.format === "TIME")) continue;
    // YAML 1.1's own number, boolean and null tags no longer read anything; they stay only
    // to write values when a document is printed.
    else if (RESOLVED_TAGS.has(tag.tag)) kept.push({ ...tag, default: false, test: undefined });
    else kept.push(tag);
  }
  return [...goYamlTags(), ...kept];
}

export const YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  // YAML 1.1, because Kubernetes reads manifests with go-yaml v2 (sigs.k8s.io/yaml): `<<` merge
  // keys must merge here as there, or an `image` merged in from an anchor would slip past.
  version: "1.1",
  // Also under a `%YAML 1.2` directive, which go-yaml ignores: it would otherwise hide a merge.
  merge: true,
  customTags: kubernetesTags,
  // A key given twice is refused: which one wins differs between tools, an `image` above all.
  uniqueKeys: true,
  prettyErrors: false,
  logLevel: "silent",
};

export interface YamlStream {
  docs: Document.Parsed[];
  /** Errors outside any document (a stray `]` at the top). */
  streamErrors: YAMLError[];
  /** The first document nested deeper than MAX_NESTING: its number and the deep node's offset. */
  tooDeep: { index: number; offset: number } | undefined;
}

/**
 * What `parseAllDocuments` does, with each document's nesting measured on its syntax tokens
 * (which the parser builds without recursion) before the composer recurses into it.
 */
export function readYamlStream(text: string): YamlStream {
  const { Composer, Parser } = yamlLib();
  const parser = new Parser();
  const composer = new Composer(YAML_OPTIONS);
  const docs: Document.Parsed[] = [];
  let documentTokens = 0;
  for (const token of parser.parse(text)) {
    if (token.type === "document") {
      const offset = deepOffset(token);
      if (offset !== undefined) {
        // Flush the documents before it, so that an earlier syntax error is reported first.
        for (const doc of composer.end()) docs.push(doc);
        return { docs, streamErrors: [], tooDeep: { index: documentTokens, offset } };
      }
      documentTokens++;
    }
    for (const doc of composer.next(token)) docs.push(doc);
  }
  for (const doc of composer.end()) docs.push(doc);
  const streamErrors = docs.length === 0 ? composer.streamInfo().errors : [];
  return { docs, streamErrors, tooDeep: undefined };
}

/**
 * The offset of the first collection (in text order) nested deeper than MAX_NESTING, walking
 * with a stack of our own; children are pushed last-first so that they come off in order.
 */
function deepOffset(document: CST.Document): number | undefined {
  const pending: [CST.Token, number][] = document.value === undefined ? [] : [[document.value, 1]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [token, depth] = next;
    const isCollection =
      token.type === "block-map" || token.type === "block-seq" || token.type === "flow-collection";
    if (!isCollection) continue;
    if (depth > MAX_NESTING) return token.offset;
    for (let i = token.items.length - 1; i >= 0; i--) {
      const item = token.items[i];
      if (item?.value) pending.push([item.value, depth + 1]);
      if (item?.key) pending.push([item.key, depth + 1]);
    }
  }
  return undefined;
}

export const TOO_DEEP = `collections nested more than ${MAX_NESTING} levels deep`;

export function duplicateKeyMessage(key: string | undefined): string {
  const name = key === undefined ? "a key" : `key ${JSON.stringify(key)}`;
  return `duplicate ${name}: a key may appear once in a mapping`;
}

/**
 * An empty document (a trailing `---`, only comments) holds an empty null scalar; an explicit
 * `~` or `null` is content, and is reported as "not an object" downstream.
 */
export function isEmptyDocument(doc: Document.Parsed): boolean {
  const contents = doc.contents;
  if (contents === null) return true;
  return (
    yamlLib().isScalar(contents) &&
    contents.value === null &&
    contents.tag === undefined &&
    contents.anchor === undefined &&
    contents.range[0] === contents.range[1]
  );
}

/** The first syntax error of a document, worded for a person. */
export function yamlProblem(doc: Document.Parsed): { offset: number; message: string } | undefined {
  const error = doc.errors[0];
  if (error === undefined) return undefined;
  const offset = error.pos[0];
  if (error.code === "DUPLICATE_KEY") {
    return { offset, message: duplicateKeyMessage(keyAt(doc, offset)) };
  }
  return { offset, message: lowerFirst(error.message) };
}

function keyAt(doc: Document.Parsed, offset: number): string | undefined {
  let found: string | undefined;
  const { isScalar, visit } = yamlLib();
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.range?.[0] === offset) {
        found = String(pair.key.value);
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

export type DocumentValue = { ok: true; value: unknown } | { ok: false; message: string };

/** The document as plain data, refusing alias expansion past MAX_ALIAS_COUNT. */
export function documentValue(doc: Document.Parsed): DocumentValue {
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (message.includes("Excessive alias count")) {
      return {
        ok: false,
        message: `aliases used more than ${MAX_ALIAS_COUNT} times, counting those inside aliased nodes (refused as a possible "billion laughs" attack)`,
      };
    }
    return { ok: false, message: lowerFirst(message) };
  }
}

/** yaml's messages start with a capital; ours continue a sentence. */
export function lowerFirst(message: string): string {
  return message.charAt(0).toLowerCase() + message.slice(1);
}

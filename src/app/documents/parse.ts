/**
 * YAML and JSON text as documents: values to decide on, and (lazily) the line of any node for
 * SARIF. Takes text, reads no files. The only error is CustomsError("YAML_INVALID"), whose
 * message names the source, the document (0-based), the line and column, and what is wrong.
 */
import type { Document } from "yaml";
import { CustomsError } from "../../core/errors.js";
import { parseJsonPointer } from "../../core/workload/index.js";
import { jsonStart, readJson } from "./json.js";
import { JsonLocator } from "./json-locate.js";
import {
  codePointName,
  escapeForMessage,
  findForbiddenCharacter,
  LineIndex,
  type TextPosition,
} from "./position.js";
import {
  documentValue,
  duplicateKeyMessage,
  isEmptyDocument,
  lowerFirst,
  MAX_NESTING,
  readYamlStream,
  TOO_DEEP,
  YAML_OPTIONS,
  yamlProblem,
} from "./yaml.js";
import {
  blockDocuments,
  blockLocator,
  blockText,
  DONE,
  GAVE_UP,
  readBlockDocuments,
  UNSURE,
} from "./yaml-block.js";
import { readPlainYaml } from "./yaml-fast.js";
import { yamlLib } from "./yaml-lib.js";
import { locateInYaml } from "./yaml-locate.js";

export interface SourceDocument {
  /** The file name (or `-`) the text came from. */
  readonly source: string;
  /** Position in the file's YAML stream, from 0; empty documents keep their number. */
  readonly index: number;
  readonly value: unknown;
  /** 1-based line of the node at `pointer`; undefined when there is no such node. */
  lineOf(pointer: string): number | undefined;
  /** 1-based column (UTF-16 code units, as SARIF counts) of the node at `pointer`. */
  columnOf(pointer: string): number | undefined;
}

/** Where a document came from and where its nodes are: a SourceDocument without its value. */
export type DocumentPlace = Omit<SourceDocument, "value">;

/** The place of a document, holding nothing of its value (which can then be let go). */
export function placeOf(document: SourceDocument): DocumentPlace {
  return {
    source: document.source,
    index: document.index,
    lineOf: document.lineOf,
    columnOf: document.columnOf,
  };
}

export interface ParseOptions {
  /** Try the js-yaml fast path for plain YAML (default true); tests turn it off to compare. */
  readonly fast?: boolean;
}

export function parseDocuments(
  text: string,
  source: string,
  options: ParseOptions = {},
): SourceDocument[] {
  const lines = new LineIndex(text);
  const start = jsonStart(text);
  const json = start === -1 ? undefined : readJson(text, start, MAX_NESTING);
  if (json === undefined || json.kind === "not-json") {
    const fast = options.fast === false ? undefined : parsePlainYaml(text, source, lines);
    return fast ?? parseYamlStream(text, source, lines);
  }
  // The checks and their order are the YAML path's, so that both say the same.
  rejectForbiddenCharacters(text, source, lines, () => 0);
  if (json.kind === "too-deep") throw yamlError(source, 0, lines.positionAt(json.offset), TOO_DEEP);
  if (json.kind === "duplicate-key") {
    throw yamlError(source, 0, lines.positionAt(json.offset), duplicateKeyMessage(json.key));
  }
  let locator: JsonLocator | undefined;
  const offsetOf = (segments: readonly string[]): number | undefined => {
    locator ??= new JsonLocator(text, start);
    return locator.locate(segments);
  };
  return [sourceDocument(source, 0, json.value, lines, offsetOf)];
}

/**
 * The documents of a text one at a time, the same as parseDocuments gives: a consumer that
 * keeps only what it takes from each value lets the value go before the next is read, so a
 * large stream never holds all its values at once (the block reader reads document by
 * document). When the block reader gives up part way, the rest comes from the other paths,
 * which read the whole text; the documents already given are the ones they give first (the
 * block reader gives up on anything that would number documents differently). Errors are
 * parseDocuments' errors, thrown when the iteration reaches them.
 */
export function* readDocuments(text: string, source: string): Generator<SourceDocument> {
  if (jsonStart(text) !== -1) {
    yield* parseDocuments(text, source);
    return;
  }
  const lines = new LineIndex(text);
  const block = blockText(text);
  const read = block === undefined ? undefined : blockDocuments(block);
  let given = 0;
  if (read !== undefined && block !== undefined) {
    const fast = fastDocument(text, source, lines, block);
    for (let doc = read(); doc !== DONE; doc = read()) {
      if (doc === GAVE_UP) break;
      yield fast(given, doc.value, doc.start);
      given++;
    }
    if (read() === DONE) return;
  }
  const rest = parseOtherwise(text, source, lines);
  for (let i = given; i < rest.length; i++) yield rest[i] as SourceDocument;
}

/** A text's documents by js-yaml's fast path (yaml-fast.ts), or else the careful path. */
function parseOtherwise(text: string, source: string, lines: LineIndex): SourceDocument[] {
  const values = findForbiddenCharacter(text) === -1 ? readPlainYaml(text) : undefined;
  if (values === undefined) return parseYamlStream(text, source, lines);
  const fast = fastDocument(text, source, lines);
  return values.map((value, index) => fast(index, value));
}

/**
 * Documents whose values come from a fast path. Positions, when asked for: in a document the
 * block reader read (`start` given), from that reader reading the document again and
 * recording where each entry is (one document at a time: a document's findings are asked
 * for together); else, or where that cannot place a node as the careful path does, from the
 * careful path, which then reads the whole text once for all of them.
 */
function fastDocument(
  text: string,
  source: string,
  lines: LineIndex,
  block: string = text,
): (index: number, value: unknown, start?: number) => SourceDocument {
  // Offsets of the block reader are in the text it read (CRLF made LF: same lines and columns).
  const blockLines = block === text ? lines : new LineIndex(block);
  let careful: SourceDocument[] | undefined;
  const carefulDoc = (index: number) => {
    try {
      careful ??= parseYamlStream(text, source, lines);
    } catch {
      // The careful reader refused what a fast path read: no positions, but the values stand.
      careful = [];
    }
    return careful.find((d) => d.index === index);
  };
  let lastStart = -1;
  let lastLocate: ReturnType<typeof blockLocator> | undefined;
  const positionOf = (index: number, start: number | undefined, pointer: string) => {
    if (start !== undefined) {
      const segments = parseJsonPointer(pointer);
      if (segments === undefined) return undefined;
      if (lastLocate === undefined || lastStart !== start) {
        lastLocate = blockLocator(block, start);
        lastStart = start;
      }
      const offset = lastLocate(segments);
      if (offset !== UNSURE) {
        return offset === undefined ? undefined : blockLines.positionAt(offset);
      }
    }
    const doc = carefulDoc(index);
    if (doc === undefined) return undefined;
    const line = doc.lineOf(pointer);
    const column = doc.columnOf(pointer);
    return line === undefined || column === undefined ? undefined : { line, column };
  };
  return (index, value, start) => ({
    source,
    index,
    value,
    lineOf: (pointer: string) => positionOf(index, start, pointer)?.line,
    columnOf: (pointer: string) => positionOf(index, start, pointer)?.column,
  });
}

/**
 * The fast paths: values from the block reader (yaml-block.ts), or else from js-yaml
 * (yaml-fast.ts); positions, when asked for, from the careful path.
 */
function parsePlainYaml(
  text: string,
  source: string,
  lines: LineIndex,
): SourceDocument[] | undefined {
  const block = blockText(text);
  const read = block === undefined ? undefined : readBlockDocuments(block);
  if (read !== undefined && block !== undefined) {
    const fast = fastDocument(text, source, lines, block);
    return read.map((d, index) => fast(index, d.value, d.start));
  }
  const values = findForbiddenCharacter(text) === -1 ? readPlainYaml(text) : undefined;
  const fast = fastDocument(text, source, lines);
  return values?.map((value, index) => fast(index, value));
}

function parseYamlStream(text: string, source: string, lines: LineIndex): SourceDocument[] {
  const { docs, streamErrors, tooDeep } = readYamlStream(text);
  for (const error of streamErrors) {
    throw yamlError(source, 0, lines.positionAt(error.pos[0]), lowerFirst(error.message));
  }
  rejectForbiddenCharacters(text, source, lines, (offset) => {
    let index = 0;
    while (index + 1 < docs.length && (docs[index + 1]?.range[0] ?? 0) <= offset) index++;
    return index;
  });
  docs.forEach((doc, index) => {
    const problem = yamlProblem(doc);
    if (problem !== undefined) {
      throw yamlError(source, index, lines.positionAt(problem.offset), problem.message);
    }
  });
  if (tooDeep !== undefined) {
    throw yamlError(source, tooDeep.index, lines.positionAt(tooDeep.offset), TOO_DEEP);
  }
  const result: SourceDocument[] = [];
  docs.forEach((doc, index) => {
    if (isEmptyDocument(doc)) return;
    const value = documentValue(doc);
    if (!value.ok) {
      throw yamlError(source, index, lines.positionAt(doc.range[0]), value.message);
    }
    // Keep only the range: the syntax tree is rebuilt if and when a position is asked for.
    const [from, , to] = doc.range;
    let tree: Document.Parsed | undefined;
    const offsetOf = (segments: readonly string[]): number | undefined => {
      tree ??= yamlLib().parseDocument(text.slice(from, to), YAML_OPTIONS);
      const at = locateInYaml(tree, segments);
      return at === undefined ? undefined : from + at;
    };
    result.push(sourceDocument(source, index, value.value, lines, offsetOf));
  });
  return result;
}

function sourceDocument(
  source: string,
  index: number,
  value: unknown,
  lines: LineIndex,
  offsetOf: (segments: readonly string[]) => number | undefined,
): SourceDocument {
  const positionOf = (pointer: string): TextPosition | undefined => {
    const segments = parseJsonPointer(pointer);
    const offset = segments === undefined ? undefined : offsetOf(segments);
    return offset === undefined ? undefined : lines.positionAt(offset);
  };
  return {
    source,
    index,
    value,
    lineOf: (pointer) => positionOf(pointer)?.line,
    columnOf: (pointer) => positionOf(pointer)?.column,
  };
}

function rejectForbiddenCharacters(
  text: string,
  source: string,
  lines: LineIndex,
  documentAt: (offset: number) => number,
): void {
  const offset = findForbiddenCharacter(text);
  if (offset === -1) return;
  const what = `character ${codePointName(text, offset)} is not allowed in YAML or JSON text`;
  throw yamlError(source, documentAt(offset), lines.positionAt(offset), what);
}

function yamlError(source: string, index: number, at: TextPosition, what: string): CustomsError {
  const where = `document ${index} (line ${at.line}, column ${at.column})`;
  const message = `${escapeForMessage(source)}: ${where}: ${escapeForMessage(what)}`;
  // The place again as data, for `-o json` errors and editors that jump to it.
  return new CustomsError("YAML_INVALID", message, undefined, {
    details: { source, document: index, line: at.line, column: at.column },
  });
}

/**
 * Where each container image sits in a manifest's text, so that `customs pin` can replace
 * exactly that scalar and leave every other byte (comments, quoting, layout) as it was.
 */
import { isAlias, isScalar, Scalar } from "yaml";
import { extractResources, parseJsonPointer } from "../../core/workload/index.js";
import {
  JsonLocator,
  jsonStart,
  parseDocuments,
  QUOTE,
  readYamlStream,
  stringEnd,
} from "../documents/index.js";

/** The source text to replace for one image, and the quote style to write it back in. */
export interface ScalarEdit {
  readonly start: number;
  readonly end: number;
  readonly quote: '"' | "'" | "";
}

/** One container image as written in a file. */
export interface ImageSite {
  readonly source: string;
  /** Document number in the YAML stream, from 0. */
  readonly document: number;
  readonly pointer: string;
  /** 1-based line of the image; 0 when unknown. */
  readonly line: number;
  readonly image: string;
  /** Undefined when the text cannot be rewritten in place; `problem` says why. */
  readonly edit: ScalarEdit | undefined;
  readonly problem?: string;
}

/** Every container image of every workload in one file. Throws CustomsError on bad YAML. */
export function findImageSites(text: string, source: string): ImageSite[] {
  const documents = parseDocuments(text, source);
  const locate = isJsonText(text) ? jsonLocator(text) : yamlLocator(text);
  const sites: ImageSite[] = [];
  for (const doc of documents) {
    for (const workload of extractResources(doc.value).workloads) {
      for (const container of workload.containers) {
        if (typeof container.image !== "string") continue;
        const found = locate(doc.index, container.pointer, container.image);
        sites.push({
          source,
          document: doc.index,
          pointer: container.pointer,
          line: doc.lineOf(container.pointer) ?? 0,
          image: container.image,
          edit: typeof found === "string" ? undefined : found,
          ...(typeof found === "string" ? { problem: found } : {}),
        });
      }
    }
  }
  return sites;
}

/** The edit for the image at a pointer, or why there is none. */
type Locate = (document: number, pointer: string, image: string) => ScalarEdit | string;

/** Same test as parseDocuments: text starting with `{` or `[` that JSON.parse accepts. */
function isJsonText(text: string): boolean {
  const start = jsonStart(text);
  if (start === -1) return false;
  try {
    JSON.parse(text.slice(start));
    return true;
  } catch {
    return false;
  }
}

function jsonLocator(text: string): Locate {
  const locator = new JsonLocator(text, jsonStart(text));
  return (_document, pointer, image) => {
    const segments = parseJsonPointer(pointer);
    const at = segments === undefined ? undefined : locator.locate(segments);
    if (at === undefined || text.charCodeAt(at) !== QUOTE) return "not found in the JSON text";
    const end = stringEnd(text, at) + 1;
    // The exact token, escapes and all, must read back as the image we decided on.
    if (JSON.parse(text.slice(at, end)) !== image) return "the JSON string does not match";
    return { start: at, end, quote: '"' };
  };
}

function yamlLocator(text: string): Locate {
  const { docs } = readYamlStream(text);
  return (document, pointer, image) => {
    const doc = docs[document];
    const segments = parseJsonPointer(pointer);
    if (doc === undefined || segments === undefined) return "not found in the YAML text";
    let node: unknown = doc.getIn(segments, true);
    // An alias is rewritten at its anchor: every use of the anchor then reads the pinned value.
    if (isAlias(node)) node = node.resolve(doc);
    if (!isScalar(node) || node.range === undefined || node.range === null) {
      return "comes through a merge key, which the rewriter does not follow";
    }
    if (node.value !== image) return "the YAML scalar does not match";
    const quote = quoteOf(node.type);
    if (quote === undefined) return `written as a ${node.type} scalar`;
    return { start: node.range[0], end: node.range[1], quote };
  };
}

function quoteOf(type: Scalar["type"]): ScalarEdit["quote"] | undefined {
  if (type === Scalar.PLAIN) return "";
  if (type === Scalar.QUOTE_DOUBLE) return '"';
  if (type === Scalar.QUOTE_SINGLE) return "'";
  return undefined; // block scalars: `|` and `>` keep their own layout
}

/**
 * The text with each edit's range replaced by `value` in the edit's quotes. The values are
 * image references (letters, digits, `._-/:@`), which need no escaping in any of the styles.
 */
export function applyEdits(
  text: string,
  edits: readonly { edit: ScalarEdit; value: string }[],
): string {
  const sorted = [...edits].sort((a, b) => a.edit.start - b.edit.start);
  let out = "";
  let at = 0;
  for (const { edit, value } of sorted) {
    // An anchor shared by several images is one edit; later duplicates are skipped.
    if (edit.start < at) continue;
    out += text.slice(at, edit.start) + edit.quote + value + edit.quote;
    at = edit.end;
  }
  return out + text.slice(at);
}

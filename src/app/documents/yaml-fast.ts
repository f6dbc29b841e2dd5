/**
 * A fast path for plain manifests. The `yaml` package (which keeps positions and comments)
 * reads about 2 MB/s; js-yaml reads the same text ten times faster. js-yaml is used only when
 * it is sure to give the same values as the careful path of yaml-read.ts, and the careful
 * path still answers every question about positions (lazily) and every error:
 *
 * - no anchors, aliases, tags, directives or merge keys (`&`, `*`, `!`, `%`, `<<` anywhere
 *   send the text to the careful path, which limits alias expansion and merges as go-yaml),
 *   and no tab (js-yaml tolerates tabs where the careful path, like go-yaml, refuses them);
 * - nesting well under the careful path's limit (js-yaml recurses), and no compact nested
 *   sequence (`- - a`), which js-yaml 4 nests differently from the YAML specification;
 * - no number that YAML 1.1 reads differently (`0777` is octal there, `1_000` a thousand):
 *   any plain scalar starting with 0 and another digit or letter, or with `_` between digits;
 * - no string value that Kubernetes' go-yaml would read as a boolean, number or null when
 *   unquoted (go-scalar.ts): js-yaml reads YAML 1.2, so `name: yes` would differ;
 * - no document that comes out null (an empty document keeps its number in the careful path);
 * - and js-yaml itself succeeds: any error (a duplicate key, bad syntax) is left to the
 *   careful path, whose messages name the document, line and column.
 */
import { CORE_SCHEMA, loadAll } from "js-yaml";
import { resolveGoScalar } from "./go-scalar.js";

const CAREFUL_SYNTAX = /[&*!%\t]|<</;
const MAX_FAST_DEPTH = 64;
const COMPACT_SEQUENCE = /-[ ]+-(?:[ ]|$)/m;
// Also `_` next to a digit or a dot: js-yaml reads `._5` and `1_0` as numbers, go-yaml
// reads the first as a string.
const YAML11_NUMBER = /(?:^|[\s[{,])[-+]?0[0-9_oObBxX]|[0-9.]_|_[0-9.]/m;

/** A string js-yaml gave that go-yaml would have read as something else, had it been plain. */
function notAStringToGo(text: string): boolean {
  return text.length <= 40 && resolveGoScalar(text).type !== "str";
}

/** A cheap upper bound of nesting: indentation and open brackets, ignoring quoting. */
function roughDepth(text: string): number {
  let max = 0;
  let brackets = 0;
  let indent = 0;
  let atLineStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      atLineStart = true;
      indent = 0;
      continue;
    }
    if (atLineStart) {
      // Spaces and "- " both open a level in block style.
      if (c === 32 || c === 45) {
        indent++;
        continue;
      }
      atLineStart = false;
      if (indent / 2 > max) max = indent / 2;
    }
    if (c === 91 || c === 123) {
      brackets++;
      if (brackets > max) max = brackets;
    } else if ((c === 93 || c === 125) && brackets > 0) brackets--;
  }
  return max;
}

function hasYaml11Surprise(value: unknown, depth = 0): boolean {
  if (typeof value === "string") return notAStringToGo(value);
  // `.inf` and `1e400`: the careful path refuses what JSON cannot hold.
  if (typeof value === "number") return !Number.isFinite(value);
  if (value === null || typeof value !== "object" || depth > MAX_FAST_DEPTH) return false;
  if (Array.isArray(value)) return value.some((v) => hasYaml11Surprise(v, depth + 1));
  for (const key in value) {
    // Keys too: YAML 1.1 reads the key `on:` as true.
    if (notAStringToGo(key)) return true;
    if (hasYaml11Surprise((value as Record<string, unknown>)[key], depth + 1)) return true;
  }
  return false;
}

/** A trailing `---` with nothing after it is an empty document, not a null one. */
function endsWithEmptyDocument(text: string): boolean {
  const last = text.lastIndexOf("\n---");
  return (
    last !== -1 && /^\n---[ \t]*(?:#[^\n]*)?(?:\n[ \t]*(?:#[^\n]*)?)*\n?$/.test(text.slice(last))
  );
}

/** The documents' values, or undefined when the careful path must read this text. */
export function readPlainYaml(text: string): unknown[] | undefined {
  if (CAREFUL_SYNTAX.test(text) || COMPACT_SEQUENCE.test(text) || YAML11_NUMBER.test(text))
    return undefined;
  if (roughDepth(text) > MAX_FAST_DEPTH) return undefined;
  let docs: unknown[];
  try {
    docs = loadAll(text, null, { schema: CORE_SCHEMA, json: false });
  } catch {
    return undefined;
  }
  if (docs.length > 0 && docs[docs.length - 1] == null && endsWithEmptyDocument(text)) docs.pop();
  if (docs.some((d) => d == null) || hasYaml11Surprise(docs)) return undefined;
  return docs;
}

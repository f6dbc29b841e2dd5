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
 * - no string value that YAML 1.1 (Kubernetes' go-yaml) would read as a boolean, number or
 *   null when unquoted: js-yaml reads YAML 1.2, so `name: yes` would differ;
 * - no document that comes out null (an empty document keeps its number in the careful path);
 * - and js-yaml itself succeeds: any error (a duplicate key, bad syntax) is left to the
 *   careful path, whose messages name the document, line and column.
 */
import { CORE_SCHEMA, loadAll } from "js-yaml";

const CAREFUL_SYNTAX = /[&*!%\t]|<</;
const MAX_FAST_DEPTH = 64;
const COMPACT_SEQUENCE = /-[ ]+-(?:[ ]|$)/m;
const YAML11_NUMBER = /(?:^|[\s[{,])[-+]?0[0-9_oObBxX]|[0-9]_[0-9]/m;

/** Plain scalars that YAML 1.1 resolves to something other than a string (yaml's 1.1 schema). */
const YAML11_NOT_A_STRING = new RegExp(
  [
    "^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$",
    "^(?:~|null|Null|NULL|)$",
    "^[-+]?0b[0-1_]+$",
    "^[-+]?0x[0-9a-fA-F_]+$",
    "^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])*(?:\\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?$",
    "^[-+]?\\.[0-9_]+(?:[eE][-+]?[0-9]+)?$",
    // yaml's 1.1 float also takes an exponent without digits before it: `e0` is NaN there.
    "^[-+]?(?:[0-9][0-9_]*)?\\.?[0-9_]*[eE][-+]?[0-9]+$",
    "^[-+]?\\.(?:inf|Inf|INF)$",
    "^\\.(?:nan|NaN|NAN)$",
  ].join("|"),
);

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
  if (typeof value === "string") return value.length <= 40 && YAML11_NOT_A_STRING.test(value);
  if (value === null || typeof value !== "object" || depth > MAX_FAST_DEPTH) return false;
  if (Array.isArray(value)) return value.some((v) => hasYaml11Surprise(v, depth + 1));
  for (const key in value) {
    // Keys too: YAML 1.1 reads the key `on:` as true.
    if (key.length <= 40 && YAML11_NOT_A_STRING.test(key)) return true;
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

/**
 * A fast path for plain manifests. The `yaml` package (which keeps positions and comments)
 * reads about 2 MB/s; js-yaml reads the same text ten times faster. js-yaml is used only when
 * it is sure to give the same values as the careful path of yaml-read.ts, and the careful
 * path still answers every question about positions (lazily) and every error:
 *
 * - no anchors, aliases, tags, directives or merge keys (`&`, `*`, `!`, `%`, `<<` send the
 *   text to the careful path, which limits alias expansion and merges as go-yaml), and no tab
 *   (js-yaml tolerates tabs where the careful path, like go-yaml, refuses them). These are
 *   looked for in the syntax only: the insides of quoted scalars, comments and block scalars'
 *   content are blanked out first (`maskContent`), so that a quoted CronJob schedule (every
 *   15 minutes: a star, a slash, 15) or a policy pattern `"team/*"` does not send a file to
 *   the slow reader. Blanking errs one way only: what it cannot place stays visible;
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
const SPACE = 32;
const HASH = 35;
const SINGLE = 39;
const DOUBLE = 34;
const BACKSLASH = 92;
const COLON = 58;
const DASH = 45;

/** Is everything before `end` on the line indentation and block sequence indicators (`- - `)? */
function onlyEntryIndicators(line: string, end: number): boolean {
  for (let i = 0; i < end; i++) {
    const c = line.charCodeAt(i);
    if (c === SPACE) continue;
    if (c === DASH && line.charCodeAt(i + 1) === SPACE) continue;
    return false;
  }
  return true;
}

/**
 * Does a quote at `at` open a quoted scalar? Only where a node starts for sure: after the
 * line's indentation and sequence indicators, after `: `, or after `[`, `{`, `,`. Anywhere else
 * (inside a plain scalar: `it's`) it is an ordinary character, and stays visible.
 */
function opensQuote(line: string, at: number): boolean {
  let j = at - 1;
  while (j >= 0 && line.charCodeAt(j) === SPACE) j--;
  if (j < 0) return true;
  const c = line.charCodeAt(j);
  if (c === 91 || c === 123 || c === 44) return true;
  const spaced = j < at - 1;
  if (c === COLON) return spaced;
  return c === DASH && spaced && onlyEntryIndicators(line, j + 1);
}

/** The index of the quote that closes a quoted scalar opened before `from`, or -1 on this line. */
function closingQuote(line: string, from: number, quote: number): number {
  for (let i = from; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (quote === DOUBLE && c === BACKSLASH) i++;
    else if (c === quote) {
      // '' inside single quotes is one quote.
      if (quote === SINGLE && line.charCodeAt(i + 1) === SINGLE) i++;
      else return i;
    }
  }
  return -1;
}

/**
 * One line with the insides of its quoted scalars replaced by `x` and its comment removed;
 * undefined when a quoted scalar goes on past the line (rare in manifests: the careful path
 * reads it).
 */
function maskLine(line: string): string | undefined {
  let masked = "";
  let kept = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === HASH && (i === 0 || line.charCodeAt(i - 1) === SPACE)) {
      return masked + line.slice(kept, i);
    }
    if ((c === SINGLE || c === DOUBLE) && opensQuote(line, i)) {
      const close = closingQuote(line, i + 1, c);
      if (close === -1) return undefined;
      // What may follow a quoted scalar: a space, `:`, `,`, `]`, `}` or the line's end. Anything
      // else (`"x"#c`, `"x"y`) is an error to the careful path that js-yaml may read anyway.
      const after = close + 1 < line.length ? line.charCodeAt(close + 1) : SPACE;
      if (after !== SPACE && after !== COLON && after !== 44 && after !== 93 && after !== 125)
        return undefined;
      masked += `${line.slice(kept, i + 1)}x`;
      kept = close;
      i = close;
    }
  }
  return masked + line.slice(kept);
}

/**
 * Does this (masked) line end in a block scalar indicator (`key: |`, `- >-`) where a node
 * starts? Its content is then the lines below that are indented more. An explicit indentation
 * indicator (`|2`) is "unsure": js-yaml and the careful path differ on its blank lines.
 */
function opensBlockScalar(line: string): boolean | "unsure" {
  let end = line.length;
  while (end > 0 && line.charCodeAt(end - 1) === SPACE) end--;
  // Indentation and chomping indicators: at most one of each, in either order.
  let headerEnd = end;
  while (headerEnd > end - 2 && headerEnd > 0 && /[0-9+-]/.test(line.charAt(headerEnd - 1)))
    headerEnd--;
  const indicator = line.charCodeAt(headerEnd - 1);
  if (indicator !== 124 && indicator !== 62) return false;
  const at = headerEnd - 1;
  let j = at - 1;
  while (j >= 0 && line.charCodeAt(j) === SPACE) j--;
  if (j >= 0 && j === at - 1) return false;
  const c = line.charCodeAt(j);
  const opens = j < 0 || c === COLON || (c === DASH && onlyEntryIndicators(line, j + 1));
  return opens && /[0-9]/.test(line.slice(headerEnd, end)) ? "unsure" : opens;
}

function indentOf(line: string): number {
  let n = 0;
  while (n < line.length && line.charCodeAt(n) === SPACE) n++;
  return n;
}

/**
 * The text with what cannot be syntax blanked out: the insides of quoted scalars, comments,
 * and the content of block scalars. Undefined when a quoted scalar spans lines. What it
 * cannot place for sure (a quote inside a plain scalar, an indicator it does not recognise)
 * stays visible, so that the checks on the result only ever send more to the careful path.
 */
export function maskContent(text: string): string | undefined {
  const out: string[] = [];
  let blockIndent = -1;
  let contentIndent = -1;
  let from = 0;
  while (from <= text.length) {
    let end = text.indexOf("\n", from);
    if (end === -1) end = text.length;
    const line = text.slice(from, end);
    from = end + 1;
    const indent = indentOf(line);
    if (blockIndent >= 0) {
      // Lines of only spaces or tabs: js-yaml and the careful path read them differently.
      if (line.length > 0 && line.trim() === "") return undefined;
      if (line.length === 0) {
        out.push("");
        continue;
      }
      if (indent > blockIndent) {
        // A line less indented than the first is an error to the careful path (as to go-yaml),
        // which js-yaml may read anyway.
        if (contentIndent === -1) contentIndent = indent;
        else if (indent < contentIndent) return undefined;
        out.push("");
        continue;
      }
      blockIndent = -1;
      contentIndent = -1;
    }
    const masked = maskLine(line);
    if (masked === undefined) return undefined;
    out.push(masked);
    const opens = opensBlockScalar(masked);
    if (opens === "unsure") return undefined;
    if (opens) blockIndent = indent;
  }
  return out.join("\n");
}
const MAX_FAST_DEPTH = 64;
const COMPACT_SEQUENCE = /-[ ]+-(?:[ ]|$)/m;
// Also `_` next to a digit or a dot: js-yaml reads `._5` and `1_0` as numbers, go-yaml
// reads the first as a string.
const YAML11_NUMBER = /(?:^|[\s[{,])[-+]?0[0-9_oObBxX]|[0-9.]_|_[0-9.]/m;

/**
 * A string js-yaml gave that go-yaml would have read as something else, had it been plain.
 * A quoted `"true"` or `"1.0"` is a string to both: its text is blanked out of `syntax`, so a
 * value that `syntax` does not hold anywhere was not written plain (a plain scalar's value
 * is its text), and needs no second look.
 */
function notAStringToGo(text: string, syntax: Syntax): boolean {
  if (text.length > 40 || resolveGoScalar(text).type === "str") return false;
  let found = syntax.seen.get(text);
  if (found === undefined) {
    found = syntax.text.includes(text);
    syntax.seen.set(text, found);
  }
  return found;
}

interface Syntax {
  readonly text: string;
  readonly seen: Map<string, boolean>;
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

function hasYaml11Surprise(value: unknown, syntax: Syntax, depth = 0): boolean {
  if (typeof value === "string") return notAStringToGo(value, syntax);
  // `.inf` and `1e400`: the careful path refuses what JSON cannot hold.
  if (typeof value === "number") return !Number.isFinite(value);
  if (value === null || typeof value !== "object" || depth > MAX_FAST_DEPTH) return false;
  if (Array.isArray(value)) return value.some((v) => hasYaml11Surprise(v, syntax, depth + 1));
  for (const key in value) {
    // Keys too: YAML 1.1 reads the key `on:` as true.
    if (notAStringToGo(key, syntax)) return true;
    if (hasYaml11Surprise((value as Record<string, unknown>)[key], syntax, depth + 1)) return true;
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
  const syntax = maskContent(text);
  if (syntax === undefined) return undefined;
  if (CAREFUL_SYNTAX.test(syntax) || COMPACT_SEQUENCE.test(syntax) || YAML11_NUMBER.test(syntax))
    return undefined;
  if (roughDepth(text) > MAX_FAST_DEPTH) return undefined;
  let docs: unknown[];
  try {
    docs = loadAll(text, null, { schema: CORE_SCHEMA, json: false });
  } catch {
    return undefined;
  }
  if (docs.length > 0 && docs[docs.length - 1] == null && endsWithEmptyDocument(text)) docs.pop();
  if (docs.some((d) => d == null) || hasYaml11Surprise(docs, { text: syntax, seen: new Map() }))
    return undefined;
  return docs;
}

/**
 * Line-level pieces of the Dockerfile reader: splitting lines, parser directives, and
 * here-document bodies.
 */
import type { Directive, EscapeChar, Heredoc, SyntaxProblem } from "./syntax.js";

export interface Line {
  readonly text: string;
  readonly start: number;
}

/** Splits on \n, dropping a \r before it; each line keeps its file offset. */
export function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf("\n", start);
    const end = nl === -1 ? text.length : nl;
    const body = text.slice(start, end);
    lines.push({ text: body.endsWith("\r") ? body.slice(0, -1) : body, start });
    if (nl === -1) break;
    start = nl + 1;
  }
  if (lines.length > 1 && lines[lines.length - 1]?.text === "") lines.pop();
  return lines;
}

const DIRECTIVE = /^#[ \t]*([A-Za-z][A-Za-z0-9]*)[ \t]*=[ \t]*(.*?)[ \t]*$/;
const KNOWN_DIRECTIVES = ["syntax", "escape", "check"];
export const HEREDOC_KEYWORDS = new Set(["RUN", "COPY", "ADD"]);
const HEREDOC_WORD = /^\d*<<(-?)(.+)$/;

export const isBlank = (s: string) => s.trim() === "";
export const isComment = (s: string) => s.trimStart().startsWith("#");

/** Directives: only at the very top, before any comment, blank line or instruction. */
export function readDirectives(lines: readonly Line[], problems: SyntaxProblem[]) {
  const directives: Directive[] = [];
  let esc: EscapeChar = "\\";
  let i = 0;
  for (; i < lines.length; i++) {
    const m = DIRECTIVE.exec((lines[i] as Line).text.trimStart());
    const name = m?.[1]?.toLowerCase();
    if (m === null || name === undefined || !KNOWN_DIRECTIVES.includes(name)) break;
    if (directives.some((d) => d.name === name)) {
      problems.push({ line: i + 1, message: `the ${name} parser directive is given twice` });
      break;
    }
    const value = m[2] ?? "";
    directives.push({ name, value, line: i + 1 });
    if (name === "escape") {
      if (value === "\\" || value === "`") esc = value;
      else problems.push({ line: i + 1, message: `escape must be \\ or \`, got "${value}"` });
    }
  }
  return { directives, escapeChar: esc, next: i };
}

/** Here-document delimiters named by the arguments of RUN, COPY or ADD, in order. */
export function heredocNames(args: string): { name: string; stripTabs: boolean }[] {
  const found: { name: string; stripTabs: boolean }[] = [];
  for (const word of args.split(/[ \t]+/)) {
    const m = HEREDOC_WORD.exec(word);
    if (m === null) continue;
    let name = m[2] ?? "";
    const quote = name[0];
    if ((quote === '"' || quote === "'") && name.length >= 2 && name.endsWith(quote)) {
      name = name.slice(1, -1);
    }
    if (/^[A-Za-z0-9_.-]+$/.test(name)) found.push({ name, stripTabs: m[1] === "-" });
  }
  return found;
}

/** Reads here-document bodies after line `last`; returns them and the last line used. */
export function readHeredocs(
  lines: readonly Line[],
  last: number,
  names: readonly { name: string; stripTabs: boolean }[],
  problems: SyntaxProblem[],
  line: number,
): { heredocs: Heredoc[]; last: number } {
  const heredocs: Heredoc[] = [];
  let index = last;
  for (const { name, stripTabs } of names) {
    const body: string[] = [];
    const first = index + 2;
    let closed = false;
    while (++index < lines.length) {
      let text = (lines[index] as Line).text;
      if (stripTabs) text = text.replace(/^\t+/, "");
      if (text === name) {
        closed = true;
        break;
      }
      body.push(text);
    }
    if (!closed) {
      problems.push({ line, message: `here-document <<${name} has no closing "${name}" line` });
      index = lines.length - 1;
    }
    heredocs.push({ name, body: body.map((b) => `${b}\n`).join(""), line: first, stripTabs });
  }
  return { heredocs, last: index };
}

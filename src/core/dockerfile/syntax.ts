/**
 * Dockerfile syntax as BuildKit's frontend reads it
 * (https://docs.docker.com/reference/dockerfile/): parser directives at the top, comments,
 * instructions whose lines continue after the escape character, and here-documents after
 * RUN, COPY and ADD. This layer knows no instruction's meaning; it keeps, for every character
 * of an instruction's arguments, the offset it came from, so that a rewrite (pinning) can
 * change one word and leave every other byte of the file alone.
 */

import {
  HEREDOC_KEYWORDS,
  heredocNames,
  isBlank,
  isComment,
  type Line,
  readDirectives,
  readHeredocs,
  splitLines,
} from "./syntax-lines.js";

export type EscapeChar = "\\" | "`";

export interface Directive {
  /** Lower-case: `syntax`, `escape`, `check`. */
  readonly name: string;
  readonly value: string;
  readonly line: number;
}

export interface Comment {
  readonly line: number;
  /** The text after `#`, trimmed. */
  readonly text: string;
}

export interface Heredoc {
  /** The delimiter word without quotes. */
  readonly name: string;
  readonly body: string;
  /** The line of the body's first line (the line after the instruction). */
  readonly line: number;
  /** `<<-`: leading tabs were removed from the body and the delimiter line. */
  readonly stripTabs: boolean;
}

export interface Instruction {
  /** Upper-case keyword (`FROM`, `RUN`, …) as BuildKit matches them, case-insensitively. */
  readonly keyword: string;
  /** 1-based line and column of the keyword. */
  readonly line: number;
  readonly column: number;
  /** The last line of the instruction, here-document bodies included. */
  readonly endLine: number;
  /** The arguments after the keyword, continuation lines joined, comments inside removed. */
  readonly args: string;
  /** The file offset of each character of `args` (and one more for its end). */
  readonly offsets: readonly number[];
  readonly heredocs: readonly Heredoc[];
}

export interface SyntaxProblem {
  readonly line: number;
  readonly message: string;
}

export interface DockerfileSyntax {
  readonly directives: readonly Directive[];
  readonly escape: EscapeChar;
  readonly instructions: readonly Instruction[];
  readonly comments: readonly Comment[];
  readonly problems: readonly SyntaxProblem[];
  /** File offset where each line starts (index 0 is line 1). */
  readonly lineStarts: readonly number[];
}

/**
 * The keywords BuildKit accepts; anything else fails the build, so it is a syntax problem.
 * (ONBUILD's argument is another instruction and is not checked further.)
 */
export const KEYWORDS: ReadonlySet<string> = new Set([
  "ADD",
  "ARG",
  "CMD",
  "COPY",
  "ENTRYPOINT",
  "ENV",
  "EXPOSE",
  "FROM",
  "HEALTHCHECK",
  "LABEL",
  "MAINTAINER",
  "ONBUILD",
  "RUN",
  "SHELL",
  "STOPSIGNAL",
  "USER",
  "VOLUME",
  "WORKDIR",
]);

/** The text of a line without its trailing escape character, when it continues. */
function continued(text: string, esc: EscapeChar): string | undefined {
  let end = text.length;
  while (end > 0 && (text[end - 1] === " " || text[end - 1] === "\t")) end--;
  return end > 0 && text[end - 1] === esc ? text.slice(0, end - 1) : undefined;
}

interface Joined {
  args: string;
  offsets: number[];
  keyword: string;
  column: number;
  last: number;
}

/** Reads one instruction's logical line starting at line `first`. */
function joinInstruction(
  lines: readonly Line[],
  first: number,
  esc: EscapeChar,
  comments: Comment[],
): Joined {
  let args = "";
  const offsets: number[] = [];
  let index = first;
  let line = lines[index] as Line;
  const lead = line.text.length - line.text.trimStart().length;
  const keywordMatch = /^\S+/.exec(line.text.slice(lead));
  const keyword = keywordMatch?.[0] ?? "";
  let from = lead + keyword.length;
  for (;;) {
    const body = continued(line.text, esc);
    const piece = (body ?? line.text).slice(from);
    for (let k = 0; k < piece.length; k++) offsets.push(line.start + from + k);
    args += piece;
    if (body === undefined) break;
    // Comment lines inside a continued instruction are removed from it (but kept as
    // comments, for ignores); so are blank lines.
    let next = index + 1;
    while (next < lines.length) {
      const text = (lines[next] as Line).text;
      if (isComment(text))
        comments.push({ line: next + 1, text: text.trimStart().slice(1).trim() });
      else if (!isBlank(text)) break;
      next++;
    }
    if (next >= lines.length) break;
    index = next;
    line = lines[index] as Line;
    from = 0;
  }
  offsets.push(line.start + line.text.length);
  // Leading blanks between the keyword and the first argument are not part of it.
  const end = args.trimEnd().length;
  const start = Math.min(args.length - args.trimStart().length, end);
  return {
    args: args.slice(start, end),
    offsets: offsets.slice(start, end + 1),
    keyword,
    column: lead + 1,
    last: index,
  };
}

/**
 * Reads a Dockerfile. Never throws: what BuildKit would refuse is listed in `problems`
 * with its line, and the rest is read as well as it can be.
 */
export function scanDockerfile(text: string): DockerfileSyntax {
  const lines = splitLines(text);
  const problems: SyntaxProblem[] = [];
  const { directives, escapeChar: esc, next } = readDirectives(lines, problems);
  const instructions: Instruction[] = [];
  const comments: Comment[] = [];
  for (let i = next; i < lines.length; i++) {
    const line = lines[i] as Line;
    if (isBlank(line.text)) continue;
    if (isComment(line.text)) {
      comments.push({ line: i + 1, text: line.text.trimStart().slice(1).trim() });
      continue;
    }
    const joined = joinInstruction(lines, i, esc, comments);
    const keyword = joined.keyword.toUpperCase();
    if (!KEYWORDS.has(keyword)) {
      problems.push({
        line: i + 1,
        message: `unknown instruction "${joined.keyword.slice(0, 40)}"`,
      });
    }
    const names = HEREDOC_KEYWORDS.has(keyword) ? heredocNames(joined.args) : [];
    const docs = readHeredocs(lines, joined.last, names, problems, i + 1);
    instructions.push({
      keyword,
      line: i + 1,
      column: joined.column,
      endLine: docs.last + 1,
      args: joined.args,
      offsets: joined.offsets,
      heredocs: docs.heredocs,
    });
    i = docs.last;
  }
  return {
    directives,
    escape: esc,
    instructions,
    comments,
    problems,
    lineStarts: lines.map((l) => l.start),
  };
}

/** 1-based line and column of a file offset. */
export function positionOf(
  syntax: DockerfileSyntax,
  offset: number,
): { line: number; column: number } {
  const starts = syntax.lineStarts;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - (starts[lo] ?? 0) + 1 };
}

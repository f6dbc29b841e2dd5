import type { EscapeChar, Instruction } from "./syntax.js";

/** One whitespace-separated word of an instruction's arguments, quotes kept. */
export interface Word {
  readonly text: string;
  /** Index in `Instruction.args`. */
  readonly index: number;
}

/** Splits arguments on blanks outside quotes; the escape character protects the next one. */
export function splitWords(args: string, esc: EscapeChar): Word[] {
  const words: Word[] = [];
  let start = -1;
  let quote: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const c = args[i] as string;
    if (start === -1) {
      if (c === " " || c === "\t" || c === "\n") continue;
      start = i;
    }
    if (c === esc && quote !== "'") {
      i++;
    } else if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === " " || c === "\t" || c === "\n") {
      words.push({ text: args.slice(start, i), index: start });
      start = -1;
    }
  }
  if (start !== -1) words.push({ text: args.slice(start), index: start });
  return words;
}

/** Removes quotes and escape characters, as BuildKit does for ENV, ARG, LABEL, WORKDIR, USER. */
export function unquote(word: string, esc: EscapeChar): string {
  let out = "";
  let quote: string | undefined;
  for (let i = 0; i < word.length; i++) {
    const c = word[i] as string;
    if (c === esc && quote !== "'" && i + 1 < word.length) {
      out += word[++i];
    } else if (quote !== undefined && c === quote) {
      quote = undefined;
    } else if (quote === undefined && (c === '"' || c === "'")) {
      quote = c;
    } else {
      out += c;
    }
  }
  return out;
}

/** `--name=value` flags before the first other word (FROM, COPY, ADD, RUN). */
export function leadingFlags(words: readonly Word[]): { flags: Map<string, string>; rest: Word[] } {
  const flags = new Map<string, string>();
  let i = 0;
  for (; i < words.length; i++) {
    const m = /^--([A-Za-z][A-Za-z0-9-]*)(?:=(.*))?$/s.exec((words[i] as Word).text);
    if (m === null) break;
    const name = (m[1] as string).toLowerCase();
    const value = m[2] ?? "true";
    // --mount may be repeated; the values are kept together, newline-separated.
    flags.set(name, flags.has(name) ? `${flags.get(name)}\n${value}` : value);
  }
  return { flags, rest: words.slice(i) };
}

/** The JSON (exec) form `["a", "b"]`, or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  const trimmed = args.trim();
  if (!trimmed.startsWith("[")) return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value;
  } catch {
    // Not JSON: BuildKit runs it in a shell, so it is the shell form.
  }
  return undefined;
}

/** `KEY=value KEY2=value2` pairs, or the legacy `KEY value` form of ENV. */
export function keyValues(
  instruction: Instruction,
  esc: EscapeChar,
): { key: string; value: string | undefined; index: number }[] {
  const words = splitWords(instruction.args, esc);
  const first = words[0];
  if (first === undefined) return [];
  if (!first.text.includes("=") && instruction.keyword === "ENV") {
    const rest = instruction.args.slice((words[1] ?? { index: instruction.args.length }).index);
    return [{ key: first.text, value: unquote(rest.trim(), esc), index: first.index }];
  }
  return words.map((w) => {
    const eq = w.text.indexOf("=");
    if (eq === -1) return { key: unquote(w.text, esc), value: undefined, index: w.index };
    return {
      key: unquote(w.text.slice(0, eq), esc),
      value: unquote(w.text.slice(eq + 1), esc),
      index: w.index,
    };
  });
}

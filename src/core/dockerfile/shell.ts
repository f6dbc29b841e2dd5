/**
 * Just enough of the POSIX shell grammar to see the simple commands of a RUN line: words
 * (quotes removed), separated by `;`, `&&`, `||`, `&`, `|` and newlines. Command
 * substitutions `$(…)` and backticks stay inside their word, so `sh -c "$(curl …)"` is one
 * command whose argument holds the text. Never throws.
 */
export interface ShellCommand {
  readonly words: readonly string[];
  /** The operator that joined this command to the previous one (`|` marks a pipeline). */
  readonly joinedBy: string;
}

const BLANK = new Set([" ", "\t", "\r"]);

export function splitCommands(script: string): ShellCommand[] {
  const commands: ShellCommand[] = [];
  let words: string[] = [];
  let word: string | undefined;
  let joinedBy = "";
  const endWord = () => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  const endCommand = (op: string) => {
    endWord();
    if (words.length > 0) commands.push({ words, joinedBy });
    words = [];
    joinedBy = op;
  };
  for (let i = 0; i < script.length; i++) {
    const c = script[i] as string;
    if (c === "\\" && script[i + 1] === "\n") {
      i++;
      continue;
    }
    if (BLANK.has(c)) {
      endWord();
      continue;
    }
    if (c === "#" && word === undefined) {
      while (i + 1 < script.length && script[i + 1] !== "\n") i++;
      continue;
    }
    const two = script.slice(i, i + 2);
    if (two === "&&" || two === "||") {
      endCommand(two);
      i++;
      continue;
    }
    if (c === ";" || c === "&" || c === "|" || c === "\n") {
      endCommand(c === "\n" ? ";" : c);
      continue;
    }
    const read = readWordPart(script, i);
    word = (word ?? "") + read.text;
    i = read.end - 1;
  }
  endCommand("");
  return commands;
}

/** One piece of a word starting at `i`: a quoted string, a substitution or a character. */
function readWordPart(s: string, i: number): { text: string; end: number } {
  const c = s[i] as string;
  if (c === "'") {
    const close = s.indexOf("'", i + 1);
    const end = close === -1 ? s.length : close;
    return { text: s.slice(i + 1, end), end: end + 1 };
  }
  if (c === '"') {
    let text = "";
    let j = i + 1;
    while (j < s.length && s[j] !== '"') {
      if (s[j] === "\\" && j + 1 < s.length) {
        text += s[j + 1];
        j += 2;
      } else if (s.startsWith("$(", j)) {
        const end = balanced(s, j + 1);
        text += s.slice(j, end);
        j = end;
      } else {
        text += s[j];
        j++;
      }
    }
    return { text, end: j + 1 };
  }
  if (c === "\\" && i + 1 < s.length) return { text: s[i + 1] as string, end: i + 2 };
  if ((c === "$" || c === "<" || c === ">") && s[i + 1] === "(") {
    const end = balanced(s, i + 1);
    return { text: s.slice(i, end), end };
  }
  if (c === "`") {
    const close = s.indexOf("`", i + 1);
    const end = close === -1 ? s.length : close + 1;
    return { text: s.slice(i, end), end };
  }
  return { text: c, end: i + 1 };
}

/** The index after the `)` matching the `(` at `open`. */
function balanced(s: string, open: number): number {
  let depth = 0;
  for (let j = open; j < s.length; j++) {
    if (s[j] === "(") depth++;
    else if (s[j] === ")" && --depth === 0) return j + 1;
  }
  return s.length;
}

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;
const base = (word: string) => word.slice(word.lastIndexOf("/") + 1);

/**
 * The words from the program on: leading `VAR=value` assignments, and wrappers such as
 * `sudo -E` or `env X=1`, are dropped, so `sudo apt-get install x` is seen as apt-get.
 */
export function commandWords(command: ShellCommand): readonly string[] {
  let i = 0;
  const words = command.words;
  for (;;) {
    while (i < words.length && ASSIGNMENT.test(words[i] as string)) i++;
    if (!["sudo", "env", "nohup", "exec"].includes(base(words[i] ?? ""))) break;
    i++;
    while (i < words.length && (words[i] as string).startsWith("-")) i++;
  }
  const rest = words.slice(i);
  return rest.length > 0 ? [base(rest[0] as string), ...rest.slice(1)] : rest;
}

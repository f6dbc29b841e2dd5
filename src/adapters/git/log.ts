/**
 * Added lines of every commit of a repository, read from the `git` program's own
 * `git log -p` (all refs, no merges' combined diffs, zero context lines), so history is
 * scanned exactly as git stores it: a secret added in one commit and removed in the next is
 * still found, with the commit that added it.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { CustomsError } from "../../core/errors.js";

/** The lines one commit added to one file, joined by `\n`, with their line numbers. */
export interface AddedLines {
  readonly commit: string;
  readonly path: string;
  readonly text: string;
  /** `lines[i]` is the line number (1-based, in the new file) of the i-th line of `text`. */
  readonly lines: readonly number[];
}

/** Added lines are flushed in chunks of about this many characters (huge generated files). */
const CHUNK_CHARS = 1 << 20;
const COMMIT_MARK = "\u0000";

/** `revisions`: what `git log` walks (default every ref); only flags and resolved hashes. */
export async function* gitAddedLines(
  repo: string,
  revisions: readonly string[] = ["--all"],
): AsyncGenerator<AddedLines> {
  const child = spawn(
    "git",
    [
      "-C",
      repo,
      "-c",
      "core.quotePath=false",
      "log",
      "-p",
      "--no-color",
      "--no-ext-diff",
      "--no-textconv",
      "--unified=0",
      "-M",
      "--format=%x00%H",
      ...revisions,
      // Nothing after this is a path filter: a hash that looks like a file name stays a hash.
      "--",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    if (stderr.length < 4096) stderr += d;
  });
  const exited = new Promise<number>((resolve, reject) => {
    child.on("error", (e) =>
      reject(
        new CustomsError(
          "GIT_FAILED",
          `${repo}: cannot run git: ${(e as NodeJS.ErrnoException).code ?? e.message}`,
        ),
      ),
    );
    child.on("close", (code) => resolve(code ?? 1));
  });
  exited.catch(() => undefined);
  const parser = new DiffParser();
  const lines = createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    const chunk = parser.push(line);
    if (chunk !== undefined) yield chunk;
  }
  const last = parser.flush();
  if (last !== undefined) yield last;
  const code = await exited;
  if (code !== 0) {
    const first = stderr.split("\n").find((l) => l.trim() !== "") ?? `exit status ${code}`;
    throw new CustomsError("GIT_FAILED", `${repo}: git log failed: ${first.trim()}`);
  }
}

/** A state machine over `git log -p --unified=0` output, one line at a time. */
export class DiffParser {
  private commit = "";
  private path: string | undefined;
  private inHeader = false;
  private next = 0;
  private text: string[] = [];
  private numbers: number[] = [];
  private size = 0;

  push(line: string): AddedLines | undefined {
    if (line.startsWith(COMMIT_MARK)) {
      const done = this.flush();
      this.commit = line.slice(1).trim();
      this.path = undefined;
      return done;
    }
    if (line.startsWith("diff --git ")) {
      const done = this.flush();
      this.inHeader = true;
      this.path = undefined;
      return done;
    }
    if (this.inHeader) return this.header(line);
    if (line.startsWith("+") && this.path !== undefined) {
      this.text.push(line.slice(1));
      this.numbers.push(this.next++);
      this.size += line.length;
      return this.size >= CHUNK_CHARS ? this.flush() : undefined;
    }
    if (line.startsWith("@@")) this.hunk(line);
    return undefined;
  }

  flush(): AddedLines | undefined {
    if (this.text.length === 0 || this.path === undefined) return undefined;
    const chunk = {
      commit: this.commit,
      path: this.path,
      text: this.text.join("\n"),
      lines: this.numbers,
    };
    this.text = [];
    this.numbers = [];
    this.size = 0;
    return chunk;
  }

  private header(line: string): undefined {
    if (line.startsWith("+++ ")) {
      const target = unquote(line.slice(4));
      this.path = target === "/dev/null" ? undefined : target.replace(/^b\//, "");
    } else if (line.startsWith("@@")) {
      this.inHeader = false;
      this.hunk(line);
    }
    return undefined;
  }

  private hunk(line: string): void {
    const m = /^@@ -\d+(?:,\d+)? \+(\d+)/.exec(line);
    this.next = m === null ? 0 : Number(m[1]);
  }
}

/** git quotes paths with control characters C-style: `"b/a\tb"`. */
function unquote(path: string): string {
  if (!path.startsWith('"') || !path.endsWith('"')) return path.replace(/\t$/, "");
  return path
    .slice(1, -1)
    .replace(/\\(["\\tn])/g, (_, c: string) => (c === "t" ? "\t" : c === "n" ? "\n" : c));
}

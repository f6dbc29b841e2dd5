/**
 * `--since REF` and `--range A..B`: which commits a history scan reads. Every ref is checked,
 * then resolved to a commit hash by git itself, and only hashes reach `git log`: a ref the
 * user typed is never parsed by git as an option (`--output=…` would write a file).
 */
import { spawn } from "node:child_process";
import { CustomsError } from "../../core/errors.js";

/** Which commits: all refs (the default), those after `since` up to HEAD, or a range. */
export interface HistoryScope {
  readonly since?: string;
  readonly range?: string;
}

/** A ref as typed: no leading `-`, no whitespace or control characters, not empty. */
export function checkRef(ref: string, what: string): void {
  if (ref === "") throw new CustomsError("GIT_REF_INVALID", `${what}: the ref is empty`);
  if (ref.startsWith("-"))
    throw new CustomsError(
      "GIT_REF_INVALID",
      `${what}: a ref cannot start with "-" (it would be read as an option)`,
    );
  if (/[\s\u0000-\u001f\u007f]/.test(ref))
    throw new CustomsError(
      "GIT_REF_INVALID",
      `${what}: a ref cannot hold whitespace or control characters`,
    );
}

/** `A..B` into its two ends; `A..` means `A..HEAD`, like git. `A...B` is refused. */
export function splitRange(range: string): { from: string; to: string } {
  const at = range.indexOf("..");
  if (at === -1 || range.includes("..."))
    throw new CustomsError(
      "GIT_REF_INVALID",
      `--range: expected FROM..TO (two dots), got "${range.slice(0, 200)}"`,
    );
  const from = range.slice(0, at);
  const to = range.slice(at + 2) || "HEAD";
  checkRef(from, "--range");
  checkRef(to, "--range");
  return { from, to };
}

/**
 * The revision arguments for `git log`: `["--all"]` by default, else `["HASH..HASH"]` with both
 * ends resolved to commits (an unknown ref fails here, with its name, not deep in git log).
 */
export async function resolveScope(repo: string, scope: HistoryScope): Promise<string[]> {
  if (scope.since !== undefined && scope.range !== undefined)
    throw new CustomsError("GIT_REF_INVALID", "--since and --range cannot be used together");
  if (scope.since !== undefined) {
    checkRef(scope.since, "--since");
    const from = await resolveCommit(repo, scope.since, "--since");
    const to = await resolveCommit(repo, "HEAD", "--since");
    return [`${from}..${to}`];
  }
  if (scope.range !== undefined) {
    const { from, to } = splitRange(scope.range);
    return [
      `${await resolveCommit(repo, from, "--range")}..${await resolveCommit(repo, to, "--range")}`,
    ];
  }
  return ["--all"];
}

/** `git rev-parse --verify REF^{commit}`: the commit hash, or GIT_REF_INVALID naming REF. */
function resolveCommit(repo: string, ref: string, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      "git",
      ["-C", repo, "rev-parse", "--verify", "--quiet", `${ref}^{commit}`],
      { stdio: ["ignore", "pipe", "ignore"] },
    );
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
    });
    child.on("error", (e) =>
      reject(
        new CustomsError(
          "GIT_FAILED",
          `${repo}: cannot run git: ${(e as NodeJS.ErrnoException).code ?? e.message}`,
        ),
      ),
    );
    child.on("close", (code) => {
      const hash = out.trim();
      if (code === 0 && /^[0-9a-f]{40,64}$/.test(hash)) resolve(hash);
      else
        reject(
          new CustomsError(
            "GIT_REF_INVALID",
            `${what}: "${ref.slice(0, 200)}" is not a commit in ${repo}`,
          ),
        );
    });
  });
}

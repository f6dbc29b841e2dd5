import { spawn } from "node:child_process";

/**
 * A file as one commit holds it (`git show COMMIT:PATH`), or undefined when it is not there
 * (deleted, a submodule) or larger than `maxBytes`. `commit` is a full hash from `git log`,
 * so the argument can never be read as an option.
 */
export function gitFileAt(
  repo: string,
  commit: string,
  path: string,
  maxBytes: number,
): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const child = spawn("git", ["-C", repo, "show", "--no-textconv", `${commit}:${path}`], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    child.stdout.on("data", (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) {
        over = true;
        child.kill();
        return;
      }
      chunks.push(c);
    });
    child.on("error", () => resolve(undefined));
    child.on("close", (code) => resolve(code === 0 && !over ? Buffer.concat(chunks) : undefined));
  });
}

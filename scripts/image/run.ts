/** Runs the programs the build needs (apt-get, dpkg-deb, npm, tsc, vite, cosign). */
import { spawnSync } from "node:child_process";
import { CustomsError } from "../../src/core/errors.js";

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly input?: string;
}

/** Runs `command` and returns its standard output; fails with its last lines of output. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): string {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    input: options.input,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.error !== undefined || result.status !== 0) {
    const output = `${result.stderr ?? ""}${result.stdout ?? ""}`
      .trim()
      .split("\n")
      .slice(-15)
      .join("\n");
    const why = result.error?.message ?? `exit status ${result.status ?? result.signal}`;
    throw new CustomsError(
      "IMAGE_BUILD_TOOL_FAILED",
      `${command} ${args.join(" ")}: ${why}\n${output}`,
    );
  }
  return result.stdout;
}

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CustomsError } from "../core/errors.js";

/** Exit codes of every command: 0 nothing denied, 1 something denied, 2 bad input or usage. */
export const EXIT_OK = 0;
export const EXIT_DENIED = 1;
export const EXIT_INPUT = 2;

export function write(text: string): void {
  process.stdout.write(text);
}

/**
 * Writes text pieces to standard output as they come, waiting whenever the stream asks to
 * (a slow pipe): what is waiting to be written stays small.
 */
export async function writeChunks(chunks: Iterable<string>): Promise<void> {
  for (const chunk of chunks) {
    if (!process.stdout.write(chunk)) {
      await new Promise<void>((resolve) => process.stdout.once("drain", resolve));
    }
  }
}

export function writeJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * A path inside the installed package. This module sits two folders below the package root
 * both as compiled (dist/cli/io.js) and when bundled (dist/bundle/*.js), so one relative URL
 * serves both; every package-relative path goes through here for that reason.
 */
export function packagePath(path: string): string {
  return fileURLToPath(new URL(`../../${path}`, import.meta.url));
}

let cachedVersion: string | undefined;
export function productVersion(): string {
  if (cachedVersion === undefined) {
    const pkg = JSON.parse(readFileSync(packagePath("package.json"), "utf8")) as {
      version: string;
    };
    cachedVersion = pkg.version;
  }
  return cachedVersion;
}

/** Collects a repeatable option into a list (commander's custom processing). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** A positive whole number of milliseconds, or a usage error naming the flag. */
export function parseMs(flag: string, value: string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms <= 0) {
    throw new CustomsError("USAGE", `${flag} must be a positive number of ms, got "${value}"`);
  }
  return ms;
}

/** `--tag-handling`: `pin` or `refuse` (docs/supply-chain.md, "Tags"). */
export function parseTagHandling(value: string | undefined): "pin" | "refuse" | undefined {
  if (value === undefined) return undefined;
  if (value !== "pin" && value !== "refuse") {
    throw new CustomsError("USAGE", `--tag-handling must be pin or refuse, got "${value}"`);
  }
  return value;
}

import { type InputText, readInputs } from "../../adapters/files/index.js";
import type { Glob } from "../../core/glob.js";

/**
 * The file names a folder is searched for: `Dockerfile`, `Containerfile`, `*.Dockerfile`,
 * `Dockerfile.*` (and the same for Containerfile), in any letter case.
 */
export function isDockerfileName(name: string): boolean {
  const lower = name.toLowerCase();
  return ["dockerfile", "containerfile"].some(
    (base) => lower === base || lower.endsWith(`.${base}`) || lower.startsWith(`${base}.`),
  );
}

/**
 * Reads Dockerfiles: files as given (whatever their name), folders searched recursively for
 * Dockerfile names (hidden folders skipped), `-` for standard input.
 */
export function readDockerfiles(
  paths: readonly string[],
  cwd = process.cwd(),
  exclude: readonly Glob[] = [],
): Promise<InputText[]> {
  return readInputs(paths, cwd, isDockerfileName, { exclude });
}

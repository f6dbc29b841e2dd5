import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { type InputText, MAX_INPUT_BYTES, readInputs } from "../adapters/files/index.js";
import { CustomsError } from "../core/errors.js";

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

/** Folders that never hold the project's own Dockerfiles (vendored or generated trees). */
const SKIPPED = new Set(["node_modules", "vendor"]);

async function walk(dir: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith(".") || SKIPPED.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walk(path, out);
    else if (entry.isFile() && isDockerfileName(entry.name)) out.push(path);
  }
}

function unreadable(path: string, e: unknown): CustomsError {
  if (e instanceof CustomsError) return e;
  return new CustomsError(
    "FILE_UNREADABLE",
    `${path}: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
  );
}

async function readOne(path: string, source: string): Promise<InputText> {
  try {
    const info = await stat(path);
    if (info.size > MAX_INPUT_BYTES) {
      throw new CustomsError(
        "FILE_UNREADABLE",
        `${source}: over the ${MAX_INPUT_BYTES}-byte limit`,
      );
    }
    return { source, text: await readFile(path, "utf8") };
  } catch (e) {
    throw unreadable(source, e);
  }
}

/**
 * Reads Dockerfiles: files as given (whatever their name), folders searched recursively
 * (hidden folders, node_modules and vendor skipped), `-` for standard input.
 */
export async function readDockerfiles(
  paths: readonly string[],
  cwd = process.cwd(),
): Promise<InputText[]> {
  const texts: InputText[] = [];
  for (const path of paths) {
    if (path === "-") {
      texts.push(...(await readInputs(["-"])));
      continue;
    }
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(path)).isDirectory();
    } catch (e) {
      throw unreadable(path, e);
    }
    if (!isDirectory) {
      texts.push(await readOne(path, path));
      continue;
    }
    const files: string[] = [];
    await walk(path, files);
    for (const file of files) texts.push(await readOne(file, relative(cwd, file) || file));
  }
  return texts;
}

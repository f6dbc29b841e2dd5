import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { CustomsError } from "../../core/errors.js";
import { type Glob, matchGlob } from "../../core/glob.js";

/** One input text with the name it is reported under. */
export interface InputText {
  readonly source: string;
  readonly text: string;
  /**
   * Found by walking a folder rather than named: a reader may skip such a file that is not
   * for it (a Helm template beside the manifests) with a note, where a named file is an error.
   */
  readonly inFolder?: boolean;
}

export interface ReadInputsOptions {
  /**
   * Files found in folders whose path (relative to the working directory) or name matches
   * one of these are not read. Files named on the command line are always read.
   */
  readonly exclude?: readonly Glob[];
}

const MANIFEST_EXTENSIONS = [".yaml", ".yml", ".json"];
/** A single input larger than this is refused rather than read into memory. */
export const MAX_INPUT_BYTES = 256 * 1024 * 1024;

function isManifestFile(name: string): boolean {
  const lower = name.toLowerCase();
  return MANIFEST_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

async function walk(dir: string, out: string[], accept: (name: string) => boolean): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    // Hidden folders (.git, .github) hold no manifests of the application.
    if (entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walk(path, out, accept);
    else if (entry.isFile() && accept(entry.name)) out.push(path);
    // A Kubernetes ConfigMap or Secret volume holds symlinks (`p.yaml -> ..data/p.yaml`):
    // a link to a file is read, or the volume's files would be silently skipped. Links to
    // folders are not followed (a link to a parent would never end).
    else if (entry.isSymbolicLink() && accept(entry.name)) {
      const target = await stat(path).catch(() => undefined);
      if (target?.isFile()) out.push(path);
    }
  }
}

async function readText(path: string, source: string): Promise<InputText> {
  try {
    const info = await stat(path);
    if (info.size > MAX_INPUT_BYTES) {
      throw new CustomsError(
        "FILE_UNREADABLE",
        `${source}: ${info.size} bytes is over the ${MAX_INPUT_BYTES}-byte limit`,
      );
    }
    return { source, text: await readFile(path, "utf8") };
  } catch (e) {
    if (e instanceof CustomsError) throw e;
    throw new CustomsError(
      "FILE_UNREADABLE",
      `${source}: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    );
  }
}

async function readStdin(): Promise<InputText> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > MAX_INPUT_BYTES) {
      throw new CustomsError("FILE_UNREADABLE", `<stdin>: over the ${MAX_INPUT_BYTES}-byte limit`);
    }
    chunks.push(chunk as Buffer);
  }
  return { source: "<stdin>", text: Buffer.concat(chunks).toString("utf8") };
}

/**
 * Reads files, folders (recursively: *.yaml, *.yml, *.json, sorted, hidden folders skipped)
 * and `-` for standard input. Sources are reported relative to the working directory.
 * `accept` chooses the files a folder contributes by name (files named on the command line
 * are always read).
 */
export async function readInputs(
  paths: readonly string[],
  cwd = process.cwd(),
  accept: (name: string) => boolean = isManifestFile,
  options: ReadInputsOptions = {},
): Promise<InputText[]> {
  const exclude = options.exclude ?? [];
  const texts: InputText[] = [];
  for (const path of paths) {
    if (path === "-") {
      texts.push(await readStdin());
      continue;
    }
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch (e) {
      throw new CustomsError(
        "FILE_UNREADABLE",
        `${path}: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
      );
    }
    if (info.isDirectory()) {
      const files: string[] = [];
      await walk(path, files, accept);
      for (const file of files) {
        const source = relative(cwd, file) || file;
        if (exclude.some((glob) => matchGlob(glob, source))) continue;
        texts.push({ ...(await readText(file, source)), inFolder: true });
      }
    } else {
      texts.push(await readText(path, path));
    }
  }
  return texts;
}

import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";

/** How a file is written. */
export interface WriteFileOptions {
  /**
   * The new file's permission bits, given by each caller on purpose: 0o600 for anything a
   * reader other than the owner must not see (tokens, keys, trust state). Set when the
   * temporary file is created, so the content is never readable under a wider mode.
   */
  readonly mode: number;
}

let sequence = 0;

/** A name beside the target: a rename within one folder is atomic, across filesystems it is not. */
function temporaryPath(path: string): string {
  sequence += 1;
  return `${path}.${process.pid}.${sequence}.tmp`;
}

/**
 * The rename is durable only once the folder's entry is on disk. Best effort: some
 * filesystems and platforms refuse to sync a folder, and the file itself already is.
 */
async function syncFolder(path: string): Promise<void> {
  try {
    const folder = await open(dirname(path), "r");
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  } catch {
    // The data is written and renamed; only its durability across a power loss is weaker.
  }
}

/**
 * Writes the data to a fresh file beside `path`, flushes it, then renames it over `path`:
 * a crash, a full disk or a reader at the same moment sees either the old file or the new
 * one, never half of one. The temporary file is removed when anything fails.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  o: WriteFileOptions,
): Promise<void> {
  const temp = temporaryPath(path);
  try {
    // "wx": a stale temporary file of another writer is never written into.
    const file = await open(temp, "wx", o.mode);
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
  await syncFolder(path);
}

/** writeFileAtomic for callers whose own API is synchronous (a command's one write). */
export function writeFileAtomicSync(
  path: string,
  data: string | Uint8Array,
  o: WriteFileOptions,
): void {
  const temp = temporaryPath(path);
  try {
    const fd = openSync(temp, "wx", o.mode);
    try {
      const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
  try {
    const folder = openSync(dirname(path), "r");
    try {
      fsyncSync(folder);
    } finally {
      closeSync(folder);
    }
  } catch {
    // As in syncFolder: best effort.
  }
}

/**
 * Creates the folder and its missing parents. `mode` applies to the folders created here
 * (an existing folder keeps its own): 0o700 for one that holds keys or trust state.
 */
export async function ensureDir(path: string, mode: number): Promise<void> {
  await mkdir(path, { recursive: true, mode });
}

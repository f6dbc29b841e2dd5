import { chmod, mkdtemp, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** One file of a folder written whole. */
export interface FolderFile {
  readonly name: string;
  readonly data: string | Uint8Array;
  /** 0o600 for private keys; see WriteFileOptions.mode. */
  readonly mode: number;
}

/**
 * Writes the files into a fresh hidden folder beside `dir`, then renames it to `dir`, so a
 * reader never finds some files of one writer with the others of another (a certificate
 * with another process's key). When `dir` already exists, another writer got there first:
 * its folder is kept, this one is removed, and the result is false.
 *
 * The parent folder must exist (see ensureDir). `mode` is the folder's own permission bits.
 */
export async function writeFolderOnce(
  dir: string,
  files: readonly FolderFile[],
  mode: number,
): Promise<boolean> {
  const temp = await mkdtemp(join(dirname(dir), `.${basename(dir)}-`));
  try {
    for (const f of files) {
      const file = await open(join(temp, f.name), "wx", f.mode);
      try {
        await file.writeFile(f.data);
        await file.sync();
      } finally {
        await file.close();
      }
    }
    await chmod(temp, mode);
    await rename(temp, dir);
    return true;
  } catch (e) {
    await rm(temp, { recursive: true, force: true });
    const code = (e as NodeJS.ErrnoException).code;
    // rename(2) onto a folder that is not empty: the other writer's folder stays.
    if (code === "ENOTEMPTY" || code === "EEXIST") return false;
    throw e;
  }
}

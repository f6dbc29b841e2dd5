import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { CustomsError } from "../../core/errors.js";

/** One file found by walkFiles. */
export interface WalkedFile {
  /** The path to open (the root joined with the folders walked). */
  readonly path: string;
  /** The path relative to the root, with `/` separators; the root itself when it is a file. */
  readonly rel: string;
}

/**
 * The regular files under `root` (or `root` itself when it is a file), depth first, in name
 * order, without following symbolic links (a link to a parent would never end). `enter`
 * decides whether a folder is walked, given its name and its `rel/` path.
 *
 * Synchronous and lazy: the caller reads each file before the next folder is listed, so a
 * large tree is never held as a list.
 */
export function* walkFiles(
  root: string,
  enter: (name: string, rel: string) => boolean,
): Generator<WalkedFile> {
  let isFolder: boolean;
  try {
    isFolder = statSync(root).isDirectory();
  } catch (e) {
    throw new CustomsError(
      "FILE_UNREADABLE",
      `${root}: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    );
  }
  if (!isFolder) {
    yield { path: root, rel: root };
    return;
  }
  function* walk(dir: string): Generator<WalkedFile> {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    );
    for (const e of entries) {
      const path = join(dir, e.name);
      const rel = relative(root, path).split("\\").join("/");
      if (e.isDirectory()) {
        if (enter(e.name, `${rel}/`)) yield* walk(path);
      } else if (e.isFile()) {
        yield { path, rel };
      }
    }
  }
  yield* walk(root);
}

/** What FileBytesReader found: the bytes, or the size of a file over the limit. */
export type FileBytes =
  | { readonly kind: "bytes"; readonly bytes: Buffer }
  | { readonly kind: "too-large"; readonly size: number };

/**
 * Reads files into one reused buffer: scanning a tree allocates nothing per file. The bytes
 * returned are a view of that buffer, valid until the next read.
 */
export class FileBytesReader {
  private buffer = Buffer.allocUnsafe(1 << 20);

  read(path: string, maxBytes: number): FileBytes {
    const fd = openSync(path, "r");
    try {
      const size = fstatSync(fd).size;
      if (size > maxBytes) return { kind: "too-large", size };
      if (size > this.buffer.length) this.buffer = Buffer.allocUnsafe(size);
      let n = 0;
      while (n < size) {
        const got = readSync(fd, this.buffer, n, size - n, n);
        if (got === 0) break;
        n += got;
      }
      return { kind: "bytes", bytes: this.buffer.subarray(0, n) };
    } finally {
      closeSync(fd);
    }
  }
}

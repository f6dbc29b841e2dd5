/**
 * Host files as layer entries: a file, or a folder and everything under it, placed at a path
 * of the image. Entries come sorted by path (bytewise), so a layer's bytes depend only on the
 * files, not on the order the filesystem lists them in.
 */
import { lstatSync, readdirSync, readFileSync, readlinkSync, type Stats, statSync } from "node:fs";
import { join, posix } from "node:path";
import { CustomsError } from "../../src/core/errors.js";
import type { TarEntry } from "./tar.js";

/** Who owns the copied entries: fixed ids (COPY --chown, default 0:0), or the host's. */
export type Owner = { readonly uid: number; readonly gid: number } | "host";

export interface CopyOptions {
  readonly owner: Owner;
  /** COPY --chmod: replaces the permission bits of every copied entry. */
  readonly mode?: number;
}

/** `/app/dist/` -> `app/dist`: tar paths are relative to the root, without a trailing slash. */
export const tarPath = (absolute: string) => posix.normalize(absolute).replace(/^\/+|\/+$/g, "");

function entryFor(path: string, host: string, stats: Stats, options: CopyOptions): TarEntry {
  const ids = options.owner === "host" ? { uid: stats.uid, gid: stats.gid } : options.owner;
  const mode = options.mode ?? stats.mode & 0o7777;
  if (stats.isDirectory()) return { type: "dir", path, mode, ...ids };
  if (stats.isSymbolicLink()) {
    return { type: "symlink", path, mode: 0o777, ...ids, target: readlinkSync(host) };
  }
  if (stats.isFile()) return { type: "file", path, mode, ...ids, data: readFileSync(host) };
  throw new CustomsError(
    "IMAGE_BUILD_SOURCE_INVALID",
    `${host}: only files, folders and symbolic links can go into an image`,
  );
}

function byName(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function walk(host: string, path: string, options: CopyOptions, out: TarEntry[]): void {
  for (const name of readdirSync(host).sort(byName)) {
    const child = join(host, name);
    const stats = lstatSync(child);
    const inner = path === "" ? name : `${path}/${name}`;
    out.push(entryFor(inner, child, stats, options));
    if (stats.isDirectory()) walk(child, inner, options, out);
  }
}

/**
 * The entries that copy `host` to `dest` (absolute, in the image). A folder's contents go
 * into `dest`, as COPY does; the source itself is followed when it is a symbolic link (as
 * BuildKit does), the links inside it are kept as links.
 */
export function copyEntries(host: string, dest: string, options: CopyOptions): TarEntry[] {
  let stats: Stats;
  try {
    stats = statSync(host);
  } catch {
    throw new CustomsError("IMAGE_BUILD_SOURCE_MISSING", `${host}: no such file or folder`);
  }
  const path = tarPath(dest);
  const out: TarEntry[] = [entryFor(path, host, stats, options)];
  if (stats.isDirectory()) walk(host, path, options, out);
  return out;
}

/** Folders above `dest` that the image does not have yet (root-owned, 0755, as BuildKit makes them). */
export function missingParents(dest: string, known: ReadonlySet<string>): TarEntry[] {
  const parts = tarPath(dest).split("/").slice(0, -1);
  const out: TarEntry[] = [];
  for (let i = 1; i <= parts.length; i++) {
    const path = parts.slice(0, i).join("/");
    if (path !== "" && !known.has(path))
      out.push({ type: "dir", path, mode: 0o755, uid: 0, gid: 0 });
  }
  return out;
}

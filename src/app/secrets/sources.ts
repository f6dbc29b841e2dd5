/**
 * Where texts come from: files and folders, git history, image layers. Each source reads
 * and hands bytes or lines to the Collector; none of them decides what a secret is.
 */
import { relative } from "node:path";
import { Readable } from "node:stream";
import { FileBytesReader, walkFiles } from "../../adapters/files/index.js";
import {
  gitAddedLines,
  gitFileAt,
  type HistoryScope,
  resolveScope,
} from "../../adapters/git/index.js";
import {
  type LayerDescriptor,
  layoutBlob,
  readLayout,
  readTar,
  uncompressed,
} from "../../adapters/oci-layout/index.js";
import { CustomsError } from "../../core/errors.js";
import { type Glob, matchGlob } from "../../core/glob.js";
import type { Collector } from "./collect.js";

const MAY_BE_SECRET_FILE = /\.(?:ya?ml|json)$/i;
/** A `key: value` or `"key": "value"` line: what a Secret's data entries look like. */
const MAY_BE_SECRET_ENTRY = /^\s*"?[-._a-zA-Z0-9]+"?\s*:\s*\S/m;

/** Folders never entered: VCS internals and installed dependencies (documented). */
export const SKIPPED_DIRS = new Set([".git", "node_modules"]);

/**
 * A file or a folder (recursively, in name order, not following symbolic links). Files found
 * in a folder whose path from the working directory or name matches `exclude` are not read.
 */
export function scanPath(root: string, collector: Collector, exclude: readonly Glob[] = []): void {
  const reader = new FileBytesReader();
  const enter = (name: string, rel: string) =>
    !SKIPPED_DIRS.has(name) && !collector.isAllowedPath(rel);
  for (const { path, rel } of walkFiles(root, enter)) {
    if (collector.isAllowedPath(rel)) continue;
    if (path !== root && exclude.some((g) => matchGlob(g, relative(".", path)))) continue;
    const read = reader.read(path, collector.maxFileBytes);
    if (read.kind === "too-large") collector.noteTooLarge(path, read.size);
    else collector.scanBytes(read.bytes, path);
  }
}

/** Every line a commit added (every ref, or the scope's commits); findings carry the commit. */
export async function scanGitHistory(
  repo: string,
  collector: Collector,
  scope: HistoryScope,
): Promise<void> {
  const commits = new Set<string>();
  for await (const chunk of gitAddedLines(repo, await resolveScope(repo, scope))) {
    commits.add(chunk.commit);
    if (collector.isAllowedPath(chunk.path)) continue;
    const origin = { commit: chunk.commit };
    const found = collector.scanLines(
      chunk.text,
      chunk.path,
      (line) => chunk.lines[line - 1] ?? line,
      origin,
    );
    // A Secret's added `data` lines are base64: its values are decoded from the whole file as
    // that commit holds it (read only for YAML and JSON files whose added lines could be one).
    if (MAY_BE_SECRET_FILE.test(chunk.path) && MAY_BE_SECRET_ENTRY.test(chunk.text)) {
      const bytes = await gitFileAt(repo, chunk.commit, chunk.path, collector.maxFileBytes);
      if (bytes !== undefined) {
        collector.scanKubeSecretsAdded(bytes, chunk.path, new Set(chunk.lines), found, origin);
      }
    }
  }
  collector.count("commits", commits.size);
}

/** Every regular file of one layer (a stream of its compressed bytes). */
export async function scanLayer(
  source: AsyncIterable<Buffer>,
  image: string,
  layer: LayerDescriptor,
  collector: Collector,
): Promise<void> {
  const origin = { image, layer: layer.digest };
  try {
    for await (const entry of readTar(uncompressed(source), collector.maxFileBytes)) {
      const path = entry.path.replace(/^\.\//, "");
      if (collector.isAllowedPath(path)) continue;
      if (entry.data === undefined) collector.noteTooLarge(path, entry.size, origin);
      else collector.scanBytes(entry.data, path, origin);
    }
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new CustomsError("IMAGE_LAYOUT_INVALID", `${image}: layer ${layer.digest}: ${why}`);
  }
  collector.count("layers");
}

/** Every image of an OCI image layout folder. */
export async function scanImageLayout(dir: string, collector: Collector): Promise<void> {
  const images = await readLayout(dir);
  const seen = new Set<string>();
  for (const image of images) {
    collector.count("images");
    for (const layer of image.layers) {
      // Images of one layout share layers: each is read once, shown under its first image.
      if (seen.has(layer.digest)) continue;
      seen.add(layer.digest);
      await scanLayer(layoutBlob(dir, layer.digest), `${dir}:${image.name}`, layer, collector);
    }
  }
}

/** A layer held in memory (the registry client returns whole, verified blobs). */
export function bufferSource(bytes: Buffer): AsyncIterable<Buffer> {
  return Readable.from([bytes], { objectMode: true });
}

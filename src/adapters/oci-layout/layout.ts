/**
 * Reading an OCI image layout folder (`oci-layout`, `index.json`, `blobs/<alg>/<hex>`), as
 * written by `skopeo copy … oci:DIR`, `crane pull --format=oci`, `docker buildx --output
 * type=oci` (unpacked): https://github.com/opencontainers/image-spec/blob/main/image-layout.md
 */
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { CustomsError } from "../../core/errors.js";

export interface LayerDescriptor {
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
}

export interface LayoutImage {
  /** `org.opencontainers.image.ref.name` of the index entry, else the manifest digest. */
  readonly name: string;
  readonly manifestDigest: string;
  readonly layers: readonly LayerDescriptor[];
}

const INDEX_TYPES = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
];
const MAX_NESTING = 4;

function invalid(dir: string, why: string): CustomsError {
  return new CustomsError("IMAGE_LAYOUT_INVALID", `${dir}: ${why}`);
}

export function blobPath(dir: string, digest: string): string {
  const m = /^([a-z0-9]+):([a-f0-9]{32,128})$/.exec(digest);
  if (m === null) throw invalid(dir, `malformed digest "${digest.slice(0, 80)}"`);
  return join(dir, "blobs", m[1] as string, m[2] as string);
}

async function readJson(dir: string, path: string, what: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw invalid(dir, `cannot read ${what}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === "object" && value !== null && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {
    // fall through to the error below
  }
  throw invalid(dir, `${what} is not a JSON object`);
}

function descriptors(dir: string, value: unknown, what: string): Record<string, unknown>[] {
  if (!Array.isArray(value)) throw invalid(dir, `${what} is not a list`);
  return value.map((d, i) => {
    if (
      typeof d !== "object" ||
      d === null ||
      typeof (d as { digest?: unknown }).digest !== "string"
    )
      throw invalid(dir, `${what}[${i}] has no digest`);
    return d as Record<string, unknown>;
  });
}

/** Every image (manifest) the layout's index reaches, nested indexes included. */
export async function readLayout(dir: string): Promise<LayoutImage[]> {
  const marker = await readJson(dir, join(dir, "oci-layout"), "oci-layout");
  if (typeof marker.imageLayoutVersion !== "string")
    throw invalid(dir, "oci-layout has no imageLayoutVersion");
  const index = await readJson(dir, join(dir, "index.json"), "index.json");
  const images: LayoutImage[] = [];
  await walkIndex(dir, index, "index.json", undefined, images, 0);
  return images;
}

async function walkIndex(
  dir: string,
  index: Record<string, unknown>,
  what: string,
  name: string | undefined,
  out: LayoutImage[],
  depth: number,
): Promise<void> {
  if (depth > MAX_NESTING) throw invalid(dir, "indexes nested too deep");
  for (const [i, d] of descriptors(dir, index.manifests, `${what} manifests`).entries()) {
    const digest = d.digest as string;
    const annotations = (d.annotations ?? {}) as Record<string, unknown>;
    const ref = annotations["org.opencontainers.image.ref.name"];
    const label = typeof ref === "string" ? ref : (name ?? digest);
    const doc = await readJson(dir, blobPath(dir, digest), `${what} manifests[${i}] (${digest})`);
    const mediaType = String(doc.mediaType ?? d.mediaType ?? "");
    if (INDEX_TYPES.includes(mediaType) || Array.isArray(doc.manifests)) {
      await walkIndex(dir, doc, digest, label, out, depth + 1);
      continue;
    }
    const layers = descriptors(dir, doc.layers, `manifest ${digest} layers`).map((l) => ({
      digest: l.digest as string,
      mediaType: String(l.mediaType ?? ""),
      size: Number(l.size ?? 0),
    }));
    out.push({ name: label, manifestDigest: digest, layers });
  }
}

/** A layer blob of the layout as a stream of its compressed bytes. */
export function layoutBlob(dir: string, digest: string): Readable {
  return createReadStream(blobPath(dir, digest), { highWaterMark: 1 << 20 });
}

/**
 * The uncompressed tar bytes of a layer: gzip is recognised by its magic bytes (media types
 * lie in the wild), anything else is taken as a plain tar.
 */
export async function* uncompressed(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const it = source[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const head: Buffer = first.value;
  async function* all(): AsyncGenerator<Buffer> {
    yield head;
    for (let n = await it.next(); !n.done; n = await it.next()) yield n.value;
  }
  if (head[0] !== 0x1f || head[1] !== 0x8b) {
    yield* all();
    return;
  }
  const gunzip = createGunzip({ chunkSize: 1 << 18 });
  const input = Readable.from(all());
  input.on("error", (e) => gunzip.destroy(e));
  input.pipe(gunzip);
  yield* gunzip as AsyncIterable<Buffer>;
}

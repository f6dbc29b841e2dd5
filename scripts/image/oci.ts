/**
 * OCI image pieces (https://github.com/opencontainers/image-spec): content-addressed blobs,
 * gzip layers with their uncompressed digest (the config's `rootfs.diff_ids`), the image
 * config and the manifest. Everything here is a pure function of its input, so the same files
 * give the same digests.
 */
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { type TarEntry, writeTar } from "./tar.js";

export const MEDIA = {
  manifest: "application/vnd.oci.image.manifest.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  layer: "application/vnd.oci.image.layer.v1.tar+gzip",
} as const;

export interface Blob {
  readonly bytes: Buffer;
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
}

export interface Layer extends Blob {
  /** sha256 of the uncompressed tar. */
  readonly diffId: string;
}

/** The `config` part of an OCI image config: what the runtime starts. */
export interface RunConfig {
  User?: string;
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  WorkingDir?: string;
  Labels?: Record<string, string>;
  ExposedPorts?: Record<string, Record<string, never>>;
  Volumes?: Record<string, Record<string, never>>;
  StopSignal?: string;
}

export interface HistoryEntry {
  readonly created: string;
  readonly created_by: string;
  readonly comment?: string;
  readonly empty_layer?: boolean;
}

/** An image before it is serialized: its layers in order, its run config and history. */
export interface Image {
  readonly layers: readonly Layer[];
  readonly config: RunConfig;
  readonly history: readonly HistoryEntry[];
}

export interface SerializedImage {
  readonly config: Blob;
  readonly layers: readonly Layer[];
  readonly manifest: Blob;
}

export const sha256 = (bytes: Buffer | string) =>
  `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

export function blob(bytes: Buffer, mediaType: string): Blob {
  return { bytes, mediaType, digest: sha256(bytes), size: bytes.length };
}

/**
 * The seconds since 1970 every file and the image carry: SOURCE_DATE_EPOCH when set
 * (https://reproducible-builds.org/specs/source-date-epoch/), else 0, so that rebuilding
 * unchanged files gives unchanged digests.
 */
export function buildEpoch(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.SOURCE_DATE_EPOCH;
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : 0;
}

export const isoTime = (epoch: number) =>
  new Date(epoch * 1000).toISOString().replace(".000Z", "Z");

/**
 * Compressed layers by the digest of their tar. Writing the tar and hashing it is fast; gzip
 * is what takes the time, so a warm build only re-reads files.
 */
export interface LayerCache {
  get(diffId: string): Buffer | undefined;
  put(diffId: string, gz: Buffer): void;
}

export function makeLayer(entries: readonly TarEntry[], epoch: number, cache?: LayerCache): Layer {
  const tar = writeTar(entries, epoch);
  const diffId = sha256(tar);
  let gz = cache?.get(diffId);
  if (gz === undefined) {
    // Level 6 (gzip's default): level 9 takes about twice as long for a few per cent.
    gz = gzipSync(tar, { level: 6 });
    cache?.put(diffId, gz);
  }
  return { ...blob(gz, MEDIA.layer), diffId };
}

const descriptor = (b: Blob) => ({ mediaType: b.mediaType, digest: b.digest, size: b.size });

export function serializeImage(image: Image, epoch: number): SerializedImage {
  const config = blob(
    Buffer.from(
      JSON.stringify({
        created: isoTime(epoch),
        architecture: "amd64",
        os: "linux",
        config: image.config,
        rootfs: { type: "layers", diff_ids: image.layers.map((l) => l.diffId) },
        history: image.history,
      }),
    ),
    MEDIA.config,
  );
  const manifest = blob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA.manifest,
        config: descriptor(config),
        layers: image.layers.map(descriptor),
      }),
    ),
    MEDIA.manifest,
  );
  return { config, layers: image.layers, manifest };
}

/**
 * Small images for the e2e node, made from files of this machine: the Pods' sandbox (pause),
 * CoreDNS, and application images whose process is the same pause program under another
 * name. One uncompressed-then-gzipped layer, an OCI config and manifest, pushed to the
 * tests' own registry; nothing is pulled from anywhere.
 */
import { readFileSync, statSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { type Content, content, OCI, type Pusher } from "../registry/images.js";

export interface LayerFile {
  /** Path inside the image, without a leading slash ("pause", "etc/passwd"). */
  readonly path: string;
  /** The file's bytes; undefined for a directory. */
  readonly bytes?: Buffer;
  readonly mode?: number;
}

/** A POSIX ustar archive of the given entries (owner root, mtime 0: the same input, the same digest). */
export function tarOf(entries: readonly LayerFile[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const isDir = entry.bytes === undefined;
    const name = isDir ? `${entry.path.replace(/\/$/, "")}/` : entry.path;
    if (Buffer.byteLength(name) > 100) throw new Error(`tar: name too long: ${name}`);
    const header = Buffer.alloc(512, 0);
    header.write(name, 0, 100, "utf8");
    const octal = (n: number, width: number) => n.toString(8).padStart(width - 1, "0");
    header.write(octal(entry.mode ?? (isDir ? 0o755 : 0o644), 8), 100, 8, "ascii");
    header.write(octal(0, 8), 108, 8, "ascii"); // uid
    header.write(octal(0, 8), 116, 8, "ascii"); // gid
    header.write(octal(isDir ? 0 : (entry.bytes?.length ?? 0), 12), 124, 12, "ascii");
    header.write(octal(0, 12), 136, 12, "ascii"); // mtime
    header.write("        ", 148, 8, "ascii"); // checksum placeholder
    header.write(isDir ? "5" : "0", 156, 1, "ascii");
    header.write("ustar\u000000", 257, 8, "binary");
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, "0")}\u0000 `, 148, 8, "binary");
    blocks.push(header);
    if (!isDir && entry.bytes !== undefined) {
      blocks.push(entry.bytes);
      const pad = (512 - (entry.bytes.length % 512)) % 512;
      if (pad > 0) blocks.push(Buffer.alloc(pad, 0));
    }
  }
  blocks.push(Buffer.alloc(1024, 0));
  return Buffer.concat(blocks);
}

export interface SimpleImage {
  readonly entrypoint: readonly string[];
  readonly cmd?: readonly string[];
  readonly user?: string;
  readonly files: readonly LayerFile[];
}

/** Builds and pushes a one-layer image; returns `HOST/REPO@sha256:…`. */
export async function pushSimpleImage(
  pusher: Pusher,
  registryHost: string,
  repository: string,
  tag: string,
  image: SimpleImage,
): Promise<string> {
  const tar = tarOf(image.files);
  const layer = content(gzipSync(tar, { level: 6 }), OCI.layer);
  const diffId = content(tar, "").digest;
  const config = content(
    Buffer.from(
      JSON.stringify({
        architecture: "amd64",
        os: "linux",
        config: {
          User: image.user ?? "65532:65532",
          Entrypoint: image.entrypoint,
          ...(image.cmd === undefined ? {} : { Cmd: image.cmd }),
          Env: ["PATH=/usr/local/bin:/usr/bin:/bin"],
        },
        rootfs: { type: "layers", diff_ids: [diffId] },
      }),
    ),
    OCI.config,
  );
  const manifest: Content = content(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI.manifest,
        config: { mediaType: config.mediaType, digest: config.digest, size: config.size },
        layers: [{ mediaType: layer.mediaType, digest: layer.digest, size: layer.size }],
      }),
    ),
    OCI.manifest,
  );
  await pusher.pushImage(
    repository,
    { platform: { os: "linux", architecture: "amd64" }, config, layers: [layer], manifest },
    [tag],
  );
  return `${registryHost}/${repository}@${manifest.digest}`;
}

/** A file of this machine as a layer entry. */
export function hostFile(path: string, from: string, mode?: number): LayerFile {
  return { path, bytes: readFileSync(from), mode: mode ?? statSync(from).mode & 0o777 };
}

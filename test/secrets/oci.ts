/**
 * Image layers and OCI image layouts written by the tests themselves: a small tar writer
 * (ustar; PAX `x` records and GNU `L` entries for long names) and the layout's files.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { type BuiltImage, type Content, content, OCI } from "../registry/images.js";

export interface TarFile {
  readonly path: string;
  readonly data: Buffer | string;
  /** How a long path is written: PAX (default) or a GNU long-name entry. */
  readonly longName?: "pax" | "gnu";
  readonly type?: "0" | "5" | "2";
}

function header(name: string, size: number, type: string): Buffer {
  const h = Buffer.alloc(512);
  h.write(name.slice(0, 100), 0, "utf8");
  h.write("0000644\0", 100);
  h.write("0000000\0", 108);
  h.write("0000000\0", 116);
  h.write(`${size.toString(8).padStart(11, "0")}\0`, 124);
  h.write("00000000000\0", 136);
  h.write(type, 156);
  h.write("ustar\0", 257);
  h.write("00", 263);
  h.fill(" ", 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  return h;
}

function padded(data: Buffer): Buffer {
  const pad = (512 - (data.length % 512)) % 512;
  return Buffer.concat([data, Buffer.alloc(pad)]);
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = body.length + 1;
  while (`${length}${body}`.length !== length) length++;
  return `${length}${body}`;
}

export function tar(files: readonly TarFile[]): Buffer {
  const parts: Buffer[] = [];
  for (const f of files) {
    const data = Buffer.from(f.data);
    let name = f.path;
    if (Buffer.byteLength(name) > 100) {
      const long = Buffer.from(f.longName === "gnu" ? `${name}\0` : paxRecord("path", name));
      parts.push(
        header(
          f.longName === "gnu" ? "././@LongLink" : "PaxHeader",
          long.length,
          f.longName === "gnu" ? "L" : "x",
        ),
      );
      parts.push(padded(long));
      name = name.slice(-100);
    }
    const type = f.type ?? "0";
    parts.push(header(name, type === "0" ? data.length : 0, type));
    if (type === "0") parts.push(padded(data));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** An image (OCI media types) whose layers are the given tars, gzipped unless `plain`. */
export function imageOf(layers: readonly Buffer[], plain = false): BuiltImage {
  const blobs = layers.map((t) =>
    plain ? content(t, "application/vnd.oci.image.layer.v1.tar") : content(gzipSync(t), OCI.layer),
  );
  const config = content(
    Buffer.from(
      JSON.stringify({
        architecture: "amd64",
        os: "linux",
        rootfs: { type: "layers", diff_ids: [] },
      }),
    ),
    OCI.config,
  );
  const d = (c: Content) => ({ mediaType: c.mediaType, digest: c.digest, size: c.size });
  const manifest = content(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI.manifest,
        config: d(config),
        layers: blobs.map(d),
      }),
    ),
    OCI.manifest,
  );
  return { platform: { os: "linux", architecture: "amd64" }, config, layers: blobs, manifest };
}

/** Writes `dir` as an OCI image layout holding `image` under the ref name `name`. */
export function writeLayout(dir: string, image: BuiltImage, name: string): void {
  mkdirSync(join(dir, "blobs", "sha256"), { recursive: true });
  writeFileSync(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  for (const c of [image.config, ...image.layers, image.manifest]) {
    writeFileSync(join(dir, "blobs", "sha256", c.digest.slice(7)), c.bytes);
  }
  const entry = {
    mediaType: OCI.manifest,
    digest: image.manifest.digest,
    size: image.manifest.size,
    annotations: { "org.opencontainers.image.ref.name": name },
  };
  writeFileSync(join(dir, "index.json"), JSON.stringify({ schemaVersion: 2, manifests: [entry] }));
}

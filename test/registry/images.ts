import { createHash, randomBytes } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { request as httpRequest } from "node:http";
import { request } from "node:https";
import { gzipSync } from "node:zlib";

/**
 * Images the tests build and push themselves: a config blob, one or two small layers, an
 * image manifest (OCI or Docker v2 schema 2), and indexes over several of them. Pushes use
 * the distribution spec's monolithic upload (POST, then PUT with the digest).
 */
export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

export interface Content {
  readonly bytes: Buffer;
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
}

export interface BuiltImage {
  readonly platform: Platform;
  readonly config: Content;
  readonly layers: readonly Content[];
  readonly manifest: Content;
}

export const OCI = {
  manifest: "application/vnd.oci.image.manifest.v1+json",
  index: "application/vnd.oci.image.index.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  layer: "application/vnd.oci.image.layer.v1.tar+gzip",
} as const;

export const DOCKER = {
  manifest: "application/vnd.docker.distribution.manifest.v2+json",
  list: "application/vnd.docker.distribution.manifest.list.v2+json",
  config: "application/vnd.docker.container.image.v1+json",
  layer: "application/vnd.docker.image.rootfs.diff.tar.gzip",
} as const;

export function content(bytes: Buffer, mediaType: string): Content {
  const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
  return { bytes, mediaType, digest, size: bytes.length };
}

const descriptor = (c: Content) => ({ mediaType: c.mediaType, digest: c.digest, size: c.size });

/** An image whose layers are random bytes: each build differs, so digests are unique. */
export function buildImage(platform: Platform, kind: "oci" | "docker" = "oci", layers = 2) {
  const types = kind === "oci" ? OCI : DOCKER;
  const raw = Array.from({ length: layers }, () => randomBytes(64));
  const layerBlobs = raw.map((r) => content(gzipSync(r), types.layer));
  const config = content(
    Buffer.from(
      JSON.stringify({
        architecture: platform.architecture,
        os: platform.os,
        ...(platform.variant ? { variant: platform.variant } : {}),
        config: { User: "65532", Env: ["PATH=/usr/bin"], Labels: { built: "customs-test" } },
        rootfs: {
          type: "layers",
          diff_ids: raw.map((r) => `sha256:${createHash("sha256").update(r).digest("hex")}`),
        },
      }),
    ),
    types.config,
  );
  const manifest = content(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: types.manifest,
        config: descriptor(config),
        layers: layerBlobs.map(descriptor),
      }),
    ),
    types.manifest,
  );
  return { platform, config, layers: layerBlobs, manifest } satisfies BuiltImage;
}

export function buildIndex(images: readonly BuiltImage[], kind: "oci" | "docker" = "oci") {
  const mediaType = kind === "oci" ? OCI.index : DOCKER.list;
  const body = {
    schemaVersion: 2,
    mediaType,
    manifests: images.map((i) => ({ ...descriptor(i.manifest), platform: i.platform })),
  };
  return content(Buffer.from(JSON.stringify(body)), mediaType);
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Pushes with an Authorization chosen per repository (Basic, or a token signed for push). */
export class Pusher {
  constructor(
    private readonly baseUrl: string,
    private readonly ca: string,
    private readonly authorization: (repository: string) => string = () => "",
  ) {}

  private send(method: string, url: URL, repo: string, body?: Buffer, type?: string) {
    return new Promise<Answer>((resolve, reject) => {
      const headers: Record<string, string> = {};
      const authorization = this.authorization(repo);
      if (authorization) headers.authorization = authorization;
      if (body !== undefined) {
        headers["content-type"] = type ?? "application/octet-stream";
        headers["content-length"] = String(body.length);
      }
      const send = url.protocol === "http:" ? httpRequest : request;
      const req = send(url, { method, headers, ca: this.ca }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      });
      req.on("error", reject);
      req.end(body);
    });
  }

  async pushBlob(repo: string, blob: Content): Promise<void> {
    const start = await this.send(
      "POST",
      new URL(`/v2/${repo}/blobs/uploads/`, this.baseUrl),
      repo,
    );
    if (start.status !== 202 || !start.headers.location) {
      throw new Error(`upload start: ${start.status} ${start.body}`);
    }
    const url = new URL(start.headers.location, this.baseUrl);
    url.searchParams.set("digest", blob.digest);
    const put = await this.send("PUT", url, repo, blob.bytes);
    if (put.status !== 201) throw new Error(`upload ${blob.digest}: ${put.status} ${put.body}`);
  }

  async pushManifest(repo: string, reference: string, manifest: Content): Promise<void> {
    const url = new URL(`/v2/${repo}/manifests/${reference}`, this.baseUrl);
    const res = await this.send("PUT", url, repo, manifest.bytes, manifest.mediaType);
    if (res.status !== 201) throw new Error(`manifest ${reference}: ${res.status} ${res.body}`);
  }

  async pushImage(repo: string, image: BuiltImage, tags: readonly string[]): Promise<void> {
    for (const blob of [image.config, ...image.layers]) await this.pushBlob(repo, blob);
    for (const tag of tags.length > 0 ? tags : [image.manifest.digest]) {
      await this.pushManifest(repo, tag, image.manifest);
    }
  }

  /** The images (untagged, by digest) and then the index under `tag`. */
  async pushIndex(repo: string, images: readonly BuiltImage[], index: Content, tag: string) {
    for (const image of images) await this.pushImage(repo, image, []);
    await this.pushManifest(repo, tag, index);
  }
}

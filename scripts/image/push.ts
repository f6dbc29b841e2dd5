/**
 * Pushes images to an OCI distribution registry over HTTPS
 * (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#push): blobs the
 * registry lacks by monolithic upload (POST, then PUT with the digest), then the manifest
 * under each tag. Credentials: HTTP Basic, or a bearer token fetched from the realm the
 * registry names in its 401 challenge (docker's token flow), with the same Basic credentials.
 */
import type { IncomingHttpHeaders } from "node:http";
import { request } from "node:https";
import { CustomsError } from "../../src/core/errors.js";
import type { Blob, SerializedImage } from "./oci.js";

export interface RegistryTarget {
  /** `HOST:PORT` */
  readonly host: string;
  /** PEM of the CA that signed the registry's certificate. */
  readonly ca: string;
  readonly username?: string;
  readonly password?: string;
}

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

function send(
  target: RegistryTarget,
  method: string,
  url: URL,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const all = { ...headers, ...(body ? { "content-length": String(body.length) } : {}) };
    const req = request(url, { method, headers: all, ca: target.ca, timeout: 120_000 }, (res) => {
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
    req.on("timeout", () => req.destroy(new Error("no answer within 120 s")));
    req.on("error", (e) =>
      reject(
        new CustomsError(
          "IMAGE_BUILD_PUSH_FAILED",
          `${target.host}: ${method} ${url.pathname}: ${e.message}`,
        ),
      ),
    );
    req.end(body);
  });
}

/** `Bearer realm="…",service="…"` -> its parameters. */
function challenge(header: string | undefined): Map<string, string> | undefined {
  if (header === undefined || !/^bearer\s/i.test(header)) return undefined;
  return new Map(
    [...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] as string, m[2] as string]),
  );
}

export class Pusher {
  private readonly tokens = new Map<string, string>();

  constructor(private readonly target: RegistryTarget) {}

  private basic(): string | undefined {
    const { username, password } = this.target;
    if (username === undefined) return undefined;
    return `Basic ${Buffer.from(`${username}:${password ?? ""}`).toString("base64")}`;
  }

  private async token(repo: string, params: Map<string, string>): Promise<string> {
    const realm = params.get("realm");
    if (realm === undefined)
      throw new CustomsError(
        "IMAGE_BUILD_PUSH_FAILED",
        `${this.target.host}: bearer challenge without realm`,
      );
    const url = new URL(realm);
    if (params.has("service")) url.searchParams.set("service", params.get("service") as string);
    url.searchParams.set("scope", `repository:${repo}:pull,push`);
    const basic = this.basic();
    const answer = await send(this.target, "GET", url, basic ? { authorization: basic } : {});
    if (answer.status !== 200) {
      throw new CustomsError(
        "IMAGE_BUILD_PUSH_FAILED",
        `${url.origin}: token for ${repo}: HTTP ${answer.status}`,
      );
    }
    const body = JSON.parse(answer.body) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (token === undefined)
      throw new CustomsError(
        "IMAGE_BUILD_PUSH_FAILED",
        `${url.origin}: token answer without token`,
      );
    return token;
  }

  /** Sends with the known credentials; on a bearer challenge, fetches a token and retries once. */
  private async call(
    repo: string,
    method: string,
    url: URL,
    headers: Record<string, string> = {},
    body?: Buffer,
  ) {
    const auth = (): Record<string, string> => {
      const token = this.tokens.get(repo);
      const value = token ? `Bearer ${token}` : this.basic();
      return value ? { ...headers, authorization: value } : headers;
    };
    let answer = await send(this.target, method, url, auth(), body);
    const params =
      answer.status === 401 ? challenge(answer.headers["www-authenticate"]) : undefined;
    if (params !== undefined) {
      this.tokens.set(repo, await this.token(repo, params));
      answer = await send(this.target, method, url, auth(), body);
    }
    return answer;
  }

  private url(path: string): URL {
    return new URL(path, `https://${this.target.host}`);
  }

  private refuse(repo: string, what: string, answer: Answer): never {
    throw new CustomsError(
      "IMAGE_BUILD_PUSH_FAILED",
      `${this.target.host}/${repo}: ${what}: HTTP ${answer.status} ${answer.body.slice(0, 300)}`,
    );
  }

  async pushBlob(repo: string, blob: Blob): Promise<void> {
    const head = await this.call(repo, "HEAD", this.url(`/v2/${repo}/blobs/${blob.digest}`));
    if (head.status === 200) return;
    const start = await this.call(repo, "POST", this.url(`/v2/${repo}/blobs/uploads/`));
    const location = start.headers.location;
    if (start.status !== 202 || location === undefined) this.refuse(repo, "upload start", start);
    const url = new URL(location, this.url("/"));
    url.searchParams.set("digest", blob.digest);
    const put = await this.call(
      repo,
      "PUT",
      url,
      { "content-type": "application/octet-stream" },
      blob.bytes,
    );
    if (put.status !== 201) this.refuse(repo, `upload ${blob.digest}`, put);
  }

  async pushManifest(repo: string, reference: string, manifest: Blob): Promise<void> {
    const url = this.url(`/v2/${repo}/manifests/${reference}`);
    const put = await this.call(
      repo,
      "PUT",
      url,
      { "content-type": manifest.mediaType },
      manifest.bytes,
    );
    if (put.status !== 201) this.refuse(repo, `manifest ${reference}`, put);
  }

  /** Pushes the image under each tag; returns `HOST/REPO@DIGEST`. */
  async pushImage(repo: string, image: SerializedImage, tags: readonly string[]): Promise<string> {
    for (const b of [...image.layers, image.config]) await this.pushBlob(repo, b);
    for (const tag of tags.length > 0 ? tags : [image.manifest.digest]) {
      await this.pushManifest(repo, tag, image.manifest);
    }
    return `${this.target.host}/${repo}@${image.manifest.digest}`;
  }
}

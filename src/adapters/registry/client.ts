import type { ImageReference } from "../../core/reference/index.js";
import { Authenticator } from "./auth.js";
import { TtlCache } from "./cache.js";
import { type CredentialStore, canonicalRegistry, NO_CREDENTIALS } from "./credentials.js";
import { computeDigest, parseDigest, verifyDigest } from "./digest.js";
import { RegistryError } from "./errors.js";
import {
  DEFAULT_PLATFORM,
  formatPlatform,
  MANIFEST_ACCEPT,
  parseManifest,
  selectPlatform,
} from "./manifest.js";
import { listReferrers } from "./referrers.js";
import {
  apiHostFor,
  apiUrl,
  describe,
  header,
  manifestReference,
  statusError,
  toRepository,
} from "./repository.js";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry.js";
import { listAllTags } from "./tags.js";
import { type HttpResponse, type TlsPolicy, Transport } from "./transport.js";
import {
  type BlobFetcher,
  type Descriptor,
  type Digest,
  type FetchedConfig,
  type FetchedManifest,
  type ImageConfig,
  type ManifestFetcher,
  MEDIA_TYPES,
  type Platform,
  type PlatformResolver,
  type ReferrerLister,
  type RegistryPinger,
  type Repository,
  type TagLister,
} from "./types.js";

export interface RegistryClientOptions {
  readonly credentials?: CredentialStore;
  readonly tls?: TlsPolicy;
  readonly retry?: RetryPolicy;
  /** Per HTTP exchange, connect to last byte. */
  readonly timeoutMs?: number;
  /**
   * How long answers that can change (a tag's digest, a manifest by tag, tag lists,
   * referrers) are reused. Default 0: only concurrent lookups share one request. Callers
   * that cache what they derive (the supply-chain facts cache) keep the only copy, so that
   * their TTLs, outages and last-known-good window mean what they say.
   */
  readonly cacheTtlMs?: number;
  /** Bound of each cache; content-addressed answers (by digest) are kept until evicted. */
  readonly cacheMaxEntries?: number;
  readonly tagPageSize?: number;
  readonly now?: () => number;
}

/** The spec's advice: clients may refuse manifests larger than 4 MiB. */
const MAX_MANIFEST_BYTES = 4 << 20;
/** We fetch configs, never layers: a config over 16 MiB is hostile or a mistake. */
const MAX_BLOB_BYTES = 16 << 20;

/** An OCI distribution client: read-only, verified, cached. */
export class RegistryClient
  implements
    RegistryPinger,
    ManifestFetcher,
    PlatformResolver,
    BlobFetcher,
    TagLister,
    ReferrerLister
{
  private readonly transport: Transport;
  private readonly auth: Authenticator;
  // One cache per kind of answer keeps the types exact; keys name registry and repository.
  private readonly digests: TtlCache<Digest>;
  /** Manifests by tag: they change when the tag moves. */
  private readonly manifests: TtlCache<FetchedManifest>;
  /** Manifests by digest and blobs: checked against their digest, so they never go stale. */
  private readonly content: TtlCache<FetchedManifest>;
  private readonly blobs: TtlCache<Buffer>;
  private readonly tags: TtlCache<readonly string[]>;
  private readonly referrers: TtlCache<readonly Descriptor[]>;
  private readonly tagPageSize: number;

  constructor(options: RegistryClientOptions = {}) {
    const now = options.now ?? Date.now;
    this.transport = new Transport(options.tls ?? {}, options.timeoutMs ?? 30_000);
    this.auth = new Authenticator(
      this.transport,
      options.credentials ?? NO_CREDENTIALS,
      options.retry ?? DEFAULT_RETRY_POLICY,
      now,
    );
    const max = options.cacheMaxEntries ?? 10_000;
    const cache = <T>() => new TtlCache<T>(options.cacheTtlMs ?? 0, max, now);
    const forever = <T>() => new TtlCache<T>(Number.POSITIVE_INFINITY, max, now);
    this.digests = cache();
    this.manifests = cache();
    this.content = forever();
    // Configs may be megabytes: fewer of them.
    this.blobs = new TtlCache<Buffer>(Number.POSITIVE_INFINITY, Math.min(max, 1_000), now);
    this.tags = cache();
    this.referrers = cache();
    this.tagPageSize = options.tagPageSize ?? 1000;
  }

  private get(repo: Repository, url: URL, accept: string, method: "GET" | "HEAD", max: number) {
    return this.auth.send(
      { method, url, headers: { accept }, maxBytes: max },
      { registry: repo.registry, repository: repo.name },
    );
  }

  async ping(registry: string): Promise<void> {
    const name = canonicalRegistry(registry);
    const repo = { registry: name, apiHost: apiHostFor(name), name: "" };
    const url = new URL(`https://${repo.apiHost}/v2/`);
    const res = await this.get(repo, url, "application/json", "GET", 1 << 20);
    if (res.status !== 200) throw statusError(res, `ping ${name}`);
  }

  async resolveDigest(ref: ImageReference): Promise<Digest> {
    const target = manifestReference(ref);
    if (target.digest !== undefined) return target.digest;
    const repo = toRepository(ref);
    const what = describe(repo, target);
    return this.digests.get(what, async () => {
      const url = apiUrl(repo, `manifests/${target.tag}`);
      const res = await this.get(repo, url, MANIFEST_ACCEPT, "HEAD", 0);
      // Some registries (and proxies) do not allow HEAD on manifests.
      if (res.status === 405) return (await this.fetchManifest(ref)).digest;
      if (res.status !== 200) throw statusError(res, what);
      const digest = header(res, "docker-content-digest");
      // HEAD proves nothing about content; a registry may also omit the header. Either way
      // the digest the runtime will verify is the one we return, so without it we GET.
      if (digest === undefined) return (await this.fetchManifest(ref)).digest;
      return parseDigest(digest, `${what}: Docker-Content-Digest`);
    });
  }

  async fetchManifest(ref: ImageReference): Promise<FetchedManifest> {
    const target = manifestReference(ref);
    const repo = toRepository(ref);
    const what = describe(repo, target);
    const cache = target.digest === undefined ? this.manifests : this.content;
    return cache.get(what, async () => {
      const url = apiUrl(repo, `manifests/${target.digest ?? target.tag}`);
      const res = await this.get(repo, url, MANIFEST_ACCEPT, "GET", MAX_MANIFEST_BYTES);
      if (res.status !== 200) throw statusError(res, what);
      return toFetchedManifest(res, target.digest, what);
    });
  }

  async resolvePlatform(ref: ImageReference, platform = DEFAULT_PLATFORM) {
    const top = await this.fetchManifest(ref);
    if (top.manifest.kind === "image") return top;
    const chosen = selectPlatform(top.manifest.manifests, platform);
    if (chosen === undefined) {
      const offered = top.manifest.manifests.flatMap((m) => (m.platform ? [m.platform] : []));
      throw new RegistryError(
        "PLATFORM_NOT_FOUND",
        `${describe(toRepository(ref), manifestReference(ref))} has no ${formatPlatform(platform)} image (offers ${offered.map(formatPlatform).join(", ") || "none"})`,
      );
    }
    const child = await this.fetchManifest({ ...ref, tag: undefined, digest: chosen.digest });
    if (child.bytes.length !== chosen.size || child.manifest.kind !== "image") {
      throw new RegistryError(
        "MANIFEST_INVALID",
        `${chosen.digest}: not the ${chosen.size}-byte image manifest its index describes`,
      );
    }
    return child;
  }

  async fetchBlob(repo: Repository, descriptor: Descriptor): Promise<Buffer> {
    const what = describe(repo, { digest: descriptor.digest });
    if (descriptor.size > MAX_BLOB_BYTES) {
      throw new RegistryError("RESPONSE_TOO_LARGE", `${what}: ${descriptor.size} bytes`);
    }
    return this.blobs.get(what, async () => {
      const url = apiUrl(repo, `blobs/${descriptor.digest}`);
      const res = await this.get(repo, url, "*/*", "GET", descriptor.size);
      if (res.status !== 200) throw statusError(res, what);
      if (res.body.length !== descriptor.size) {
        throw new RegistryError(
          "DIGEST_MISMATCH",
          `${what}: ${res.body.length} bytes, the descriptor says ${descriptor.size}`,
        );
      }
      verifyDigest(descriptor.digest, res.body, what);
      return res.body;
    });
  }

  async fetchConfig(ref: ImageReference, platform?: Platform): Promise<FetchedConfig> {
    const image = await this.resolvePlatform(ref, platform);
    if (image.manifest.kind !== "image") throw new Error("unreachable: resolvePlatform");
    const descriptor = image.manifest.config;
    const bytes = await this.fetchBlob(toRepository(ref), descriptor);
    let config: ImageConfig;
    try {
      config = JSON.parse(bytes.toString("utf8"));
    } catch {
      throw new RegistryError("MANIFEST_INVALID", `config ${descriptor.digest} is not JSON`);
    }
    return { descriptor, bytes, config };
  }

  async listTags(repository: Repository): Promise<readonly string[]> {
    return this.tags.get(describe(repository), () =>
      listAllTags(repository, this.tagPageSize, (url) =>
        this.get(repository, url, "application/json", "GET", MAX_MANIFEST_BYTES),
      ),
    );
  }

  async listReferrers(ref: ImageReference, digest: Digest): Promise<readonly Descriptor[]> {
    const repo = toRepository(ref);
    const what = describe(repo, { digest });
    // Referrers change as signatures are added: cached like tags, for the TTL only.
    return this.referrers.get(what, () =>
      listReferrers(
        digest,
        what,
        () =>
          this.get(
            repo,
            apiUrl(repo, `referrers/${digest}`),
            MEDIA_TYPES.ociIndex,
            "GET",
            MAX_MANIFEST_BYTES,
          ),
        async (tag) => {
          try {
            const found = await this.fetchManifest({ ...ref, tag, digest: undefined });
            return found.manifest.kind === "index" ? [...found.manifest.manifests] : undefined;
          } catch (error) {
            if (error instanceof RegistryError && error.code === "NOT_FOUND") return undefined;
            throw error;
          }
        },
      ),
    );
  }

  /** Closes keep-alive connections. */
  close(): void {
    this.transport.close();
  }
}

/**
 * Checks the body against every digest we were given: the one we asked for and the one the
 * registry claims. A registry that lies about either is caught here.
 */
function toFetchedManifest(
  res: HttpResponse,
  wanted: Digest | undefined,
  what: string,
): FetchedManifest {
  const claimed = header(res, "docker-content-digest");
  const claimedDigest = claimed === undefined ? undefined : parseDigest(claimed, what);
  if (claimedDigest !== undefined) verifyDigest(claimedDigest, res.body, `${what} (header)`);
  if (wanted !== undefined) verifyDigest(wanted, res.body, what);
  const digest = wanted ?? claimedDigest ?? computeDigest(res.body);
  const manifest = parseManifest(res.body, header(res, "content-type"), what);
  return { digest, bytes: res.body, manifest };
}

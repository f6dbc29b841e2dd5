import type { ImageReference } from "../../core/reference/index.js";

/** `algorithm:hex`, e.g. `sha256:…`. Only values checked by `parseDigest` are typed so. */
export type Digest = string & { readonly __digest: unique symbol };

// Media types: https://github.com/opencontainers/image-spec/blob/main/media-types.md and
// https://github.com/distribution/distribution/blob/main/docs/content/spec/manifest-v2-2.md
export const MEDIA_TYPES = {
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
} as const;

/** https://github.com/opencontainers/image-spec/blob/main/image-index.md#image-index-property-descriptions */
export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string | undefined;
}

/** https://github.com/opencontainers/image-spec/blob/main/descriptor.md */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: Digest;
  readonly size: number;
  readonly platform?: Platform | undefined;
  readonly annotations?: Readonly<Record<string, string>> | undefined;
  /** OCI 1.1: what kind of artifact a referrer is (a Sigstore bundle, an SBOM, …). */
  readonly artifactType?: string | undefined;
}

/** An image manifest (OCI or Docker v2 schema 2): one config, its layers. */
export interface ImageManifest {
  readonly kind: "image";
  readonly mediaType: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
}

/** An OCI image index or Docker manifest list: one manifest per platform. */
export interface ImageIndex {
  readonly kind: "index";
  readonly mediaType: string;
  readonly manifests: readonly Descriptor[];
}

export type Manifest = ImageManifest | ImageIndex;

/** A manifest as served, with the digest its bytes were checked against. */
export interface FetchedManifest {
  readonly digest: Digest;
  readonly bytes: Buffer;
  readonly manifest: Manifest;
}

/** https://github.com/opencontainers/image-spec/blob/main/config.md (the fields we read). */
export interface ImageConfig {
  readonly architecture?: string;
  readonly os?: string;
  readonly variant?: string;
  readonly created?: string;
  readonly config?: {
    readonly User?: string;
    readonly Env?: readonly string[];
    readonly Entrypoint?: readonly string[] | null;
    readonly Cmd?: readonly string[] | null;
    readonly Labels?: Readonly<Record<string, string>> | null;
    /** Dockerfile VOLUME: the paths are the keys (the values are empty objects). */
    readonly Volumes?: Readonly<Record<string, unknown>> | null;
  };
}

export interface FetchedConfig {
  readonly descriptor: Descriptor;
  readonly bytes: Buffer;
  readonly config: ImageConfig;
}

/**
 * Where a repository lives. `registry` is the canonical name used for credentials and TLS
 * settings (`docker.io`, `registry.example.com:5000`); `apiHost` the host the API is on
 * (`registry-1.docker.io` for Docker Hub).
 */
export interface Repository {
  readonly registry: string;
  readonly apiHost: string;
  readonly name: string;
}

// One small interface per capability (DESIGN.md, example 5).

export interface RegistryPinger {
  /** Checks that `registry` speaks the distribution API (and that we may use it). */
  ping(registry: string): Promise<void>;
}

export interface ManifestFetcher {
  /** The digest the registry serves for the reference (the index's digest for multi-arch). */
  resolveDigest(ref: ImageReference): Promise<Digest>;
  fetchManifest(ref: ImageReference): Promise<FetchedManifest>;
}

export interface PlatformResolver {
  /** The image manifest for `platform` (default linux/amd64), through an index if needed. */
  resolvePlatform(ref: ImageReference, platform?: Platform): Promise<FetchedManifest>;
}

export interface BlobFetcher {
  fetchBlob(repository: Repository, descriptor: Descriptor): Promise<Buffer>;
  fetchConfig(ref: ImageReference, platform?: Platform): Promise<FetchedConfig>;
}

export interface ReferrerLister {
  /**
   * The manifests that refer to `digest` (OCI 1.1 `subject`): from the referrers API, or
   * from the fallback tag `sha256-<hex>` where the registry has no such API.
   */
  listReferrers(ref: ImageReference, digest: Digest): Promise<readonly Descriptor[]>;
}

export interface TagLister {
  listTags(repository: Repository): Promise<readonly string[]>;
}

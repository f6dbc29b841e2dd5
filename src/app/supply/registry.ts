import {
  DEFAULT_PLATFORM,
  isRegistryError,
  type Platform,
  type RegistryClient,
} from "../../adapters/registry/index.js";
import type { ImageReference } from "../../core/reference/index.js";
import type { Fact, FactErrorCode, ImageMetadata } from "../../core/supply/facts.js";
import type { RegistrySource } from "./facts.js";

/** Registry failures as fact codes: a registry that is down never reads as a policy failure. */
export function toFactError(stage: string, e: unknown): Fact<never> {
  if (!isRegistryError(e)) {
    return {
      ok: false,
      code: "REGISTRY_UNREACHABLE",
      message: `${stage}: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
  const code: FactErrorCode =
    e.code === "RATE_LIMITED"
      ? "RATE_LIMITED"
      : e.code === "REGISTRY_TIMEOUT"
        ? "SOURCE_TIMEOUT"
        : e.code === "AUTH_FAILED" || e.code === "ACCESS_DENIED" || e.code === "CREDENTIALS_INVALID"
          ? "REGISTRY_AUTH_FAILED"
          : e.code === "REGISTRY_UNREACHABLE" ||
              e.code === "REGISTRY_TLS_FAILED" ||
              e.code === "REGISTRY_ERROR" ||
              e.code === "REGISTRY_INSECURE_TRANSPORT"
            ? "REGISTRY_UNREACHABLE"
            : stage.startsWith("resolving")
              ? "DIGEST_UNRESOLVED"
              : "FACTS_UNREADABLE";
  return { ok: false, code, message: `${stage}: ${e.code}: ${e.message}` };
}

function annotationsOf(bytes: Buffer): Record<string, string> {
  try {
    const raw = JSON.parse(bytes.toString("utf8")) as { annotations?: unknown };
    const out: Record<string, string> = {};
    if (typeof raw.annotations === "object" && raw.annotations !== null) {
      for (const [k, v] of Object.entries(raw.annotations)) if (typeof v === "string") out[k] = v;
    }
    return out;
  } catch {
    return {};
  }
}

const describe = (ref: ImageReference) =>
  `${ref.domain}/${ref.path}${ref.tag ? `:${ref.tag}` : ""}${ref.digest ? `@${ref.digest}` : ""}`;

/**
 * Digest and image metadata from the registry client. For a multi-platform index, the
 * platform's image is read (as `customs pin` resolves it); the index's annotations are
 * kept, with the image manifest's winning where both set one.
 */
export function registrySource(
  client: RegistryClient,
  platform: Platform = DEFAULT_PLATFORM,
): RegistrySource {
  return {
    async digestOf(ref) {
      try {
        return { ok: true, value: await client.resolveDigest(ref) };
      } catch (e) {
        return toFactError(`resolving ${describe(ref)}`, e);
      }
    },
    async metadataOf(ref) {
      try {
        const top = await client.fetchManifest(ref);
        const image = await client.resolvePlatform(ref, platform);
        const { config } = await client.fetchConfig(ref, platform);
        const annotations = { ...annotationsOf(top.bytes), ...annotationsOf(image.bytes) };
        // What a node pulls for this platform: the compressed layers and the config blob, as
        // the platform manifest's descriptors give their sizes.
        const size =
          image.manifest.kind === "image"
            ? image.manifest.layers.reduce((n, l) => n + l.size, image.manifest.config.size)
            : undefined;
        const volumes = config.config?.Volumes;
        const value: ImageMetadata = {
          labels: { ...(config.config?.Labels ?? {}) },
          annotations,
          user: config.config?.User ?? "",
          ...(typeof config.created === "string" ? { created: config.created } : {}),
          ...(size === undefined ? {} : { size }),
          volumes:
            volumes !== null && typeof volumes === "object" && !Array.isArray(volumes)
              ? Object.keys(volumes).sort()
              : [],
        };
        return { ok: true, value };
      } catch (e) {
        return toFactError(`reading the config of ${describe(ref)}`, e);
      }
    },
  };
}

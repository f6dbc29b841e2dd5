import { parseDigest } from "./digest.js";
import { RegistryError } from "./errors.js";
import { type Descriptor, type Manifest, MEDIA_TYPES, type Platform } from "./types.js";

/** What we ask for: every manifest kind we can read, so the registry never down-converts. */
export const MANIFEST_ACCEPT = [
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.dockerManifestList,
  MEDIA_TYPES.dockerManifest,
].join(", ");

const INDEX_TYPES: ReadonlySet<string> = new Set([
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.dockerManifestList,
]);
const IMAGE_TYPES: ReadonlySet<string> = new Set([
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.dockerManifest,
]);

function invalid(what: string, why: string): RegistryError {
  return new RegistryError("MANIFEST_INVALID", `${what}: ${why}`);
}

function toDescriptor(value: unknown, what: string): Descriptor {
  const d = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  if (typeof d.mediaType !== "string" || typeof d.digest !== "string") {
    throw invalid(what, "a descriptor lacks mediaType or digest");
  }
  if (typeof d.size !== "number" || !Number.isSafeInteger(d.size) || d.size < 0) {
    throw invalid(what, "a descriptor's size is not a non-negative integer");
  }
  const p = d.platform as Record<string, unknown> | undefined;
  const platform =
    typeof p === "object" && p !== null && typeof p.os === "string"
      ? {
          os: p.os,
          architecture: String(p.architecture ?? ""),
          variant: typeof p.variant === "string" ? p.variant : undefined,
        }
      : undefined;
  return {
    mediaType: d.mediaType,
    digest: parseDigest(d.digest, what),
    size: d.size,
    platform,
    annotations: d.annotations as Record<string, string> | undefined,
    artifactType: typeof d.artifactType === "string" ? d.artifactType : undefined,
  };
}

/**
 * Reads a manifest body. The body's own `mediaType` wins over Content-Type (it is covered by
 * the digest; the header is not); schema 1 and unknown kinds are MANIFEST_UNSUPPORTED.
 */
export function parseManifest(
  bytes: Buffer,
  contentType: string | undefined,
  what: string,
): Manifest {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw invalid(what, "not JSON");
  }
  if (typeof doc !== "object" || doc === null) throw invalid(what, "not a JSON object");
  const header = contentType?.split(";")[0]?.trim();
  const mediaType = typeof doc.mediaType === "string" ? doc.mediaType : header;
  if (doc.schemaVersion !== 2 || mediaType === undefined) {
    throw new RegistryError(
      "MANIFEST_UNSUPPORTED",
      `${what}: ${mediaType ?? `schemaVersion ${String(doc.schemaVersion)}`} is not a manifest kind we read`,
    );
  }
  let manifest: Manifest;
  if (INDEX_TYPES.has(mediaType)) {
    if (!Array.isArray(doc.manifests)) throw invalid(what, "an index without manifests");
    manifest = {
      kind: "index",
      mediaType,
      manifests: doc.manifests.map((m) => toDescriptor(m, what)),
    };
  } else if (IMAGE_TYPES.has(mediaType)) {
    if (!Array.isArray(doc.layers)) throw invalid(what, "an image manifest without layers");
    manifest = {
      kind: "image",
      mediaType,
      config: toDescriptor(doc.config, what),
      layers: doc.layers.map((l) => toDescriptor(l, what)),
    };
  } else {
    throw new RegistryError("MANIFEST_UNSUPPORTED", `${what}: ${mediaType} is not supported`);
  }
  return manifest;
}

export const DEFAULT_PLATFORM: Platform = { os: "linux", architecture: "amd64" };

/** containerd's normalisation: arm64 means v8 and arm means v7 when no variant is given. */
function variantOf(p: Platform): string {
  if (p.variant) return p.variant;
  if (p.architecture === "arm64") return "v8";
  if (p.architecture === "arm") return "v7";
  return "";
}

/**
 * The index entry for `wanted`: same os and architecture, and the same variant when one is
 * asked for (else the first entry). Entries without a platform (attestations) never match.
 */
export function selectPlatform(
  manifests: readonly Descriptor[],
  wanted: Platform,
): Descriptor | undefined {
  const candidates = manifests.filter(
    (m) =>
      IMAGE_TYPES.has(m.mediaType) &&
      m.platform?.os === wanted.os &&
      m.platform.architecture === wanted.architecture,
  );
  if (wanted.variant === undefined) {
    const normal = variantOf(wanted);
    return candidates.find((m) => m.platform && variantOf(m.platform) === normal) ?? candidates[0];
  }
  return candidates.find((m) => m.platform && variantOf(m.platform) === variantOf(wanted));
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join("/");
}

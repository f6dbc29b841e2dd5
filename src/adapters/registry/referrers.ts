import { RegistryError } from "./errors.js";
import { parseManifest } from "./manifest.js";
import { header, statusError } from "./repository.js";
import type { HttpResponse } from "./transport.js";
import { type Descriptor, type Digest, MEDIA_TYPES } from "./types.js";

/**
 * The referrers of a digest. The OCI 1.1 referrers API answers 200 with an image index (empty
 * when nothing refers); a registry without the API answers 404, and clients then read the
 * fallback tag `<alg>-<hex>`, an index that pushing clients keep up to date.
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers
 */
export async function listReferrers(
  digest: Digest,
  what: string,
  getApi: () => Promise<HttpResponse>,
  getFallbackTag: (tag: string) => Promise<Descriptor[] | undefined>,
): Promise<Descriptor[]> {
  const res = await getApi();
  if (res.status === 200) {
    const type = header(res, "content-type")?.split(";")[0]?.trim();
    const index = parseManifest(res.body, type ?? MEDIA_TYPES.ociIndex, `${what} referrers`);
    if (index.kind !== "index") {
      throw new RegistryError("MANIFEST_INVALID", `${what} referrers: not an image index`);
    }
    return [...index.manifests];
  }
  if (res.status !== 404) throw statusError(res, `${what} referrers`);
  return (await getFallbackTag(referrersTag(digest))) ?? [];
}

/** `sha256:abc…` → `sha256-abc…` (a tag cannot hold a colon). */
export function referrersTag(digest: Digest): string {
  return digest.replace(":", "-");
}

import { parseNormalized } from "../../core/reference/index.js";
import type { ImageFacts } from "../../core/supply/facts.js";
import { type FactCache, isUnavailable } from "./cache.js";
import type { FactRequest } from "./facts.js";

/** The cache key of a tag's digest, as the last admission resolved it. */
export function tagDigestKey(image: string): string {
  return `tag|${image}`;
}

/** The cache key of one group of facts of a digest (the same keys FactsGatherer uses). */
export function factKey(digest: string, group: string, request: FactRequest): string {
  return `${digest}|${group}|${group === "metadata" ? "" : JSON.stringify(request.authorities)}`;
}

/**
 * The facts of `image` as the cache holds them now, without fetching anything: undefined when
 * any group the request needs (or, for a tag, its digest) is not cached or has expired. The
 * rules are admission's: fresh entries within their TTL (negative answers within the shorter
 * one), and last-known-good standing in for a source that is down, marked degraded.
 */
export function peekFacts(
  cache: FactCache,
  image: string,
  request: FactRequest,
): ImageFacts | undefined {
  const parsed = parseNormalized(image);
  if (!parsed.ok) return undefined;
  const pinned = parsed.ref.digest;
  const digest =
    pinned !== undefined
      ? { ok: true as const, value: pinned }
      : (cache.get(tagDigestKey(image)) as ImageFacts["digest"] | undefined);
  if (digest === undefined || !digest.ok) return undefined;
  let degraded = false;
  const group = (name: string) => {
    const key = factKey(digest.value, name, request);
    const fact = cache.get(key);
    if (fact !== undefined && isUnavailable(fact)) {
      const lkg = cache.lastKnownGood(key);
      if (lkg !== undefined) {
        degraded = true;
        return lkg.fact;
      }
    }
    return fact;
  };
  const { needs } = request;
  const out: Record<string, unknown> = { digest };
  for (const name of ["signatures", "attestations", "metadata", "vulnerabilities"] as const) {
    if (!needs[name]) continue;
    const fact = group(name);
    if (fact === undefined) return undefined;
    out[name] = fact;
  }
  if (degraded) out.degraded = true;
  return out as unknown as ImageFacts;
}

import { withTimeBudget } from "../../adapters/registry/index.js";
import type { FactNeeds } from "../../core/evaluate/index.js";
import type { Authority } from "../../core/policy/index.js";
import type { ImageReference } from "../../core/reference/index.js";
import { parseNormalized } from "../../core/reference/index.js";
import type {
  AttestationFacts,
  Fact,
  FactErrorCode,
  ImageFacts,
  ImageMetadata,
  SignatureFacts,
  VulnerabilityReport,
} from "../../core/supply/facts.js";
import { type FactCache, isUnavailable } from "./cache.js";
import { factKey, tagDigestKey } from "./peek.js";

/** What the policies of a set need fetched: the groups, and whose signatures count. */
export interface FactRequest {
  readonly needs: FactNeeds;
  /** Every authority of the set's signature and provenance policies (sources verify with them). */
  readonly authorities: readonly Authority[];
}

/** Facts of one image, fetched before the pure engine decides. `deadline` is in ms since the epoch. */
export interface ImageFactsProvider {
  factsFor(image: string, request: FactRequest, deadline: number): Promise<ImageFacts>;
}

/** Resolves tags to digests and reads the image config (the registry client). */
export interface RegistrySource {
  digestOf(ref: ImageReference): Promise<Fact<string>>;
  metadataOf(ref: ImageReference): Promise<Fact<ImageMetadata>>;
}

/** cosign/Sigstore: signatures of the digest, verified against the authorities. */
export interface SignatureSource {
  signaturesFor(
    ref: ImageReference,
    digest: string,
    authorities: readonly Authority[],
  ): Promise<Fact<SignatureFacts>>;
}

/** In-toto attestations (provenance, SBOM) of the digest, verified against the authorities. */
export interface AttestationSource {
  attestationsFor(
    ref: ImageReference,
    digest: string,
    authorities: readonly Authority[],
  ): Promise<Fact<AttestationFacts>>;
}

/**
 * The newest vulnerability report for the digest (`undefined` inside: there is none). Signed
 * reports (cosign vulnerability attestations) count when an authority of the set signed them.
 */
export interface VulnerabilitySource {
  reportFor(
    ref: ImageReference,
    digest: string,
    authorities: readonly Authority[],
  ): Promise<Fact<VulnerabilityReport | undefined>>;
}

export interface GathererOptions {
  readonly registry: RegistrySource;
  readonly signatures?: SignatureSource;
  readonly attestations?: AttestationSource;
  readonly vulnerabilities?: VulnerabilitySource;
  readonly cache?: FactCache;
  readonly now?: () => number;
}

const fail = (code: FactErrorCode, message: string): Fact<never> => ({ ok: false, code, message });

/** A source that throws instead of answering is a source that failed, never "nothing found". */
async function settle<T>(what: string, run: () => Promise<Fact<T>>): Promise<Fact<T>> {
  try {
    return await run();
  } catch (e) {
    return fail("REGISTRY_UNREACHABLE", `${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * Runs a fetch within the deadline: the registry client's requests, retries and backoffs
 * inside are bounded by what is left (so none outlives the budget), and a source that still
 * misses it is SOURCE_TIMEOUT (fail closed). A source that answers in time with its own
 * code (RATE_LIMITED for a 429 whose Retry-After is past the deadline) keeps that code.
 */
export function beforeDeadline<T>(
  what: string,
  fetch: () => Promise<Fact<T>>,
  deadline: number,
  now: () => number,
): Promise<Fact<T>> {
  const left = deadline - now();
  const timeout = fail("SOURCE_TIMEOUT", `${what}: no answer within the time budget`);
  if (left <= 0) return Promise.resolve(timeout);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Fact<T>>((resolve) => {
    // setTimeout fires at once for more than 2^31-1 ms; no budget is that long anyway.
    timer = setTimeout(() => resolve(timeout), Math.min(left, 2_147_483_647));
  });
  return Promise.race([withTimeBudget(left, fetch), late]).finally(() => clearTimeout(timer));
}

type Group = "signatures" | "attestations" | "metadata" | "vulnerabilities";

/** A negative answer is kept for less time: a signature pushed a minute later must count. */
function isNegative(group: Group, fact: Fact<unknown>): boolean {
  if (!fact.ok) return true;
  const v = fact.value as { verified?: readonly unknown[] } | undefined;
  if (group === "signatures" || group === "attestations") return (v?.verified?.length ?? 0) === 0;
  if (group === "vulnerabilities") return v === undefined;
  return false;
}

/**
 * The ImageFactsProvider of the CLI and the webhook: resolves the digest, then asks only the
 * sources the policies need, in parallel, each within the deadline; caches per digest; and,
 * in last-known-good mode, stands in the last good answer for a source that is down.
 */
export class FactsGatherer implements ImageFactsProvider {
  private readonly now: () => number;

  constructor(private readonly options: GathererOptions) {
    this.now = options.now ?? Date.now;
  }

  async factsFor(image: string, request: FactRequest, deadline: number): Promise<ImageFacts> {
    const parsed = parseNormalized(image);
    if (!parsed.ok) return { digest: fail("DIGEST_UNRESOLVED", `${image}: ${parsed.message}`) };
    const ref = parsed.ref;
    const { registry } = this.options;
    const digest = await beforeDeadline(
      `resolving ${image}`,
      () => settle(`resolving ${image}`, () => registry.digestOf(ref)),
      deadline,
      this.now,
    );
    if (!digest.ok) return { digest };
    const d = digest.value;
    // Kept only for the background audit's peek (peek.ts): admission resolves tags every time.
    if (ref.digest === undefined) this.options.cache?.put(tagDigestKey(image), digest, false);
    let degraded = false;
    const group = async <T>(name: Group, source: (() => Promise<Fact<T>>) | undefined) => {
      if (source === undefined)
        return fail("SOURCE_NOT_CONFIGURED", `no source of ${name} is configured`);
      const key = factKey(d, name, request);
      const cache = this.options.cache;
      const cached = cache?.get(key) as Fact<T> | undefined;
      let fact = cached;
      if (fact === undefined) {
        fact = await beforeDeadline(
          `${name} of ${image}`,
          () => settle(`${name} of ${image}`, source),
          deadline,
          this.now,
        );
        cache?.put(key, fact, isNegative(name, fact));
      }
      if (isUnavailable(fact)) {
        const lkg = cache?.lastKnownGood(key);
        if (lkg !== undefined) {
          degraded = true;
          return lkg.fact as Fact<T>;
        }
      }
      return fact;
    };
    const { needs, authorities } = request;
    const { signatures, attestations, vulnerabilities } = this.options;
    const [sig, att, meta, vuln] = await Promise.all([
      needs.signatures
        ? group("signatures", signatures && (() => signatures.signaturesFor(ref, d, authorities)))
        : undefined,
      needs.attestations
        ? group(
            "attestations",
            attestations && (() => attestations.attestationsFor(ref, d, authorities)),
          )
        : undefined,
      needs.metadata
        ? // By digest, so the config read is the one whose digest the other facts are about.
          group("metadata", () => registry.metadataOf({ ...ref, digest: d }))
        : undefined,
      needs.vulnerabilities
        ? group(
            "vulnerabilities",
            vulnerabilities && (() => vulnerabilities.reportFor(ref, d, authorities)),
          )
        : undefined,
    ]);
    return {
      digest,
      ...(sig ? { signatures: sig } : {}),
      ...(att ? { attestations: att } : {}),
      ...(meta ? { metadata: meta } : {}),
      ...(vuln ? { vulnerabilities: vuln } : {}),
      ...(degraded ? { degraded: true } : {}),
    };
  }
}

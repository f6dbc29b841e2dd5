import {
  type Digest,
  isRegistryError,
  type ManifestFetcher,
  withTimeBudget,
} from "../../adapters/registry/index.js";
import {
  compileIdentity,
  type IdentitySpec,
  parsePublicKey,
  parseTrustedRoot,
  publicGoodTrust,
  type TrustPolicy,
  toPredicateType,
} from "../../adapters/sigstore/index.js";
import type { ImageReference } from "../../core/reference/index.js";
import type {
  Fact,
  RejectedSignature,
  VerifiedAttestation,
  VerifiedSignature,
} from "../../core/supply/facts.js";
import {
  fetchAttestationFacts,
  fetchSignatureFacts,
  type SignatureRegistry,
  toFactError,
} from "./signatures.js";

export interface VerifyRequest {
  /** PEM texts, each with the name signatures will report it by (its file path). */
  readonly keys: readonly { readonly id: string; readonly pem: string }[];
  readonly identity: IdentitySpec | undefined;
  readonly trustedRoot: { readonly source: string; readonly text: string } | undefined;
  readonly requireTlog: boolean;
  readonly attestations: boolean;
  /** Predicate types or cosign short names; empty: every type. */
  readonly types: readonly string[];
}

/** verified: at least one; rejected: none verified; unavailable: the registry could not say. */
export type VerifyStatus = "verified" | "rejected" | "unavailable";

export interface VerifyReport {
  readonly image: string;
  readonly digest: string | undefined;
  readonly kind: "signatures" | "attestations";
  readonly status: VerifyStatus;
  /** Why not verified: SIGNATURE_MISSING, the first rejection's code, or the registry's. */
  readonly code: string | undefined;
  readonly message: string | undefined;
  readonly verified: readonly (VerifiedSignature | VerifiedAttestation)[];
  readonly rejected: readonly RejectedSignature[];
}

/** Reads keys, identity and trusted root into a policy; bad input throws CustomsError. */
export function toTrustPolicy(req: VerifyRequest): TrustPolicy {
  return {
    keys: req.keys.map((k) => parsePublicKey(k.pem, k.id)),
    identities: req.identity === undefined ? [] : [compileIdentity(req.identity)],
    trust:
      req.trustedRoot === undefined
        ? publicGoodTrust()
        : parseTrustedRoot(req.trustedRoot.text, req.trustedRoot.source),
    requireTlog: req.requireTlog,
  };
}

type Facts = Fact<{
  verified: readonly (VerifiedSignature | VerifiedAttestation)[];
  rejected: readonly RejectedSignature[];
}>;

/** The use case behind `customs verify`: resolve the digest, fetch, verify, summarize. */
export async function verifyImage(
  registry: SignatureRegistry & Pick<ManifestFetcher, "resolveDigest">,
  ref: ImageReference,
  image: string,
  req: VerifyRequest,
): Promise<VerifyReport> {
  const policy = toTrustPolicy(req);
  const kind = req.attestations ? "attestations" : "signatures";
  const base = { image, kind, verified: [], rejected: [] } as const;
  let digest: Digest;
  try {
    digest = await registry.resolveDigest(ref);
  } catch (error) {
    if (!isRegistryError(error)) throw error;
    const code = toFactError(error)?.code ?? error.code;
    return { ...base, digest: undefined, status: "unavailable", code, message: error.message };
  }
  const facts: Facts = req.attestations
    ? await fetchAttestationFacts(registry, ref, digest, policy, req.types.map(toPredicateType))
    : await fetchSignatureFacts(registry, ref, digest, policy);
  if (!facts.ok) {
    return { ...base, digest, status: "unavailable", code: facts.code, message: facts.message };
  }
  const { verified, rejected } = facts.value;
  if (verified.length > 0) {
    return {
      ...base,
      digest,
      status: "verified",
      code: undefined,
      message: undefined,
      verified,
      rejected,
    };
  }
  const first = rejected[0];
  const missing = req.attestations ? "ATTESTATION_MISSING" : "SIGNATURE_MISSING";
  return {
    ...base,
    digest,
    status: "rejected",
    code: first?.code ?? missing,
    message: first?.message ?? `no ${kind} for ${digest}`,
    verified,
    rejected,
  };
}

/**
 * `verifyImage` within `timeoutMs`: every registry request inside is bounded by what is
 * left, and a verification that still has no answer by then is `unavailable` with
 * SOURCE_TIMEOUT (exit 2), never "unsigned".
 */
export async function verifyWithin(
  timeoutMs: number,
  registry: SignatureRegistry & Pick<ManifestFetcher, "resolveDigest">,
  ref: ImageReference,
  image: string,
  req: VerifyRequest,
): Promise<VerifyReport> {
  const kind = req.attestations ? "attestations" : "signatures";
  const late: VerifyReport = {
    image,
    digest: undefined,
    kind,
    status: "unavailable",
    code: "SOURCE_TIMEOUT",
    message: `${image}: no answer from the registry within ${timeoutMs} ms`,
    verified: [],
    rejected: [],
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<VerifyReport>((resolve) => {
    timer = setTimeout(() => resolve(late), timeoutMs);
  });
  const work = withTimeBudget(timeoutMs, () => verifyImage(registry, ref, image, req));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

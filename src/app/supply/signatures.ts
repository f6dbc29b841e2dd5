import {
  type BlobFetcher,
  type Descriptor,
  type Digest,
  isRegistryError,
  type ManifestFetcher,
  type ReferrerLister,
  type RegistryError,
  toRepository,
} from "../../adapters/registry/index.js";
import {
  type Candidate,
  COSIGN_SIGN_PREDICATE,
  fromBundleJson,
  fromDsseLayer,
  fromSimpleSigningLayer,
  isSignatureRejection,
  type TrustPolicy,
  verifyImageAttestation,
  verifyImageSignature,
} from "../../adapters/sigstore/index.js";
import { CustomsError } from "../../core/errors.js";
import type { ImageReference } from "../../core/reference/index.js";
import type {
  AttestationFacts,
  Fact,
  FactError,
  RejectedSignature,
  SignatureFacts,
} from "../../core/supply/facts.js";

/** What fetching signatures needs of a registry client. */
export interface SignatureRegistry extends ManifestFetcher, BlobFetcher, ReferrerLister {}

// cosign's media types: pkg/types/media.go; Sigstore bundles: protobuf-specs.
const SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json";
const DSSE = "application/vnd.dsse.envelope.v1+json";
const BUNDLE_PREFIX = "application/vnd.dev.sigstore.bundle";
const EMPTY_TYPE = "application/vnd.oci.empty.v1+json";

/** A signature artifact as read: a candidate to verify, or why it could not be read. */
type Loaded = { readonly candidate: Candidate } | { readonly rejected: RejectedSignature };

/**
 * Registry failures that say nothing about the image's signatures: the whole fact group is
 * unavailable (never "unsigned"). Everything else about one artifact (a manifest that does
 * not parse, a blob whose digest is wrong) rejects that artifact only.
 */
export function toFactError(error: RegistryError): FactError | undefined {
  switch (error.code) {
    case "REGISTRY_UNREACHABLE":
    case "REGISTRY_TLS_FAILED":
    case "REGISTRY_INSECURE_TRANSPORT":
    case "REGISTRY_ERROR":
      return { ok: false, code: "REGISTRY_UNREACHABLE", message: error.message };
    case "REGISTRY_TIMEOUT":
      return { ok: false, code: "SOURCE_TIMEOUT", message: error.message };
    case "RATE_LIMITED":
      return { ok: false, code: "RATE_LIMITED", message: error.message };
    case "AUTH_FAILED":
    case "ACCESS_DENIED":
    case "CREDENTIALS_INVALID":
      return { ok: false, code: "REGISTRY_AUTH_FAILED", message: error.message };
    default:
      return undefined;
  }
}

/** The source failed, not the artifact: carried out of the loaders to become the fact group's error. */
class Unavailable extends CustomsError {
  constructor(
    readonly fact: FactError,
    cause: unknown,
  ) {
    super(fact.code, fact.message, undefined, { cause });
    this.name = "Unavailable";
  }
}

/** Runs `load`; failures of the artifact become a rejection, failures of the source escape. */
async function loadOne(
  what: string,
  load: () => Promise<Candidate | undefined>,
): Promise<Loaded | undefined> {
  try {
    const candidate = await load();
    return candidate === undefined ? undefined : { candidate };
  } catch (error) {
    if (isSignatureRejection(error)) {
      return { rejected: { code: error.code, message: `${what}: ${error.message}` } };
    }
    if (isRegistryError(error)) {
      const fact = toFactError(error);
      if (fact !== undefined) throw new Unavailable(fact, error);
      return { rejected: { code: "SIGNATURE_INVALID", message: `${what}: ${error.message}` } };
    }
    throw error;
  }
}

/** cosign v2's `sha256-<hex>.sig` or `.att` tag: its layers, or none when the tag is absent. */
async function loadCosignTag(
  registry: SignatureRegistry,
  ref: ImageReference,
  digest: Digest,
  suffix: ".sig" | ".att",
): Promise<Loaded[]> {
  const tag = `${digest.replace(":", "-")}${suffix}`;
  let layers: readonly Descriptor[];
  try {
    const found = await registry.fetchManifest({ ...ref, tag, digest: undefined });
    if (found.manifest.kind !== "image") {
      return [
        { rejected: { code: "SIGNATURE_INVALID", message: `${tag}: not an image manifest` } },
      ];
    }
    layers = found.manifest.layers;
  } catch (error) {
    if (isRegistryError(error) && error.code === "NOT_FOUND") return [];
    return present([await loadOne(tag, () => Promise.reject(error))]);
  }
  const wanted = suffix === ".sig" ? SIMPLE_SIGNING : DSSE;
  const repo = toRepository(ref);
  const loaded = await Promise.all(
    layers
      .filter((layer) => layer.mediaType === wanted)
      .map((layer, i) => {
        const what = `${tag} layer ${i}`;
        return loadOne(what, async () => {
          const blob = await registry.fetchBlob(repo, layer);
          return suffix === ".sig"
            ? fromSimpleSigningLayer(blob, layer.annotations, what)
            : fromDsseLayer(blob, layer.annotations, what);
        });
      }),
  );
  return present(loaded);
}

/** Sigstore bundles attached as OCI referrers (or listed under the fallback tag). */
async function loadBundles(
  registry: SignatureRegistry,
  ref: ImageReference,
  digest: Digest,
): Promise<Loaded[]> {
  let referrers: readonly Descriptor[];
  try {
    referrers = await registry.listReferrers(ref, digest);
  } catch (error) {
    return present([await loadOne(`${digest} referrers`, () => Promise.reject(error))]);
  }
  const repo = toRepository(ref);
  const loaded = await Promise.all(
    referrers.filter(mayBeBundle).map((d) =>
      loadOne(`referrer ${d.digest}`, async () => {
        const found = await registry.fetchManifest({ ...ref, tag: undefined, digest: d.digest });
        const layer =
          found.manifest.kind === "image"
            ? found.manifest.layers.find((l) => l.mediaType.startsWith(BUNDLE_PREFIX))
            : undefined;
        // A referrer of another kind (an SBOM, say) under an ambiguous artifact type.
        if (layer === undefined) return undefined;
        return fromBundleJson(await registry.fetchBlob(repo, layer), `referrer ${d.digest}`);
      }),
    ),
  );
  return present(loaded);
}

function present(loaded: readonly (Loaded | undefined)[]): Loaded[] {
  return loaded.filter((l): l is Loaded => l !== undefined);
}

/**
 * Whether a referrer may hold a Sigstore bundle. cosign's fallback-tag index lists its bundle
 * manifests with the config's type (`application/vnd.oci.empty.v1+json`) as artifact type, so
 * that type and a missing one are opened too; known other kinds are not fetched.
 */
function mayBeBundle(d: Descriptor): boolean {
  const type = d.artifactType;
  return type === undefined || type === EMPTY_TYPE || type.startsWith(BUNDLE_PREFIX);
}

/** The predicate type a DSSE candidate claims, read before it is verified (to sort only). */
function claimedPredicate(c: Candidate): string | undefined {
  if (c.envelope !== "dsse") return undefined;
  try {
    const type = JSON.parse(c.payload.toString("utf8"))?.predicateType;
    return typeof type === "string" ? type : undefined;
  } catch {
    return undefined;
  }
}

/** A bundle is an image signature when it signs a message or a cosign "sign" statement. */
function isSignatureBundle(c: Candidate): boolean {
  return c.envelope === "message" || claimedPredicate(c) === COSIGN_SIGN_PREDICATE;
}

async function guard<T>(work: () => Promise<T>): Promise<Fact<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    if (error instanceof Unavailable) return error.fact;
    throw error;
  }
}

function settle<T>(loaded: readonly Loaded[], verify: (c: Candidate) => T) {
  const verified: T[] = [];
  const rejected: RejectedSignature[] = [];
  for (const item of loaded) {
    if ("rejected" in item) {
      rejected.push(item.rejected);
      continue;
    }
    try {
      verified.push(verify(item.candidate));
    } catch (error) {
      if (!isSignatureRejection(error)) throw error;
      rejected.push({ code: error.code, message: `${item.candidate.format}: ${error.message}` });
    }
  }
  return { verified, rejected };
}

/**
 * The image's signatures, from cosign v2's `.sig` tag and from Sigstore bundle referrers,
 * each verified against `policy`. No signature anywhere is `{verified: [], rejected: []}`;
 * a registry that cannot be asked is a `FactError`.
 */
export function fetchSignatureFacts(
  registry: SignatureRegistry,
  ref: ImageReference,
  digest: Digest,
  policy: TrustPolicy,
): Promise<Fact<SignatureFacts>> {
  return guard(async () => {
    const [tagged, bundles] = await Promise.all([
      loadCosignTag(registry, ref, digest, ".sig"),
      loadBundles(registry, ref, digest),
    ]);
    const own = bundles.filter((b) => "rejected" in b || isSignatureBundle(b.candidate));
    return settle([...tagged, ...own], (c) => verifyImageSignature(c, policy, digest));
  });
}

/**
 * The image's in-toto attestations (cosign v2 `.att` tag, Sigstore bundle referrers) whose
 * predicate type is one of `predicateTypes` (every type when empty).
 */
export function fetchAttestationFacts(
  registry: SignatureRegistry,
  ref: ImageReference,
  digest: Digest,
  policy: TrustPolicy,
  predicateTypes: readonly string[] = [],
): Promise<Fact<AttestationFacts>> {
  return guard(async () => {
    const [tagged, bundles] = await Promise.all([
      loadCosignTag(registry, ref, digest, ".att"),
      loadBundles(registry, ref, digest),
    ]);
    const wanted = (c: Candidate) => {
      const type = claimedPredicate(c);
      return predicateTypes.length === 0 || (type !== undefined && predicateTypes.includes(type));
    };
    const own = [...tagged, ...bundles].filter(
      (b) => "rejected" in b || (!isSignatureBundle(b.candidate) && wanted(b.candidate)),
    );
    return settle(own, (c) => verifyImageAttestation(c, policy, digest));
  });
}

/**
 * Facts about one image, fetched and cryptographically checked by adapters before the pure
 * engine decides (DESIGN.md: "I/O fetches facts first; evaluate() only decides"). Every fact
 * group is a result: either the facts, or why they could not be had, so that a registry that
 * is down never reads as "unsigned".
 */

/** Why a group of facts is unavailable. These codes reach the user unchanged. */
export type FactErrorCode =
  | "REGISTRY_UNREACHABLE"
  | "RATE_LIMITED"
  | "REGISTRY_AUTH_FAILED"
  | "SOURCE_TIMEOUT"
  | "DIGEST_UNRESOLVED"
  /** No source for this group of facts was configured (e.g. no signature source). */
  | "SOURCE_NOT_CONFIGURED"
  /** The source answered, but not with something readable (bad manifest, no such platform). */
  | "FACTS_UNREADABLE";

export interface FactError {
  readonly ok: false;
  readonly code: FactErrorCode;
  readonly message: string;
}

export type Fact<T> = { readonly ok: true; readonly value: T } | FactError;

/** Who signed: a public key (by the name the policy gave it) or a keyless identity. */
export type Signer =
  | { readonly kind: "key"; readonly keyId: string }
  | {
      readonly kind: "keyless";
      readonly issuer: string;
      readonly subject: string;
    };

/** A signature whose cryptography, certificate chain and payload digest were verified. */
export interface VerifiedSignature {
  readonly signer: Signer;
  /** The manifest digest the signed payload names; equal to the image's digest. */
  readonly digest: string;
  /** Included in a transparency log whose inclusion was verified. */
  readonly transparencyLog: boolean;
  /** cosign v2 `.sig` tag, or a Sigstore bundle (v3: referrer or fallback tag). */
  readonly format: "cosign-v2" | "sigstore-bundle";
}

/** A signature that was present but failed verification, with the reason. */
export interface RejectedSignature {
  readonly code: "SIGNATURE_INVALID" | "SIGNATURE_DIGEST_MISMATCH" | "SIGNATURE_UNTRUSTED";
  readonly message: string;
}

export interface SignatureFacts {
  readonly verified: readonly VerifiedSignature[];
  readonly rejected: readonly RejectedSignature[];
}

/** An in-toto statement from a verified attestation (DSSE envelope). */
export interface VerifiedAttestation {
  readonly signer: Signer;
  readonly predicateType: string;
  /** The statement's `subject` digests (sha256:<hex>), already checked to include the image. */
  readonly predicate: unknown;
}

export interface AttestationFacts {
  readonly verified: readonly VerifiedAttestation[];
  readonly rejected: readonly RejectedSignature[];
}

/** From the image config and manifest (for a multi-platform index: the platform's image). */
export interface ImageMetadata {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** Config `User` as written ("" when unset). */
  readonly user: string;
  /** Config `created`, ISO 8601, when present. */
  readonly created?: string;
  /**
   * What a node pulls, in bytes: the sizes the platform manifest gives for its layers
   * (compressed) and its config blob. Absent when the source does not say.
   */
  readonly size?: number;
  /** Config `Volumes` (Dockerfile VOLUME), the paths; absent when the source does not say. */
  readonly volumes?: readonly string[];
}

export interface ImageFacts {
  /** sha256:<hex> of the image manifest (or index) the reference resolves to. */
  readonly digest: Fact<string>;
  readonly signatures?: Fact<SignatureFacts>;
  readonly attestations?: Fact<AttestationFacts>;
  readonly metadata?: Fact<ImageMetadata>;
  /** The newest vulnerability report a source has for the digest; `undefined` inside: none. */
  readonly vulnerabilities?: Fact<VulnerabilityReport | undefined>;
  /** Facts served from the last-known-good cache while the source was unreachable. */
  readonly degraded?: boolean;
}

export type VulnerabilitySeverity =
  | "unknown"
  | "negligible"
  | "low"
  | "medium"
  | "high"
  | "critical";

/** One finding of a scanner, normalized across Trivy, Grype, SARIF, cosign and Harbor. */
export interface Vulnerability {
  /** CVE-…, GHSA-…, or the scanner's own ID. */
  readonly id: string;
  /** Other IDs of the same vulnerability (a GHSA's CVE), for allowlists and diffs. */
  readonly aliases: readonly string[];
  readonly severity: VulnerabilitySeverity;
  readonly package: string;
  readonly installedVersion: string;
  /** Empty when no fix is known. */
  readonly fixedVersions: readonly string[];
  readonly title?: string;
}

export interface VulnerabilityReport {
  /** trivy, grype, sarif:<tool>, cosign-vuln:<scanner>, harbor:<scanner>. */
  readonly scanner: string;
  /** When the scan ran (ISO 8601), when the report says. */
  readonly createdAt?: string;
  /** The image the report is about, when it says (reference or digest). */
  readonly artifact?: string;
  readonly vulnerabilities: readonly Vulnerability[];
}

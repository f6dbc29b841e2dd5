import { toCanonicalJson } from "./bundle.js";

/**
 * What a signature over a policy bundle says (docs/control-plane.md, Signed bundles). The
 * statement is small and canonical: it names the bundle's content by its ETag (the sha256 of
 * the canonical JSON of cluster, policies and workspaces), so the agent checks the content
 * against the ETag and the ETag against the signature. A bundle edited on disk, or one whose
 * ETag was kept while its policies changed, fails one or the other.
 */
export interface BundleStatement {
  readonly organization: string;
  readonly cluster: string;
  /** The organization's revision, as text (a number on the wire, a string once saved). */
  readonly revision: string;
  readonly etag: string;
  readonly keyId: string;
}

export const BUNDLE_STATEMENT_TYPE = "customs.dev/policy-bundle/v1";
export const KEY_STATEMENT_TYPE = "customs.dev/bundle-key/v1";

export function toBundleStatement(s: BundleStatement): string {
  return toCanonicalJson({ type: BUNDLE_STATEMENT_TYPE, ...s });
}

/** `signature` of a `GET /api/v1/agent/policies` 200 body. */
export interface BundleSignature {
  readonly keyId: string;
  readonly organization: string;
  readonly etag: string;
  /** Ed25519 signature of toBundleStatement, base64. */
  readonly value: string;
}

/** A public key as `GET /api/v1/agent/keys` lists it. */
export interface PublishedKey {
  readonly id: string;
  readonly generation: number;
  readonly algorithm: "Ed25519";
  /** SPKI DER, base64. */
  readonly publicKey: string;
  readonly createdAt: string;
  readonly notAfter?: string;
  /**
   * The previous generation's signature over toKeyStatement of this key: an agent that
   * trusts generation n learns generation n+1 only through it, never from the network alone.
   */
  readonly endorsement?: string;
}

/**
 * What generation n signs about generation n+1: its key, and until when n itself stays
 * trusted (the grace period of the rotation).
 */
export function toKeyStatement(
  key: Pick<PublishedKey, "id" | "generation" | "algorithm" | "publicKey">,
  previous: { readonly id: string; readonly notAfter: string },
): string {
  return toCanonicalJson({
    type: KEY_STATEMENT_TYPE,
    id: key.id,
    generation: key.generation,
    algorithm: key.algorithm,
    publicKey: key.publicKey,
    previous: previous.id,
    previousNotAfter: previous.notAfter,
  });
}

import { toSignedEntity, Verifier } from "@sigstore/verify";
import type { Signer } from "../../core/supply/facts.js";
import type { Candidate } from "./candidate.js";
import { invalid, SignatureRejection, untrusted } from "./errors.js";
import type { IdentityMatcher } from "./identity.js";
import { type TrustedKey, verifyWithKey } from "./keys.js";
import { verifyTlogEntry } from "./tlog.js";
import type { SigstoreTrust } from "./trusted-root.js";

/** Whom to believe: keys, keyless identities under a trusted root, and the log rule. */
export interface TrustPolicy {
  readonly keys: readonly TrustedKey[];
  readonly identities: readonly IdentityMatcher[];
  readonly trust: SigstoreTrust;
  /** Accept only signatures whose transparency-log entry verifies. */
  readonly requireTlog: boolean;
}

export interface CandidateResult {
  readonly signer: Signer;
  readonly transparencyLog: boolean;
}

/**
 * Checks one candidate's cryptography and signer; the claims in its payload (which digest it
 * is about) are the caller's to check. Throws `SignatureRejection`.
 */
export function verifyCandidate(c: Candidate, policy: TrustPolicy): CandidateResult {
  return c.certificates.length > 0 ? verifyKeyless(c, policy) : verifyKeyed(c, policy);
}

function verifyKeyed(c: Candidate, policy: TrustPolicy): CandidateResult {
  if (policy.keys.length === 0) {
    throw untrusted("signed with a key, and no public key is trusted");
  }
  let found: { key: TrustedKey; signature: Buffer } | undefined;
  for (const signature of c.signatures) {
    const key = policy.keys.find((k) => verifyWithKey(k.key, c.signed, signature));
    if (key !== undefined) {
      found = { key, signature };
      break;
    }
  }
  if (found === undefined) {
    throw invalid(
      `the signature does not verify with ${policy.keys.length === 1 ? "the key" : "any of the keys"} ${policy.keys.map((k) => k.id).join(", ")}`,
    );
  }
  for (const entry of c.tlog) verifyTlogEntry(entry, policy.trust, c.payload, found.signature);
  const transparencyLog = c.tlog.length > 0;
  if (policy.requireTlog && !transparencyLog) {
    throw untrusted("no transparency-log entry, and one is required");
  }
  return { signer: { kind: "key", keyId: found.key.id }, transparencyLog };
}

const verifiers = new WeakMap<SigstoreTrust, Map<boolean, Verifier>>();

function verifierFor(trust: SigstoreTrust, requireTlog: boolean): Verifier {
  let byTlog = verifiers.get(trust);
  if (byTlog === undefined) {
    byTlog = new Map();
    verifiers.set(trust, byTlog);
  }
  let verifier = byTlog.get(requireTlog);
  if (verifier === undefined) {
    verifier = new Verifier(trust.material, {
      tlogThreshold: requireTlog ? 1 : 0,
      // A private root without CT logs cannot vouch for SCTs; the public-good one can.
      ctlogThreshold: trust.hasCtlogs ? 1 : 0,
      // A short-lived certificate is only meaningful with a trusted time of signing.
      timestampThreshold: 1,
    });
    byTlog.set(requireTlog, verifier);
  }
  return verifier;
}

/** Verification errors of @sigstore/verify that say "not genuine" rather than "not trusted". */
const INVALID_CODES = new Set(["SIGNATURE_ERROR", "TLOG_BODY_ERROR", "PUBLIC_KEY_ERROR"]);

function verifyKeyless(c: Candidate, policy: TrustPolicy): CandidateResult {
  if (policy.identities.length === 0) {
    throw untrusted("signed keylessly (certificate), and no certificate identity is trusted");
  }
  if (c.bundle === undefined) throw invalid("a certificate without a bundle");
  let identity: { subject: string; issuer: string };
  try {
    const entity = toSignedEntity(c.bundle, c.envelope === "message" ? c.payload : undefined);
    const signer = verifierFor(policy.trust, policy.requireTlog).verify(entity);
    identity = {
      subject: signer.identity?.subjectAlternativeName ?? "",
      issuer: signer.identity?.extensions?.issuer ?? "",
    };
  } catch (e) {
    if (e instanceof SignatureRejection) throw e;
    const code = (e as { code?: unknown }).code;
    const message = `${e instanceof Error ? e.message : String(e)} (${String(code)}, ${policy.trust.name} trusted root)`;
    throw INVALID_CODES.has(String(code)) ? invalid(message, e) : untrusted(message, e);
  }
  if (!policy.identities.some((m) => m.matches(identity.subject, identity.issuer))) {
    throw untrusted(
      `signed by ${identity.subject} from ${identity.issuer}, not ${policy.identities.map((m) => m.description).join(" or ")}`,
    );
  }
  return {
    signer: { kind: "keyless", subject: identity.subject, issuer: identity.issuer },
    transparencyLog:
      c.tlog.length > 0 || (c.bundle.verificationMaterial.tlogEntries.length ?? 0) > 0,
  };
}

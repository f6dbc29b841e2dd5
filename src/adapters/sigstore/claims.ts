import type { VerifiedAttestation, VerifiedSignature } from "../../core/supply/facts.js";
import type { Candidate } from "./candidate.js";
import { parseStatement, type Statement } from "./dsse.js";
import { invalid, SignatureRejection } from "./errors.js";
import { type TrustPolicy, verifyCandidate } from "./verify.js";

/** cosign's simple-signing payload type (github.com/containers/image signature format). */
const SIMPLE_SIGNING_TYPE = "cosign container image signature";

function mismatch(named: string, digest: string): SignatureRejection {
  return new SignatureRejection(
    "SIGNATURE_DIGEST_MISMATCH",
    `the signed payload names ${named}, not the image's ${digest}`,
  );
}

/** The manifest digest a simple-signing payload vouches for. */
export function simpleSigningDigest(payload: Buffer): string {
  let doc: { critical?: { type?: unknown; image?: { "docker-manifest-digest"?: unknown } } };
  try {
    doc = JSON.parse(payload.toString("utf8"));
  } catch {
    throw invalid("the simple-signing payload is not JSON");
  }
  const digest = doc?.critical?.image?.["docker-manifest-digest"];
  if (doc?.critical?.type !== SIMPLE_SIGNING_TYPE || typeof digest !== "string") {
    throw invalid("not a cosign simple-signing payload (critical.type, critical.image)");
  }
  return digest;
}

function statementOf(c: Candidate): Statement {
  return parseStatement(
    { payloadType: c.payloadType ?? "", payload: c.payload, signatures: c.signatures },
    "the DSSE envelope",
  );
}

function requireSubject(statement: Statement, digest: string): void {
  if (!statement.subjectDigests.includes(digest)) {
    throw mismatch(
      `subjects ${statement.subjectDigests.join(", ") || "(none with sha256)"}`,
      digest,
    );
  }
}

/**
 * A signature of the image `digest`: the cryptography and signer (verifyCandidate), then the
 * payload's claim. Cosign v2 signs a simple-signing payload; a Sigstore bundle signature of an
 * image is a DSSE in-toto statement whose subject is the image.
 */
export function verifyImageSignature(
  c: Candidate,
  policy: TrustPolicy,
  digest: string,
): VerifiedSignature {
  const result = verifyCandidate(c, policy);
  if (c.envelope === "message") {
    const named = simpleSigningDigest(c.payload);
    if (named !== digest) throw mismatch(named, digest);
  } else {
    requireSubject(statementOf(c), digest);
  }
  return { ...result, digest, format: c.format };
}

/** An in-toto attestation about the image `digest`. */
export function verifyImageAttestation(
  c: Candidate,
  policy: TrustPolicy,
  digest: string,
): VerifiedAttestation {
  if (c.envelope !== "dsse") throw invalid("an attestation must be a DSSE envelope");
  const result = verifyCandidate(c, policy);
  const statement = statementOf(c);
  requireSubject(statement, digest);
  return {
    signer: result.signer,
    predicateType: statement.predicateType,
    predicate: statement.predicate,
  };
}

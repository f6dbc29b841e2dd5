import type { RejectedSignature } from "../../core/supply/facts.js";

export type RejectionCode = RejectedSignature["code"];

/**
 * Why one signature or attestation was rejected. Verification of a single candidate throws
 * it; the fetching layer turns it into a `RejectedSignature` fact, so one bad signature never
 * hides a good one beside it.
 */
export class SignatureRejection extends Error {
  readonly code: RejectionCode;

  constructor(code: RejectionCode, message: string) {
    super(message);
    this.name = "SignatureRejection";
    this.code = code;
  }
}

export function isSignatureRejection(value: unknown): value is SignatureRejection {
  return value instanceof SignatureRejection;
}

export function invalid(message: string): SignatureRejection {
  return new SignatureRejection("SIGNATURE_INVALID", message);
}

export function untrusted(message: string): SignatureRejection {
  return new SignatureRejection("SIGNATURE_UNTRUSTED", message);
}

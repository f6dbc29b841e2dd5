import { CustomsError } from "../../core/errors.js";
import type { RejectedSignature } from "../../core/supply/facts.js";

export type RejectionCode = RejectedSignature["code"];

/**
 * Why one signature or attestation was rejected. Verification of a single candidate throws
 * it; the fetching layer turns it into a `RejectedSignature` fact, so one bad signature never
 * hides a good one beside it.
 */
export class SignatureRejection extends CustomsError {
  declare readonly code: RejectionCode;

  constructor(code: RejectionCode, message: string, options?: { cause?: unknown }) {
    super(code, message, undefined, options);
    this.name = "SignatureRejection";
  }
}

export function isSignatureRejection(value: unknown): value is SignatureRejection {
  return value instanceof SignatureRejection;
}

export function invalid(message: string, cause?: unknown): SignatureRejection {
  return new SignatureRejection("SIGNATURE_INVALID", message, withCause(cause));
}

export function untrusted(message: string, cause?: unknown): SignatureRejection {
  return new SignatureRejection("SIGNATURE_UNTRUSTED", message, withCause(cause));
}

function withCause(cause: unknown): { cause?: unknown } {
  return cause === undefined ? {} : { cause };
}

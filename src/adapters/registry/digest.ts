import { createHash } from "node:crypto";
import { RegistryError } from "./errors.js";
import type { Digest } from "./types.js";

/**
 * Algorithms we can check (go-digest's registered ones). A digest we cannot recompute is
 * refused rather than trusted: an unverifiable digest is no better than none.
 */
const HEX_LENGTHS: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

/** Checks the form `algorithm:hex` (lowercase hex of the algorithm's length). */
export function parseDigest(value: string, what: string): Digest {
  const colon = value.indexOf(":");
  const algorithm = value.slice(0, colon);
  const hex = value.slice(colon + 1);
  const length = Object.hasOwn(HEX_LENGTHS, algorithm) ? HEX_LENGTHS[algorithm] : undefined;
  if (colon <= 0 || length === undefined || hex.length !== length || !/^[0-9a-f]+$/.test(hex)) {
    throw new RegistryError(
      "DIGEST_INVALID",
      `${what}: "${value.slice(0, 140)}" is not a sha256, sha384 or sha512 digest`,
    );
  }
  return value as Digest;
}

export function isDigest(value: string): value is Digest {
  try {
    parseDigest(value, "");
    return true;
  } catch {
    return false;
  }
}

export function computeDigest(bytes: Uint8Array, algorithm = "sha256"): Digest {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest("hex")}` as Digest;
}

/** Throws DIGEST_MISMATCH unless `bytes` hash to `expected` (with `expected`'s algorithm). */
export function verifyDigest(expected: Digest, bytes: Uint8Array, what: string): void {
  const algorithm = expected.slice(0, expected.indexOf(":"));
  const actual = computeDigest(bytes, algorithm);
  if (actual !== expected) {
    throw new RegistryError(
      "DIGEST_MISMATCH",
      `${what}: content hashes to ${actual}, not the expected ${expected}`,
    );
  }
}

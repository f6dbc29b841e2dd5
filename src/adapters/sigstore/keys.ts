import { constants, createPublicKey, type KeyObject, verify } from "node:crypto";
import { ed25519ph } from "@noble/curves/ed25519.js";
import { CustomsError } from "../../core/errors.js";

/** A public key the policy trusts, under the name signatures report it by. */
export interface TrustedKey {
  readonly id: string;
  readonly key: KeyObject;
}

/** The curves cosign signs with, and the hash each one's default signer uses. */
const EC_HASHES: Readonly<Record<string, string>> = {
  prime256v1: "sha256",
  secp384r1: "sha384",
  secp521r1: "sha512",
};

/**
 * Reads a PEM public key (SPKI, or PKCS#1 for RSA) of a kind cosign signs with: ECDSA
 * P-256/P-384/P-521, Ed25519, RSA of at least 2048 bits.
 */
export function parsePublicKey(pem: string, id: string): TrustedKey {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (e) {
    throw new CustomsError(
      "PUBLIC_KEY_INVALID",
      `${id}: not a PEM public key (${e instanceof Error ? e.message : String(e)})`,
    );
  }
  const details = key.asymmetricKeyDetails ?? {};
  const type = key.asymmetricKeyType;
  const ok =
    (type === "ec" && EC_HASHES[details.namedCurve ?? ""] !== undefined) ||
    type === "ed25519" ||
    ((type === "rsa" || type === "rsa-pss") && (details.modulusLength ?? 0) >= 2048);
  if (!ok) {
    const what =
      type === "ec" ? `EC ${details.namedCurve}` : `${type} ${details.modulusLength ?? ""}`;
    throw new CustomsError(
      "PUBLIC_KEY_INVALID",
      `${id}: ${what.trim()} keys are not supported (ECDSA P-256/P-384/P-521, Ed25519, RSA >= 2048 bits)`,
    );
  }
  return { id, key };
}

/**
 * Whether `signature` over `data` verifies with `key`. ECDSA tries the curve's own hash first
 * and then SHA-256 (cosign's signers have used both for P-384 and P-521); RSA tries PKCS#1
 * v1.5 and then PSS, both over SHA-256 as cosign signs; Ed25519 tries pure Ed25519 and then
 * Ed25519ph (RFC 8032 with SHA-512 prehash), which cosign uses for its own Ed25519 keys.
 * Malformed signatures are `false`.
 */
export function verifyWithKey(key: KeyObject, data: Buffer, signature: Buffer): boolean {
  const attempt = (algorithm: string | null, options: object = {}) => {
    try {
      return verify(algorithm, data, { key, ...options }, signature);
    } catch {
      return false;
    }
  };
  switch (key.asymmetricKeyType) {
    case "ed25519":
      return attempt(null) || verifyEd25519ph(key, data, signature);
    case "ec": {
      const own = EC_HASHES[key.asymmetricKeyDetails?.namedCurve ?? ""] ?? "sha256";
      return attempt(own) || (own !== "sha256" && attempt("sha256"));
    }
    default:
      return (
        attempt("sha256", { padding: constants.RSA_PKCS1_PADDING }) ||
        attempt("sha256", {
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_AUTO,
        })
      );
  }
}

/** Ed25519ph: node:crypto has only pure Ed25519, so the audited @noble/curves checks it. */
function verifyEd25519ph(key: KeyObject, data: Buffer, signature: Buffer): boolean {
  try {
    const raw = Buffer.from(key.export({ format: "jwk" }).x ?? "", "base64url");
    return ed25519ph.verify(signature, data, raw);
  } catch {
    return false;
  }
}

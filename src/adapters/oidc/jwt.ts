import { constants, createPublicKey, type JsonWebKey, type KeyObject, verify } from "node:crypto";
import { CustomsError } from "../../core/errors.js";

/**
 * Verification of a JWS in compact form (RFC 7515) with a provider's JSON Web Key Set
 * (RFC 7517). Only asymmetric algorithms are accepted: `none` and the HMAC family (`HS256`…)
 * are refused whatever the header says, so a token "signed" with the public key as an HMAC
 * secret, or not signed at all, never verifies (the algorithm confusion of RFC 8725, 2.1).
 */
export const ASYMMETRIC_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
] as const;
export type Algorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

export interface Jwk extends JsonWebKey {
  readonly kid?: string;
  readonly use?: string;
  readonly alg?: string;
}

export interface DecodedJwt {
  readonly header: Record<string, unknown>;
  readonly claims: Record<string, unknown>;
  readonly signingInput: string;
  readonly signature: Buffer;
}

function refused(message: string): CustomsError {
  return new CustomsError("OIDC_TOKEN_INVALID", `the ID token is refused: ${message}`);
}

const B64URL = /^[A-Za-z0-9_-]*$/;

function json(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  } catch {
    throw refused(`its ${what} is not base64url JSON`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw refused(`its ${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

export function decodeJwt(token: string): DecodedJwt {
  const parts = token.split(".");
  if (parts.length !== 3 || parts.some((p) => !B64URL.test(p)))
    throw refused("it is not a compact JWS (three base64url parts)");
  const [h, p, s] = parts as [string, string, string];
  return {
    header: json(h, "header"),
    claims: json(p, "payload"),
    signingInput: `${h}.${p}`,
    signature: Buffer.from(s, "base64url"),
  };
}

function isAlgorithm(alg: unknown): alg is Algorithm {
  return typeof alg === "string" && (ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg);
}

/** The key type and curve an algorithm needs. */
function fits(alg: Algorithm, jwk: Jwk): boolean {
  if (jwk.use !== undefined && jwk.use !== "sig") return false;
  if (jwk.alg !== undefined && jwk.alg !== alg) return false;
  if (alg.startsWith("RS") || alg.startsWith("PS")) return jwk.kty === "RSA";
  if (alg === "ES256") return jwk.kty === "EC" && jwk.crv === "P-256";
  if (alg === "ES384") return jwk.kty === "EC" && jwk.crv === "P-384";
  if (alg === "ES512") return jwk.kty === "EC" && jwk.crv === "P-521";
  return jwk.kty === "OKP" && (jwk.crv === "Ed25519" || jwk.crv === "Ed448");
}

/**
 * The key for the header: the one of its `kid` (which must fit the algorithm), or without a
 * `kid` the only key of the set that fits. Undefined when there is none: the caller may fetch
 * the set again (the provider rotated its keys) and ask once more.
 */
export function selectKey(alg: Algorithm, kid: unknown, keys: readonly Jwk[]): Jwk | undefined {
  if (kid !== undefined) {
    if (typeof kid !== "string") throw refused('its "kid" is not a string');
    const key = keys.find((k) => k.kid === kid);
    if (key !== undefined && !fits(alg, key))
      throw refused(`key "${kid}" does not fit the algorithm ${alg}`);
    return key;
  }
  const fitting = keys.filter((k) => fits(alg, k));
  return fitting.length === 1 ? fitting[0] : undefined;
}

/** The header's algorithm, refused unless asymmetric and one the provider says it signs with. */
export function checkAlgorithm(
  header: Record<string, unknown>,
  allowed: readonly string[],
): Algorithm {
  const alg = header.alg;
  if (!isAlgorithm(alg)) throw refused(`the algorithm ${JSON.stringify(alg)} is not accepted`);
  if (!allowed.includes(alg))
    throw refused(`the algorithm ${alg} is not one the provider signs ID tokens with`);
  if (header.crit !== undefined) throw refused('it has "crit" header parameters');
  return alg;
}

function toKey(jwk: Jwk): KeyObject {
  try {
    return createPublicKey({ key: jwk as JsonWebKey, format: "jwk" });
  } catch (e) {
    throw refused(`key "${jwk.kid ?? ""}" is not a usable public key (${(e as Error).message})`);
  }
}

/** Verifies the signature of `jwt` by `jwk` under `alg` (already checked to fit). */
export function verifySignature(jwt: DecodedJwt, alg: Algorithm, jwk: Jwk): void {
  const key = toKey(jwk);
  if (key.asymmetricKeyType === "rsa" && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048)
    throw refused("the RSA key is shorter than 2048 bits");
  const data = Buffer.from(jwt.signingInput, "ascii");
  const bits = alg === "EdDSA" ? undefined : alg.slice(2);
  const hash = bits === undefined ? null : `sha${bits}`;
  let ok: boolean;
  if (alg.startsWith("ES")) {
    ok = verify(hash, data, { key, dsaEncoding: "ieee-p1363" }, jwt.signature);
  } else if (alg.startsWith("PS")) {
    ok = verify(
      hash,
      data,
      { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(bits) / 8 },
      jwt.signature,
    );
  } else if (alg.startsWith("RS")) {
    ok = verify(hash, data, { key, padding: constants.RSA_PKCS1_PADDING }, jwt.signature);
  } else {
    ok = verify(null, data, key, jwt.signature);
  }
  if (!ok) throw refused("its signature does not verify");
}

import {
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign,
  verify,
  X509Certificate,
} from "node:crypto";
import { CustomsError } from "../../core/errors.js";

/**
 * JWS compact tokens for the Docker registry token protocol
 * (https://distribution.github.io/distribution/spec/auth/jwt/). The header carries the signing
 * certificate as `x5c`: distribution verifies that chain against `auth.token.rootcertbundle`
 * (registry/auth/token/token.go, parseAndVerifyCertChain), so rotating keys needs no key IDs.
 */
export interface TokenSigner {
  /** `ES256`, `ES384` or `RS256`, from the key. */
  readonly algorithm: string;
  sign(claims: Record<string, unknown>): string;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

function algorithmOf(key: KeyObject): { alg: string; hash: string } {
  const type = key.asymmetricKeyType;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (type === "ec" && curve === "prime256v1") return { alg: "ES256", hash: "sha256" };
  if (type === "ec" && curve === "secp384r1") return { alg: "ES384", hash: "sha384" };
  if (type === "rsa") return { alg: "RS256", hash: "sha256" };
  throw new CustomsError(
    "TOKEN_KEY_INVALID",
    `spec.signing.key: a ${type ?? "unknown"} ${curve ?? ""} key; use ECDSA P-256 or P-384, or RSA`,
  );
}

const spki = (k: KeyObject) => k.export({ type: "spki", format: "der" }).toString("base64");

/** A signer from PEM texts; refuses a key that does not belong to the certificate. */
export function toTokenSigner(certPem: string, keyPem: string): TokenSigner {
  let cert: X509Certificate;
  let key: KeyObject;
  try {
    cert = new X509Certificate(certPem);
    key = createPrivateKey(keyPem);
  } catch (e) {
    throw new CustomsError(
      "TOKEN_KEY_INVALID",
      `spec.signing: cannot read the certificate or key (${(e as Error).message})`,
    );
  }
  if (spki(cert.publicKey) !== spki(createPublicKey(key)))
    throw new CustomsError(
      "TOKEN_KEY_INVALID",
      "spec.signing: the key does not match the certificate",
    );
  const { alg, hash } = algorithmOf(key);
  const header = b64url(JSON.stringify({ typ: "JWT", alg, x5c: [cert.raw.toString("base64")] }));
  return {
    algorithm: alg,
    sign(claims) {
      const input = `${header}.${b64url(JSON.stringify(claims))}`;
      // JWS wants ECDSA signatures as raw r||s, not DER.
      const signature = sign(hash, Buffer.from(input), { key, dsaEncoding: "ieee-p1363" });
      return `${input}.${b64url(signature)}`;
    },
  };
}

/** Public keys of PEM certificates (one or more per text), for checking our own tokens. */
export function toPublicKeys(pems: readonly string[]): KeyObject[] {
  return pems.flatMap((pem) =>
    (pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? []).map(
      (one) => new X509Certificate(one).publicKey,
    ),
  );
}

const HASHES: Record<string, string> = { ES256: "sha256", ES384: "sha384", RS256: "sha256" };

/**
 * The claims of a token signed by one of `keys`, or undefined when the token is malformed,
 * uses another algorithm or is signed by anyone else. Times are the caller's to check.
 */
export function verifyToken(
  token: string,
  keys: readonly KeyObject[],
): Record<string, unknown> | undefined {
  const parts = token.split(".");
  if (parts.length !== 3 || token.length > 16_384) return undefined;
  const [h = "", c = "", s = ""] = parts;
  try {
    const header = JSON.parse(Buffer.from(h, "base64url").toString("utf8")) as { alg?: unknown };
    const hash = typeof header.alg === "string" ? HASHES[header.alg] : undefined;
    if (hash === undefined) return undefined;
    const input = Buffer.from(`${h}.${c}`);
    const signature = Buffer.from(s, "base64url");
    const ok = keys.some((key) => {
      const ec = key.asymmetricKeyType === "ec";
      if (ec !== header.alg?.toString().startsWith("ES")) return false;
      return verify(hash, input, ec ? { key, dsaEncoding: "ieee-p1363" } : key, signature);
    });
    if (!ok) return undefined;
    const claims = JSON.parse(Buffer.from(c, "base64url").toString("utf8")) as unknown;
    return typeof claims === "object" && claims !== null && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

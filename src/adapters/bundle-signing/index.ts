/**
 * Ed25519 keys and signatures for policy bundles (node:crypto), and the digests the agent
 * checks bundles with. Keys travel as base64 DER: SPKI for public keys, PKCS#8 for private.
 */
import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  timingSafeEqual,
  verify,
} from "node:crypto";

export interface KeyPair {
  readonly id: string;
  readonly publicKey: string;
  readonly privateKey: string;
}

/** A key's id: the start of the base64url sha256 of its SPKI DER (names it, not secret). */
export function keyIdOf(publicKey: string): string {
  return createHash("sha256")
    .update(Buffer.from(publicKey, "base64"))
    .digest("base64url")
    .slice(0, 22);
}

export function generateKeyPair(): KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const pub = publicKey.export({ type: "spki", format: "der" }).toString("base64");
  return {
    id: keyIdOf(pub),
    publicKey: pub,
    privateKey: privateKey.export({ type: "pkcs8", format: "der" }).toString("base64"),
  };
}

/** A signer of one private key, parsed once. */
export function signerOf(privateKey: string): (text: string) => string {
  const key = createPrivateKey({
    key: Buffer.from(privateKey, "base64"),
    format: "der",
    type: "pkcs8",
  });
  return (text) => sign(null, Buffer.from(text, "utf8"), key).toString("base64");
}

/** False for a bad signature and for a key or signature that cannot even be read. */
export function verifySignature(publicKey: string, text: string, signature: string): boolean {
  try {
    const key = createPublicKey({
      key: Buffer.from(publicKey, "base64"),
      format: "der",
      type: "spki",
    });
    if (key.asymmetricKeyType !== "ed25519") return false;
    return verify(null, Buffer.from(text, "utf8"), key, Buffer.from(signature, "base64"));
  } catch {
    return false;
  }
}

/** The ETag of a bundle's canonical content: `"<base64url sha256>"` (docs/control-plane.md). */
export function contentEtag(content: string): string {
  return `"${createHash("sha256").update(content).digest("base64url")}"`;
}

/** HMAC-SHA256 of `text` under a key derived from `secret` for one `purpose`, base64. */
export function macOf(secret: string, purpose: string, text: string): string {
  const key = createHash("sha256").update(`${purpose}\u0000${secret}`).digest();
  return createHmac("sha256", key).update(text).digest("base64");
}

export function sameMac(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

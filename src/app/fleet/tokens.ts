import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** A token as handed out once: `cst_<id>_<secret>`; only sha256(secret) is stored. */
export interface IssuedToken {
  readonly id: string;
  readonly secret: string;
  readonly secretHash: string;
  readonly text: string;
}

const PREFIX = "cst_";

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** A fresh token: a hex id (no `_`, so the text splits unambiguously) and 32 random bytes. */
export function issueToken(): IssuedToken {
  const id = randomBytes(8).toString("hex");
  const secret = randomBytes(32).toString("base64url");
  return { id, secret, secretHash: hashSecret(secret), text: `${PREFIX}${id}_${secret}` };
}

/** Splits `cst_<id>_<secret>`; undefined for anything else. */
export function toTokenParts(text: string): { id: string; secret: string } | undefined {
  if (!text.startsWith(PREFIX)) return undefined;
  const rest = text.slice(PREFIX.length);
  const cut = rest.indexOf("_");
  if (cut <= 0 || cut === rest.length - 1) return undefined;
  const id = rest.slice(0, cut);
  const secret = rest.slice(cut + 1);
  if (!/^[0-9a-f]{1,64}$/.test(id) || secret.length > 256) return undefined;
  return { id, secret };
}

/** Compares the secret's hash with the stored one in constant time. */
export function isSecretOf(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), "hex");
  const b = Buffer.from(storedHash, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}

import { createHash, randomBytes } from "node:crypto";
import bcrypt from "bcryptjs";

/** bcrypt cost of account secrets: `htpasswd -B`'s default. */
export const SECRET_COST = 10;

// Compared against when the account is unknown, so that unknown names take as long as
// wrong secrets and the timing does not tell which accounts exist.
const DUMMY_HASH = bcrypt.hashSync("customs-no-such-account", SECRET_COST);

export async function verifySecret(hash: string | undefined, secret: string): Promise<boolean> {
  // bcrypt reads at most 72 bytes; longer secrets are refused rather than silently cut.
  if (Buffer.byteLength(secret, "utf8") > 72) return false;
  const ok = await bcrypt.compare(secret, hash ?? DUMMY_HASH);
  return ok && hash !== undefined;
}

/** `$2y$` hashes, the prefix htpasswd writes and every reader knows. */
export function hashSecret(secret: string, cost = SECRET_COST): string {
  return bcrypt.hashSync(secret, cost).replace(/^\$2[abxy]\$/, "$2y$");
}

/** A random secret for robot accounts: 32 bytes, base64url (43 characters, under bcrypt's 72). */
export function generateSecret(): string {
  return randomBytes(32).toString("base64url");
}

/** Names a secret hash without revealing it: refresh tokens carry it, so a new secret revokes them. */
export function secretFingerprint(hash: string): string {
  return createHash("sha256").update(hash).digest("base64url").slice(0, 22);
}

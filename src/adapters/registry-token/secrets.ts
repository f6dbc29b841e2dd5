import { createHash, randomBytes } from "node:crypto";
import bcrypt from "bcryptjs";

/** bcrypt cost of account secrets: `htpasswd -B`'s default. */
export const SECRET_COST = 10;

/** The two bcrypt operations the token service needs; injected by tests to count the work. */
export interface SecretHasher {
  hash(secret: string, cost: number): string;
  compare(secret: string, hash: string): Promise<boolean>;
}

export const bcryptHasher: SecretHasher = {
  hash: (secret, cost) => bcrypt.hashSync(secret, cost),
  compare: (secret, hash) => bcrypt.compare(secret, hash),
};

/** Checks a login's secret against an account's hash, or against nothing for unknown names. */
export interface SecretVerifier {
  /** The bcrypt costs every check runs, one compare each, in this order. */
  readonly costs: readonly number[];
  verify(hash: string | undefined, secret: string): Promise<boolean>;
}

/** The cost field of a modular-crypt bcrypt hash (`$2y$10$…`). */
export function bcryptCost(hash: string): number {
  return Number(hash.slice(4, 6));
}

const DUMMY_SECRET = "customs-no-such-account";
const dummies = new WeakMap<SecretHasher, Map<number, string>>();

function dummyHash(hasher: SecretHasher, cost: number): string {
  let byCost = dummies.get(hasher);
  if (byCost === undefined) {
    byCost = new Map();
    dummies.set(hasher, byCost);
  }
  let hash = byCost.get(cost);
  if (hash === undefined) {
    hash = hasher.hash(DUMMY_SECRET, cost);
    byCost.set(cost, hash);
  }
  return hash;
}

/**
 * A verifier whose work does not depend on who logs in. bcrypt's time doubles with each step
 * of cost, and accounts may have different costs (`account add --cost`): comparing against
 * the account's own hash, and against one dummy hash for unknown names, would tell an
 * unknown name (dummy cost) from a known one with another cost, so names could be probed.
 * Instead every check runs one compare at each cost present in the accounts file, the
 * account's own hash at its cost and dummy hashes at the others: the same number of
 * compares at the same costs, in the same order, whatever the name. In the usual file (one
 * cost) that is a single compare, as before. Dummy hashes are made here, at load, so that no
 * login pays for making one.
 */
export function createSecretVerifier(
  hashes: Iterable<string>,
  hasher: SecretHasher = bcryptHasher,
): SecretVerifier {
  const costs = [...new Set([...hashes].map(bcryptCost))].sort((a, b) => a - b);
  if (costs.length === 0) costs.push(SECRET_COST);
  const dummyByCost = new Map(costs.map((c) => [c, dummyHash(hasher, c)]));
  return {
    costs,
    async verify(hash, secret) {
      // bcrypt reads at most 72 bytes; longer secrets are refused rather than silently cut.
      // This depends on the secret only, never on the account.
      if (Buffer.byteLength(secret, "utf8") > 72) return false;
      const own = hash === undefined ? undefined : bcryptCost(hash);
      let ok = false;
      for (const cost of costs) {
        const mine = cost === own && hash !== undefined;
        const matched = await hasher.compare(secret, mine ? hash : (dummyByCost.get(cost) ?? ""));
        if (mine) ok = matched;
      }
      return ok;
    },
  };
}

/** `$2y$` hashes, the prefix htpasswd writes and every reader knows. */
export function hashSecret(secret: string, cost = SECRET_COST): string {
  return bcryptHasher.hash(secret, cost).replace(/^\$2[abxy]\$/, "$2y$");
}

/** A random secret for robot accounts: 32 bytes, base64url (43 characters, under bcrypt's 72). */
export function generateSecret(): string {
  return randomBytes(32).toString("base64url");
}

/** Names a secret hash without revealing it: refresh tokens carry it, so a new secret revokes them. */
export function secretFingerprint(hash: string): string {
  return createHash("sha256").update(hash).digest("base64url").slice(0, 22);
}

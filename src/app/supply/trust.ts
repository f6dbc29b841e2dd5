import { readTextFileSync } from "../../adapters/files/index.js";
import { re2Engine } from "../../adapters/re2/index.js";
import {
  type IdentityMatcher,
  parsePublicKey,
  parseTrustedRoot,
  publicGoodTrust,
  type SigstoreTrust,
  type TrustedKey,
  type TrustPolicy,
} from "../../adapters/sigstore/index.js";
import { CustomsError } from "../../core/errors.js";
import type { Authority, TrustedRoot } from "../../core/policy/index.js";
import { compileMatch } from "../../core/policy/index.js";
import type { Fact } from "../../core/supply/facts.js";

/** Reads a file the policy names (a trusted_root.json); injectable for tests. */
export type ReadText = (path: string) => string;

const readText: ReadText = (path) => readTextFileSync(path);

/**
 * The engine knows a key signer by its authority's name only, so one name must mean one
 * authority across the policies whose authorities are verified together: else a signature
 * by one policy's "ci" key would count for another policy's different "ci".
 */
function sameNameSameKey(authorities: readonly Authority[]): void {
  const seen = new Map<string, string>();
  for (const a of authorities) {
    const text = JSON.stringify(a);
    const before = seen.get(a.name);
    if (before !== undefined && before !== text) {
      throw new CustomsError(
        "SOURCE_NOT_CONFIGURED",
        `authority "${a.name}" is defined differently by two policies; give different authorities different names`,
      );
    }
    seen.set(a.name, text);
  }
}

/** A keyless authority as the verifier's identity test, with the engine's own matchers. */
function identityOf(a: Authority & { kind: "keyless" }): IdentityMatcher {
  const issuer = compileMatch(a.issuer, re2Engine);
  const subject = compileMatch(a.subject, re2Engine);
  return {
    description: `"${a.name}" (${subject.source} from ${issuer.source})`,
    matches: (s, i) => subject.test(s) && issuer.test(i),
  };
}

/**
 * The trust policies one set of authorities verifies with: one per trusted root that a
 * keyless authority names (a TrustPolicy holds one root), each with every key authority,
 * and the public-good root whenever there are keys (for the log entries of key signatures).
 * The log rule is the engine's to apply per signature, so none is required here.
 * A key authority whose key is in a Secret is left out, and says so in `skipped`; with no
 * authority left, this throws.
 */
function toTrustPolicies(authorities: readonly Authority[], read: ReadText): Trust {
  const keys: TrustedKey[] = [];
  const skipped: string[] = [];
  sameNameSameKey(authorities);
  const byRoot = new Map<string, { root: TrustedRoot; identities: IdentityMatcher[] }>();
  const unique = [...new Map(authorities.map((a) => [a.name, a])).values()];
  for (const a of unique) {
    if (a.kind === "key") {
      if (a.key.kind !== "pem") {
        const where = `${a.key.namespace ?? "(the webhook's namespace)"}/${a.key.name}`;
        skipped.push(
          `authority "${a.name}": its key is in the Secret ${where}, which is not read; give it inline (pem)`,
        );
        continue;
      }
      // The authority's name is the key's ID: the engine matches signers to authorities by it.
      keys.push(parsePublicKey(a.key.pem, a.name));
      continue;
    }
    const id = a.trustedRoot.kind === "file" ? `file:${a.trustedRoot.path}` : "public-good";
    const group = byRoot.get(id) ?? { root: a.trustedRoot, identities: [] };
    byRoot.set(id, group);
    group.identities.push(identityOf(a));
  }
  if (keys.length === 0 && byRoot.size === 0)
    throw new CustomsError("SOURCE_NOT_CONFIGURED", skipped.join("; "));
  const trustOf = (root: TrustedRoot): SigstoreTrust =>
    root.kind === "public-good" ? publicGoodTrust() : parseTrustedRoot(read(root.path), root.path);
  // Keys carry no root: their log entries are Rekor's, verified under the public-good root.
  if (keys.length > 0 && !byRoot.has("public-good")) {
    byRoot.set("public-good", { root: { kind: "public-good" }, identities: [] });
  }
  const groups = [...byRoot.values()];
  const policies = groups.map((g) => ({
    keys,
    identities: g.identities,
    trust: trustOf(g.root),
    requireTlog: false,
  }));
  return { policies, skipped };
}

/** The policies to verify with, and why some authorities could not take part. */
export interface Trust {
  readonly policies: readonly TrustPolicy[];
  readonly skipped: readonly string[];
}

/**
 * Parsed keys and trusted roots per set of authorities, made once (the webhook verifies the
 * same policies' authorities on every review). A set that cannot be read is not kept, so a
 * fixed file counts on the next fetch.
 */
export class TrustPolicies {
  private readonly cache = new Map<string, Trust>();

  constructor(private readonly read: ReadText = readText) {}

  /** The policies, or SOURCE_NOT_CONFIGURED naming the authority that cannot be used. */
  for(authorities: readonly Authority[]): Fact<Trust> {
    const key = JSON.stringify(authorities);
    const cached = this.cache.get(key);
    if (cached !== undefined) return { ok: true, value: cached };
    try {
      const made = toTrustPolicies(authorities, this.read);
      if (this.cache.size >= 64) this.cache.clear();
      this.cache.set(key, made);
      return { ok: true, value: made };
    } catch (e) {
      const message = `the policy's authorities cannot be used: ${e instanceof Error ? e.message : String(e)}`;
      return { ok: false, code: "SOURCE_NOT_CONFIGURED", message };
    }
  }
}

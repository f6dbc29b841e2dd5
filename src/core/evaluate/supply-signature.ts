import type { CompiledAuthority, CompiledSupply, SignatureInput } from "../policy/index.js";
import { printable } from "../policy/index.js";
import type { SignatureFacts, Signer, VerifiedSignature } from "../supply/facts.js";
import { listSome, quoteAll, type SupplyFailure } from "./supply-types.js";

const VERB = "is not signed as required by";

export function signerMatches(a: CompiledAuthority, s: Signer): boolean {
  if (a.kind === "key") return s.kind === "key" && s.keyId === a.name;
  return s.kind === "keyless" && a.issuer.test(s.issuer) && a.subject.test(s.subject);
}

export function describeSigner(s: Signer): string {
  if (s.kind === "key") return `key "${printable(s.keyId, 80)}"`;
  return `identity ${printable(s.subject, 120)} (issuer ${printable(s.issuer, 120)})`;
}

export function describeAuthorities(authorities: readonly CompiledAuthority[]): string {
  return authorities
    .map((a) =>
      a.kind === "key"
        ? `"${a.name}"`
        : `"${a.name}" (subject ${a.subject.source}, issuer ${a.issuer.source})`,
    )
    .join(", ");
}

/** The authorities satisfied by at least one of the signatures. */
function satisfied(
  authorities: readonly CompiledAuthority[],
  signatures: readonly VerifiedSignature[],
): CompiledAuthority[] {
  return authorities.filter((a) => signatures.some((s) => signerMatches(a, s.signer)));
}

/**
 * k-of-n: `count` different authorities must each have signed the image's digest (with a
 * verified transparency-log entry when the policy requires one). The order of the checks
 * makes the message name the first thing that is wrong: nothing signed, a signature that
 * failed, the wrong digest, no log entry, then the wrong signer.
 */
export function evaluateSignatures(
  supply: CompiledSupply,
  input: SignatureInput,
  digest: string,
  facts: SignatureFacts,
): SupplyFailure | undefined {
  const onDigest = facts.verified.filter((s) => s.digest === digest);
  const logged = input.requireTransparencyLog
    ? onDigest.filter((s) => s.transparencyLog)
    : onDigest;
  const good = satisfied(supply.authorities, logged);
  if (good.length >= input.count) return undefined;
  const wants = `${input.count === 1 ? "one of" : `${input.count} of`} ${describeAuthorities(supply.authorities)}`;
  if (onDigest.length === 0) {
    if (facts.verified.length > 0) {
      const other = facts.verified[0]?.digest ?? "";
      return {
        code: "SIGNATURE_DIGEST_MISMATCH",
        verb: VERB,
        reason: `the signatures found sign ${other}, not the image's digest ${digest}`,
      };
    }
    const first = facts.rejected[0];
    if (first !== undefined) {
      const all = listSome(
        facts.rejected.map((r) => printable(r.message, 200)),
        3,
      );
      return { code: first.code, verb: VERB, reason: `no signature of ${digest} verifies: ${all}` };
    }
    return {
      code: "SIGNATURE_MISSING",
      verb: VERB,
      reason: `no cosign signature found for ${digest}; policy wants ${wants}`,
    };
  }
  const unlogged = satisfied(supply.authorities, onDigest);
  if (input.requireTransparencyLog && unlogged.length >= input.count) {
    return {
      code: "TRANSPARENCY_LOG_MISSING",
      verb: VERB,
      reason: `signed by ${quoteAll(unlogged.map((a) => a.name))}, but no trusted signature of ${digest} has a verified transparency-log entry, which the policy requires`,
    };
  }
  const signers = [...new Set(onDigest.map((s) => describeSigner(s.signer)))];
  const have = good.length === 0 ? "" : ` (only ${quoteAll(good.map((a) => a.name))} matched)`;
  return {
    code: "SIGNATURE_UNTRUSTED",
    verb: VERB,
    reason: `signed by ${listSome(signers, 3)}${have}; policy wants ${wants}`,
  };
}

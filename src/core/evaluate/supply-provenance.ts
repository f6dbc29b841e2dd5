import type { CompiledSupply, Matcher, ProvenanceInput } from "../policy/index.js";
import { printable } from "../policy/index.js";
import type { AttestationFacts, VerifiedAttestation } from "../supply/facts.js";
import { isProvenanceType, isSbomType, type Provenance, toProvenance } from "./provenance.js";
import { describeAuthorities, describeSigner, signerMatches } from "./supply-signature.js";
import { listSome, type SupplyFailure } from "./supply-types.js";

const VERB = "lacks the provenance required by";

const sources = (ms: readonly Matcher[]) => ms.map((m) => m.source).join(", ");

/** What one provenance statement fails of the policy (empty: it satisfies everything). */
function provenanceFailures(
  supply: CompiledSupply,
  input: ProvenanceInput,
  p: Provenance,
): SupplyFailure[] {
  const out: SupplyFailure[] = [];
  if (supply.builders.length > 0 && !supply.builders.some((m) => m.test(p.builderId))) {
    out.push({
      code: "PROVENANCE_BUILDER_UNTRUSTED",
      verb: VERB,
      reason: `built by ${printable(p.builderId, 200)}; trusted: ${sources(supply.builders)}`,
    });
  }
  if (supply.sourceRepositories.length > 0) {
    const ok =
      p.source !== undefined && supply.sourceRepositories.some((m) => m.test(p.source as string));
    if (!ok) {
      out.push({
        code: "PROVENANCE_SOURCE_UNTRUSTED",
        verb: VERB,
        reason: `${p.source === undefined ? "the provenance names no source repository" : `built from ${printable(p.source, 200)}`}; allowed: ${sources(supply.sourceRepositories)}`,
      });
    }
  }
  if (input.requireCommit && p.commit === undefined) {
    out.push({
      code: "PROVENANCE_COMMIT_MISSING",
      verb: VERB,
      reason: `the provenance (builder ${printable(p.builderId, 200)}) names no git commit of its source, which the policy requires`,
    });
  }
  return out;
}

function trustedOnly(supply: CompiledSupply, facts: AttestationFacts): VerifiedAttestation[] {
  return facts.verified.filter((a) => supply.authorities.some((au) => signerMatches(au, a.signer)));
}

function missing(
  supply: CompiledSupply,
  facts: AttestationFacts,
  digest: string,
  what: string,
): SupplyFailure {
  const first = facts.rejected[0];
  if (first !== undefined && facts.verified.length === 0) {
    return {
      code: "ATTESTATION_INVALID",
      verb: VERB,
      reason: `no attestation of ${digest} verifies: ${listSome(
        facts.rejected.map((r) => printable(r.message, 200)),
        3,
      )}`,
    };
  }
  const others = facts.verified.filter(
    (a) => !supply.authorities.some((au) => signerMatches(au, a.signer)),
  );
  const by =
    others.length === 0
      ? ""
      : ` (attestations signed by ${listSome([...new Set(others.map((a) => describeSigner(a.signer)))], 3)} are not trusted)`;
  return {
    code: "ATTESTATION_MISSING",
    verb: VERB,
    reason: `no ${what} attestation for ${digest} signed by ${describeAuthorities(supply.authorities)}${by}`,
  };
}

/**
 * Passes when one trusted SLSA provenance satisfies every requirement (builder, source,
 * commit), and, with `requireSbom`, a trusted SBOM attestation exists. Otherwise every
 * requirement that failed is its own failure, taken from the statement that failed fewest.
 */
export function evaluateProvenance(
  supply: CompiledSupply,
  input: ProvenanceInput,
  digest: string,
  facts: AttestationFacts,
): SupplyFailure[] {
  const trusted = trustedOnly(supply, facts);
  const out: SupplyFailure[] = [];
  const statements = trusted.filter((a) => isProvenanceType(a.predicateType));
  if (statements.length === 0) {
    out.push(missing(supply, facts, digest, "SLSA provenance"));
  } else {
    let best: SupplyFailure[] | undefined;
    const unreadable: string[] = [];
    for (const s of statements) {
      const p = toProvenance(s.predicateType, s.predicate);
      if (typeof p === "string") {
        unreadable.push(p);
        continue;
      }
      const failures = provenanceFailures(supply, input, p);
      if (best === undefined || failures.length < best.length) best = failures;
    }
    if (best === undefined) {
      out.push({ code: "PROVENANCE_UNREADABLE", verb: VERB, reason: listSome(unreadable, 3) });
    } else out.push(...best);
  }
  if (input.requireSbom && !trusted.some((a) => isSbomType(a.predicateType))) {
    out.push({
      code: "SBOM_MISSING",
      verb: VERB,
      reason: `no SBOM attestation (SPDX or CycloneDX) for ${digest} signed by ${describeAuthorities(supply.authorities)}`,
    });
  }
  return out;
}

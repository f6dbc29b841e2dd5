import type { CompiledPolicy, Recipe } from "../policy/index.js";
import { printable } from "../policy/index.js";
import type {
  AttestationFacts,
  Fact,
  FactError,
  ImageFacts as SupplyFacts,
} from "../supply/facts.js";
import { isProvenanceType, toProvenance } from "./provenance.js";
import {
  evaluateAge,
  evaluateBaseImage,
  evaluateLabels,
  evaluateNonRoot,
} from "./supply-metadata.js";
import { evaluateProvenance } from "./supply-provenance.js";
import { evaluateSignatures } from "./supply-signature.js";
import { evaluateSize, evaluateVolumes } from "./supply-size.js";
import { type FactNeeds, NO_NEEDS, type SupplyFailure } from "./supply-types.js";
import { evaluateVulnerabilities } from "./supply-vulnerability.js";

type Group = "signatures" | "attestations" | "metadata" | "vulnerabilities";

/** The fact group each supply-chain recipe decides on. */
const GROUP: Readonly<Partial<Record<Recipe, Group>>> = {
  "require-signature": "signatures",
  "require-provenance": "attestations",
  "require-labels": "metadata",
  "non-root-user": "metadata",
  "max-image-age": "metadata",
  "approved-base-images": "metadata",
  "vulnerability-threshold": "vulnerabilities",
  "max-image-size": "metadata",
  "no-volumes": "metadata",
};

const WHAT: Readonly<Record<Group, string>> = {
  signatures: "signatures",
  attestations: "attestations",
  metadata: "the image config",
  vulnerabilities: "vulnerability reports",
};

/** Which fact groups these policies need (none when no policy uses a supply-chain recipe). */
export function factNeeds(policies: readonly CompiledPolicy[]): FactNeeds {
  const needs = { ...NO_NEEDS };
  for (const p of policies) {
    const g = GROUP[p.policy.recipe];
    if (g !== undefined) needs[g] = true;
    // Without the base-name annotation, the base images come from verified provenance.
    if (p.policy.recipe === "approved-base-images") needs.attestations = true;
  }
  return needs;
}

export function isSupplyPolicy(p: CompiledPolicy): boolean {
  return p.supply !== undefined;
}

/** A fact that could not be had fails the policy with the fact's own code, never "unsigned". */
function unavailable(group: Group, error: FactError): SupplyFailure {
  return {
    code: error.code,
    verb: "could not be checked against",
    reason: `could not check ${WHAT[group]}: ${printable(error.message, 300)}; the policy fails closed`,
  };
}

const NOT_GATHERED: FactError = {
  ok: false,
  code: "SOURCE_NOT_CONFIGURED",
  message: "no source for these facts is configured",
};

/** Images the verified SLSA provenance says the build pulled (none when none is verified). */
function provenanceImagesOf(
  attestations: Fact<AttestationFacts> | undefined,
): Fact<readonly string[]> | undefined {
  if (attestations === undefined || !attestations.ok) return attestations;
  const images: string[] = [];
  for (const a of attestations.value.verified) {
    if (!isProvenanceType(a.predicateType)) continue;
    const p = toProvenance(a.predicateType, a.predicate);
    if (typeof p !== "string") images.push(...p.images.filter((i) => !images.includes(i)));
  }
  return { ok: true, value: images };
}

function factOf<T>(fact: Fact<T> | undefined): Fact<T> {
  return fact ?? NOT_GATHERED;
}

/**
 * Decides one supply-chain policy for one image on facts fetched before: pure, synchronous,
 * never throws on any facts (a test feeds it arbitrary ones). An empty list is a pass.
 */
export function evaluateSupply(
  compiled: CompiledPolicy,
  facts: SupplyFacts | undefined,
  now: number,
): readonly SupplyFailure[] {
  const supply = compiled.supply;
  const group = GROUP[compiled.policy.recipe];
  if (supply === undefined || group === undefined) return [];
  const input = supply.input;
  if (facts === undefined) return [unavailable(group, NOT_GATHERED)];
  if (!facts.digest.ok) return [unavailable(group, facts.digest)];
  const digest = facts.digest.value;
  const one = (f: SupplyFailure | undefined) => (f === undefined ? [] : [f]);
  switch (input.recipe) {
    case "require-signature": {
      const f = factOf(facts.signatures);
      return f.ok
        ? one(evaluateSignatures(supply, input, digest, f.value))
        : [unavailable(group, f)];
    }
    case "require-provenance": {
      const f = factOf(facts.attestations);
      return f.ok ? evaluateProvenance(supply, input, digest, f.value) : [unavailable(group, f)];
    }
    case "vulnerability-threshold": {
      const f = factOf(facts.vulnerabilities);
      if (!f.ok) return [unavailable(group, f)];
      return one(evaluateVulnerabilities(input, f.value, digest, compiled.policy.action, now));
    }
    default:
      break;
  }
  const m = factOf(facts.metadata);
  if (!m.ok) return [unavailable(group, m)];
  switch (input.recipe) {
    case "require-labels":
      return evaluateLabels(compiled, m.value);
    case "non-root-user":
      return one(evaluateNonRoot(m.value));
    case "max-image-age":
      return one(evaluateAge(input, m.value, now));
    case "approved-base-images":
      return one(evaluateBaseImage(compiled, m.value, provenanceImagesOf(facts.attestations)));
    case "max-image-size":
      return one(evaluateSize(input, m.value));
    case "no-volumes":
      return one(evaluateVolumes(input, m.value));
  }
}

import type { CompiledPolicy } from "../policy/index.js";
import { exemptIndex, printable } from "../policy/index.js";
import type { ImageFacts as SupplyFacts } from "../supply/facts.js";
import type { Evaluator } from "./evaluator.js";
import { verdictOf } from "./evaluator.js";
import { describeScope, type NamespaceFacts } from "./scope.js";
import { evaluateSupply, isSupplyPolicy } from "./supply.js";
import { type TagRule, tagFailure } from "./supply-tags.js";
import type { ContainerInput, Decision, Violation, WorkloadContext } from "./types.js";

/**
 * An evaluator that also decides the supply-chain policies, on facts fetched beforehand for
 * the images of one workload (or one `customs check` run). The reference-only recipes are
 * decided by the wrapped evaluator exactly as before, with their memos. `tags` says whether an
 * image named by tag may be decided on the digest it names now (see TagRule).
 */
export function withSupplyFacts(
  base: Evaluator,
  factsOf: (image: string) => SupplyFacts | undefined,
  now: number,
  tags: TagRule,
): Evaluator {
  const supplyViolations = (
    policies: readonly CompiledPolicy[],
    c: ContainerInput,
  ): Violation[] => {
    const out: Violation[] = [];
    if (c.image === undefined) return out;
    const parsed = base.imageFacts(c.image);
    // Invalid references and missing images are already violations of every policy.
    if (!parsed.valid) return out;
    const facts = factsOf(c.image);
    const hasDigest = parsed.parts.digest !== "";
    const prefix = `container "${printable(c.container, 60)}" (${c.containerType}): image "${printable(c.image)}" (${parsed.normalized}) `;
    for (const compiled of policies) {
      if (!isSupplyPolicy(compiled)) continue;
      if (exemptIndex(compiled.exempt, parsed.parts) >= 0) continue;
      const { policy } = compiled;
      const scope = describeScope(policy.scope);
      const unpinned = tagFailure(compiled, tags, hasDigest, facts);
      for (const f of unpinned === undefined ? evaluateSupply(compiled, facts, now) : [unpinned]) {
        const action = f.action ?? policy.action;
        out.push({
          policy: policy.name,
          action,
          scope,
          container: c.container,
          containerType: c.containerType,
          image: c.image,
          normalizedImage: parsed.normalized,
          code: f.code,
          message: `${prefix}${f.verb} policy "${policy.name}" (${scope}, action ${policy.action}): ${f.reason}`,
        });
      }
    }
    return out;
  };
  const evaluate = (
    ns: NamespaceFacts,
    containers: readonly ContainerInput[],
    workload?: WorkloadContext,
  ): Decision => {
    const decision = base.evaluate(ns, containers, workload);
    const policies = base.applicable(ns);
    if (!policies.some(isSupplyPolicy)) return decision;
    const supply: Violation[] = [];
    for (const c of containers) supply.push(...supplyViolations(policies, c));
    // Exceptions relax supply-chain violations exactly as the others.
    const result = base.exempt?.(ns, supply, workload) ?? { violations: supply, exempted: [] };
    const violations = [...decision.violations, ...result.violations];
    const exempted = [...(decision.exempted ?? []), ...result.exempted];
    if (exempted.length === 0) return { verdict: verdictOf(violations), violations };
    return { verdict: verdictOf(violations), violations, exempted };
  };
  const wrapped: Evaluator = { applicable: base.applicable, evaluate, imageFacts: base.imageFacts };
  return base.exempt === undefined ? wrapped : { ...wrapped, exempt: base.exempt };
}

/** The images of these containers that supply-chain policies among `policies` will check. */
export function imagesNeedingFacts(
  base: Evaluator,
  policies: readonly CompiledPolicy[],
  containers: readonly ContainerInput[],
): string[] {
  const supply = policies.filter(isSupplyPolicy);
  if (supply.length === 0) return [];
  const images = new Set<string>();
  for (const c of containers) {
    if (c.image === undefined) continue;
    const parsed = base.imageFacts(c.image);
    // An image every supply-chain policy exempts needs no facts: nothing is fetched for it.
    if (parsed.valid && supply.some((p) => exemptIndex(p.exempt, parsed.parts) < 0)) {
      images.add(c.image);
    }
  }
  return [...images];
}

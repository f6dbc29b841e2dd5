import type { CompiledPolicy, CompiledPolicySet } from "../policy/index.js";
import { printable } from "../policy/index.js";
import { ImageFactsCache, type ImageFacts } from "./image-facts.js";
import { checkRecipe } from "./recipes.js";
import { applicability, describeScope, type NamespaceFacts, workspacesOf } from "./scope.js";
import type { ContainerInput, Decision, Verdict, Violation } from "./types.js";

export interface Evaluator {
  /** The policies that apply to a namespace (memoized per facts object). */
  applicable(ns: NamespaceFacts): readonly CompiledPolicy[];
  /** Decides one workload: all applicable policies, every container. */
  evaluate(ns: NamespaceFacts, containers: readonly ContainerInput[]): Decision;
  /** Facts of one image string (memoized). */
  imageFacts(image: string): ImageFacts;
}

function quote(image: string): string {
  return `"${printable(image)}"`;
}

function violationFor(
  compiled: CompiledPolicy,
  c: ContainerInput,
  facts: ImageFacts | undefined,
): Violation | undefined {
  const { policy } = compiled;
  const scope = describeScope(policy.scope);
  const who = `container "${printable(c.container, 60)}" (${c.containerType})`;
  const by = `policy "${policy.name}" (${scope}, action ${policy.action})`;
  const base = { policy: policy.name, action: policy.action, scope, container: c.container, containerType: c.containerType };
  if (facts === undefined) {
    return {
      ...base,
      image: "",
      normalizedImage: "",
      code: "IMAGE_MISSING",
      message: `${who} has no image, so ${by} cannot check it; set its image`,
    };
  }
  const image = c.image ?? "";
  if (!facts.valid) {
    return {
      ...base,
      image,
      normalizedImage: "",
      code: "IMAGE_REFERENCE_INVALID",
      message: `${who}: image ${quote(image)} is not a valid image reference (${facts.reason}), so ${by} cannot allow it`,
    };
  }
  const outcome = checkRecipe(compiled, facts.parts);
  if (outcome.pass) return undefined;
  return {
    ...base,
    image,
    normalizedImage: facts.normalized,
    code: outcome.code,
    message: `${who}: image ${quote(image)} (${facts.normalized}) ${outcome.verb} ${by}: ${outcome.reason}`,
  };
}

const RANK: Record<Verdict, number> = { allow: 0, warn: 1, deny: 2 };

export function verdictOf(violations: readonly Violation[]): Verdict {
  let verdict: Verdict = "allow";
  for (const v of violations) {
    const next: Verdict = v.action === "deny" ? "deny" : v.action === "warn" ? "warn" : "allow";
    if (RANK[next] > RANK[verdict]) verdict = next;
  }
  return verdict;
}

/**
 * Compile once, evaluate many: the evaluator keeps the compiled set and two memos (image
 * facts by string, applicable policies by namespace facts object); evaluation itself is
 * pure and synchronous.
 */
export function createEvaluator(set: CompiledPolicySet, cache = new ImageFactsCache()): Evaluator {
  const byNamespace = new WeakMap<NamespaceFacts, readonly CompiledPolicy[]>();
  const applicable = (ns: NamespaceFacts): readonly CompiledPolicy[] => {
    let list = byNamespace.get(ns);
    if (list === undefined) {
      const workspaces = workspacesOf(set, ns);
      list = set.policies.filter((p) => applicability(p, ns, workspaces).applies);
      byNamespace.set(ns, list);
    }
    return list;
  };
  const evaluate = (ns: NamespaceFacts, containers: readonly ContainerInput[]): Decision => {
    const policies = applicable(ns);
    const violations: Violation[] = [];
    if (policies.length === 0) return { verdict: "allow", violations };
    for (const c of containers) {
      const facts = c.image === undefined ? undefined : cache.get(c.image);
      for (const p of policies) {
        const v = violationFor(p, c, facts);
        if (v !== undefined) violations.push(v);
      }
    }
    return { verdict: verdictOf(violations), violations };
  };
  return { applicable, evaluate, imageFacts: (image) => cache.get(image) };
}

import type { CompiledPolicy, CompiledPolicySet } from "../policy/index.js";
import { exemptIndex, printable } from "../policy/index.js";
import { type ExemptionResult, exceptionsInScope, exemptViolations } from "./exceptions.js";
import { type ImageFacts, ImageFactsCache } from "./image-facts.js";
import { checkPod, isPodPolicy } from "./pod-recipes.js";
import { checkRecipe, type RecipeFailure } from "./recipes.js";
import { applicability, describeScope, type NamespaceFacts, workspacesOf } from "./scope.js";
import type { ContainerInput, Decision, Verdict, Violation, WorkloadContext } from "./types.js";
import { WidenedPolicies } from "./widen.js";

export interface Evaluator {
  /** The policies that apply to a namespace (memoized per facts object). */
  applicable(ns: NamespaceFacts): readonly CompiledPolicy[];
  /**
   * Decides one workload: all applicable policies, every container. `workload` names it,
   * when the caller knows it (exceptions and pull-secret recipes look at it).
   */
  evaluate(
    ns: NamespaceFacts,
    containers: readonly ContainerInput[],
    workload?: WorkloadContext,
  ): Decision;
  /** Facts of one image string (memoized). */
  imageFacts(image: string): ImageFacts;
  /**
   * Applies the loaded ImagePolicyExceptions to violations found in `ns` (for wrappers that
   * add violations of their own, like the supply-chain evaluator). Absent or a no-op when no
   * exception is loaded.
   */
  exempt?(
    ns: NamespaceFacts,
    violations: readonly Violation[],
    workload?: WorkloadContext,
  ): ExemptionResult;
}

export interface EvaluatorOptions {
  /**
   * The time (ms since the epoch) at each evaluation, for exception expiry. Core has no
   * clock, so the caller passes one; without it no exception applies (fail closed).
   */
  readonly now?: () => number;
}

/** A decision with its exemptions: the verdict counts only what is left. */
export function toDecision(result: ExemptionResult): Decision {
  const { violations, exempted } = result;
  if (exempted.length === 0) return { verdict: verdictOf(violations), violations };
  return { verdict: verdictOf(violations), violations, exempted };
}

/** Strings about a policy that every one of its violations repeats, made once. */
interface PolicyText {
  readonly scope: string;
  readonly by: string;
}

const policyTexts = new WeakMap<CompiledPolicy, PolicyText>();

function textOf(compiled: CompiledPolicy): PolicyText {
  let t = policyTexts.get(compiled);
  if (t === undefined) {
    const { policy } = compiled;
    const scope = describeScope(policy.scope);
    t = { scope, by: `policy "${policy.name}" (${scope}, action ${policy.action})` };
    policyTexts.set(compiled, t);
  }
  return t;
}

/** One failing (policy, image) pair: what a violation needs besides the container. */
interface Failure {
  readonly compiled: CompiledPolicy;
  readonly failure: RecipeFailure;
}

function violation(
  compiled: CompiledPolicy,
  c: ContainerInput,
  who: string,
  image: string,
  normalizedImage: string,
  code: Violation["code"],
  message: string,
): Violation {
  const { policy } = compiled;
  return {
    policy: policy.name,
    action: policy.action,
    scope: textOf(compiled).scope,
    container: c.container,
    containerType: c.containerType,
    image,
    normalizedImage,
    code,
    message: `${who}${message}`,
  };
}

function whoOf(c: ContainerInput): string {
  return `container "${printable(c.container, 60)}" (${c.containerType})`;
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

const NO_FAILURES: readonly Failure[] = [];

interface MemoEntry {
  readonly facts: ImageFacts;
  readonly failures: readonly Failure[];
}
const MAX_MEMO = 50_000;

/**
 * Compile once, evaluate many. The evaluator keeps the compiled set and memos: image facts
 * by string, applicable policies by namespace facts object, and the failing policies of an
 * image for each list of applicable policies (workloads repeat the same images, so most
 * evaluations are one lookup). Evaluation itself is pure and synchronous.
 */
export function createEvaluator(
  set: CompiledPolicySet,
  cache = new ImageFactsCache(),
  options: EvaluatorOptions = {},
): Evaluator {
  const byNamespace = new WeakMap<NamespaceFacts, readonly CompiledPolicy[]>();
  const failuresByList = new WeakMap<readonly CompiledPolicy[], Map<string, MemoEntry>>();
  const listsByKey = new Map<string, readonly CompiledPolicy[]>();
  const widened = new WidenedPolicies();
  // With no exception loaded, the hot path does no extra work at all.
  const hasExceptions = set.exceptions !== undefined && set.exceptions.length > 0;
  const exceptionsByNamespace = new WeakMap<NamespaceFacts, ReturnType<typeof exceptionsInScope>>();
  const exempt = (
    ns: NamespaceFacts,
    violations: readonly Violation[],
    workload?: WorkloadContext,
  ): ExemptionResult => {
    if (!hasExceptions || options.now === undefined || violations.length === 0) {
      return { violations, exempted: [] };
    }
    let inScope = exceptionsByNamespace.get(ns);
    if (inScope === undefined) {
      inScope = exceptionsInScope(set, ns);
      exceptionsByNamespace.set(ns, inScope);
    }
    return exemptViolations(inScope, violations, workload, options.now());
  };

  const applicable = (ns: NamespaceFacts): readonly CompiledPolicy[] => {
    let list = byNamespace.get(ns);
    if (list === undefined) {
      const workspaces = workspacesOf(set, ns);
      const fresh: CompiledPolicy[] = [];
      const keys: string[] = [];
      set.policies.forEach((p, i) => {
        if (!applicability(p, ns, workspaces).applies) return;
        // An extensible allowlist is replaced by its widening for this namespace, if any.
        const w = widened.get(set, p, String(i), ns, workspaces);
        fresh.push(w.compiled);
        keys.push(w.key);
      });
      // Namespaces with the same applicable policies share one list, and so one memo.
      const key = keys.join(",");
      list = listsByKey.get(key) ?? fresh;
      listsByKey.set(key, list);
      byNamespace.set(ns, list);
    }
    return list;
  };

  /**
   * One lookup per container on the hot path: the memo of the namespace's policy list holds
   * the image's facts and its failures together.
   */
  const entryOf = (policies: readonly CompiledPolicy[], image: string): MemoEntry => {
    let memo = failuresByList.get(policies);
    if (memo === undefined) {
      memo = new Map();
      failuresByList.set(policies, memo);
    }
    let entry = memo.get(image);
    if (entry === undefined) {
      const facts = cache.get(image);
      let found: Failure[] | undefined;
      if (facts.valid) {
        for (const compiled of policies) {
          // exemptImages: the policy does not check this image (it passes it).
          if (compiled.exempt.length > 0 && exemptIndex(compiled.exempt, facts.parts) >= 0)
            continue;
          const failure = checkRecipe(compiled, facts.parts);
          if (failure === undefined) continue;
          found ??= [];
          found.push({ compiled, failure });
        }
      }
      entry = { facts, failures: found ?? NO_FAILURES };
      if (memo.size >= MAX_MEMO) memo.clear();
      memo.set(image, entry);
    }
    return entry;
  };

  const podLists = new WeakMap<readonly CompiledPolicy[], readonly CompiledPolicy[]>();
  const podPoliciesOf = (policies: readonly CompiledPolicy[]): readonly CompiledPolicy[] => {
    let list = podLists.get(policies);
    if (list === undefined) {
      list = policies.filter(isPodPolicy);
      podLists.set(policies, list);
    }
    return list;
  };

  const evaluate = (
    ns: NamespaceFacts,
    containers: readonly ContainerInput[],
    workload?: WorkloadContext,
  ): Decision => {
    const policies = applicable(ns);
    const violations: Violation[] = [];
    if (policies.length === 0) return { verdict: "allow", violations };
    for (const c of containers) {
      if (c.image === undefined) {
        const who = whoOf(c);
        for (const p of policies) {
          const text = `: has no image, so ${textOf(p).by} cannot check it; set its image`;
          violations.push(violation(p, c, who, "", "", "IMAGE_MISSING", text));
        }
        continue;
      }
      const { facts, failures } = entryOf(policies, c.image);
      if (!facts.valid) {
        const who = whoOf(c);
        for (const p of policies) {
          const text = `: image "${printable(c.image)}" is not a valid image reference (${facts.reason}), so ${textOf(p).by} cannot allow it`;
          violations.push(violation(p, c, who, c.image, "", "IMAGE_REFERENCE_INVALID", text));
        }
        continue;
      }
      let all = failures;
      // Recipes about the container and the pod: decided here, outside the per-image memo.
      for (const compiled of podPoliciesOf(policies)) {
        if (exemptIndex(compiled.exempt, facts.parts) >= 0) continue;
        const failure = checkPod(compiled, facts.parts, c, workload);
        if (failure !== undefined) all = [...all, { compiled, failure }];
      }
      if (all.length === 0) continue;
      // Message parts are made only for containers that fail something.
      const prefix = `${whoOf(c)}: image "${printable(c.image)}" (${facts.normalized}) `;
      for (const { compiled, failure } of all) {
        const text = `${failure.verb} ${textOf(compiled).by}: ${failure.reason}`;
        violations.push(
          violation(compiled, c, prefix, c.image, facts.normalized, failure.code, text),
        );
      }
    }
    if (violations.length === 0 || !hasExceptions)
      return { verdict: verdictOf(violations), violations };
    return toDecision(exempt(ns, violations, workload));
  };

  const imageFacts = (image: string) => cache.get(image);
  if (!hasExceptions) return { applicable, evaluate, imageFacts };
  return { applicable, evaluate, imageFacts, exempt };
}

import type { ViolationCode } from "../errors.js";
import type { CompiledPolicySet } from "../policy/index.js";
import { toImageFacts } from "./image-facts.js";
import { checkRecipe, explainPass } from "./recipes.js";
import { applicability, describeScope, type NamespaceFacts, workspacesOf } from "./scope.js";
import { extensionsOf, widen } from "./widen.js";

/** An extension of an explained allowlist, and whether it widens it in this namespace. */
export interface ExtensionExplanation {
  readonly policy: string;
  readonly scope: string;
  readonly applies: boolean;
  readonly why: string;
}

/** One policy's part in the fate of one image in one namespace (`customs policy explain`). */
export interface PolicyExplanation {
  readonly policy: string;
  readonly recipe: string;
  readonly action: string;
  readonly scope: string;
  readonly applies: boolean;
  /** Why it applies or not: scope and selector. */
  readonly why: string;
  /** "pass" | "fail" when it applies, "skip" otherwise. */
  readonly result: "pass" | "fail" | "skip";
  readonly code: ViolationCode | undefined;
  /** Why it passes or fails. */
  readonly detail: string;
  /** An extensible allowlist: its extensions (spec.extends), each applying here or not. */
  readonly extensions?: readonly ExtensionExplanation[];
}

export function explainImage(
  set: CompiledPolicySet,
  ns: NamespaceFacts,
  image: string,
): { normalizedImage: string; workspaces: string[]; policies: PolicyExplanation[] } {
  const facts = toImageFacts(image);
  const workspaces = workspacesOf(set, ns);
  const policies = set.policies.map((own): PolicyExplanation => {
    const { policy } = own;
    const a = applicability(own, ns, workspaces);
    // Extensions widen their parent only where the parent applies (widen.ts).
    const all = extensionsOf(set, own);
    const found = all.map((e) => ({ e, a: applicability(e, ns, workspaces) }));
    const compiled = a.applies
      ? widen(
          own,
          found.filter((x) => x.a.applies).map((x) => x.e),
        )
      : own;
    const extensions =
      all.length === 0
        ? {}
        : {
            extensions: found.map(({ e, a: ea }) => ({
              policy: e.policy.name,
              scope: describeScope(e.policy.scope),
              applies: a.applies && ea.applies,
              why: a.applies ? ea.reason : `${policy.name} does not apply here`,
            })),
          };
    const head = {
      policy: policy.name,
      recipe: policy.recipe,
      action: policy.action,
      scope: describeScope(policy.scope),
      applies: a.applies,
      why: a.reason,
      ...extensions,
    };
    if (!a.applies) return { ...head, result: "skip", code: undefined, detail: "does not apply" };
    if (compiled.supply !== undefined) {
      // Not decidable from the reference alone: never report a pass it did not check.
      const detail =
        "a supply-chain recipe, decided on facts fetched from registries by customs check and the webhook";
      return { ...head, result: "skip", code: undefined, detail };
    }
    if (!facts.valid) {
      return {
        ...head,
        result: "fail",
        code: "IMAGE_REFERENCE_INVALID",
        detail: `not a valid image reference: ${facts.reason}`,
      };
    }
    const failure = checkRecipe(compiled, facts.parts);
    if (failure === undefined)
      return {
        ...head,
        result: "pass",
        code: undefined,
        detail: explainPass(compiled, facts.parts),
      };
    return {
      ...head,
      result: "fail",
      code: failure.code,
      detail: `${failure.verb} this policy: ${failure.reason}`,
    };
  });
  return {
    normalizedImage: facts.valid ? facts.normalized : "",
    workspaces: [...workspaces].sort(),
    policies,
  };
}

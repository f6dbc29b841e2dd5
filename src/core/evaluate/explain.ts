import type { ViolationCode } from "../errors.js";
import { type CompiledPolicySet, exemptIndex } from "../policy/index.js";
import { toImageFacts } from "./image-facts.js";
import { isPodPolicy } from "./pod-recipes.js";
import { checkRecipe, explainPass } from "./recipes.js";
import { applicability, describeScope, type NamespaceFacts, workspacesOf } from "./scope.js";

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
}

export function explainImage(
  set: CompiledPolicySet,
  ns: NamespaceFacts,
  image: string,
): { normalizedImage: string; workspaces: string[]; policies: PolicyExplanation[] } {
  const facts = toImageFacts(image);
  const workspaces = workspacesOf(set, ns);
  const policies = set.policies.map((compiled): PolicyExplanation => {
    const { policy } = compiled;
    const a = applicability(compiled, ns, workspaces);
    const head = {
      policy: policy.name,
      recipe: policy.recipe,
      action: policy.action,
      scope: describeScope(policy.scope),
      applies: a.applies,
      why: a.reason,
    };
    if (!a.applies) return { ...head, result: "skip", code: undefined, detail: "does not apply" };
    const exempt = facts.valid ? exemptIndex(compiled.exempt, facts.parts) : -1;
    if (exempt >= 0) {
      const pattern = policy.exemptImages?.[exempt] ?? "";
      const detail = `exempt by exemptImages[${exempt}] (${pattern}): the policy does not check this image`;
      return { ...head, result: "pass", code: undefined, detail };
    }
    if (compiled.supply !== undefined) {
      // Not decidable from the reference alone: never report a pass it did not check.
      const detail =
        "a supply-chain recipe, decided on facts fetched from registries by customs check and the webhook";
      return { ...head, result: "skip", code: undefined, detail };
    }
    if (isPodPolicy(compiled) && facts.valid) {
      // Decided on the container (imagePullPolicy) or the pod (pull secrets), not the image.
      const what =
        policy.recipe === "require-pull-policy"
          ? "the container's imagePullPolicy"
          : "the pod's imagePullSecrets";
      const detail = `decided on ${what}, which an image alone does not have: customs check and the webhook decide it`;
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

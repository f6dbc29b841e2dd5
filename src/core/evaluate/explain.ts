import type { ViolationCode } from "../errors.js";
import { type CompiledPolicySet, exceptionCovers, exemptIndex } from "../policy/index.js";
import { exceptionsInScope } from "./exceptions.js";
import { toImageFacts } from "./image-facts.js";
import { isPodPolicy } from "./pod-recipes.js";
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

import type { WorkloadContext } from "./types.js";

/** One policy's part in the fate of one image in one namespace (`customs policy explain`). */
export interface PolicyExplanation {
  readonly policy: string;
  readonly recipe: string;
  readonly action: string;
  readonly scope: string;
  readonly applies: boolean;
  /** Why it applies or not: scope and selector. */
  readonly why: string;
  /**
   * "pass" | "fail" when it applies, "skip" otherwise; "exempted" when it fails but an
   * ImagePolicyException exempts the image (named in `exception`, with its `expires`).
   */
  readonly result: "pass" | "fail" | "skip" | "exempted";
  readonly exception?: string;
  readonly expires?: string;
  readonly code: ViolationCode | undefined;
  /** Why it passes or fails. */
  readonly detail: string;
  /** An extensible allowlist: its extensions (spec.extends), each applying here or not. */
  readonly extensions?: readonly ExtensionExplanation[];
}

/** Exceptions are judged at `now` (ms since the epoch); without it none applies. */
export interface ExplainContext {
  readonly now?: number;
  readonly workload?: WorkloadContext;
}

export function explainImage(
  set: CompiledPolicySet,
  ns: NamespaceFacts,
  image: string,
  context: ExplainContext = {},
): { normalizedImage: string; workspaces: string[]; policies: PolicyExplanation[] } {
  const facts = toImageFacts(image);
  const workspaces = workspacesOf(set, ns);
  const inScope = context.now === undefined ? [] : exceptionsInScope(set, ns);
  const now = context.now ?? 0;
  /** A failure that an exception exempts says so; an expired one that would have is named. */
  const withExceptions = (e: PolicyExplanation): PolicyExplanation => {
    if (e.result !== "fail" || !facts.valid || inScope.length === 0) return e;
    const covering = inScope.filter(
      (x) =>
        (x.policies === undefined || x.policies.has(e.policy)) &&
        exceptionCovers(x, facts.normalized, context.workload),
    );
    const live = covering.find((x) => x.exception.expiresAt > now);
    if (live !== undefined) {
      const { name, expires, reason, owner } = live.exception;
      return {
        ...e,
        result: "exempted",
        exception: name,
        expires,
        detail: `${e.detail}; exempted by exception ${name} (expires ${expires}; owner ${owner}; reason: ${reason})`,
      };
    }
    const expired = covering[0];
    if (expired === undefined) return e;
    return {
      ...e,
      detail: `${e.detail}; exception ${expired.exception.name} would exempt it but expired (${expired.exception.expires})`,
    };
  };
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
    return withExceptions({
      ...head,
      result: "fail",
      code: failure.code,
      detail: `${failure.verb} this policy: ${failure.reason}`,
    });
  });
  return {
    normalizedImage: facts.valid ? facts.normalized : "",
    workspaces: [...workspaces].sort(),
    policies,
  };
}

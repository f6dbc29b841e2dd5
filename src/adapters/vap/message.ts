/**
 * The validation's messages: `messageExpression` names the offending images, the policy and
 * what would have been allowed, in the engine's words (src/core/evaluate/recipes.ts and
 * describe.ts). Kubernetes drops a message over 5 KiB or with a line break and falls back to
 * the static `message`, so both the list of images and the policy's text are bounded, and
 * images are shortened and kept on one line (images.ts `display`).
 */
import { describeAllowed, describeRule, describeScope } from "../../core/evaluate/index.js";
import type { ImagePolicy, Recipe } from "../../core/policy/index.js";
import { celString } from "./cel.js";

/** Characters of the list of offending images kept in a message. */
export const MAX_LISTED = 1000;
/** Characters of the policy's rules kept in a message. */
export const MAX_RULES_TEXT = 600;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}...`;
}

/** What a failing valid image does, per recipe (the engine's verbs). */
const VERBS: Readonly<Partial<Record<Recipe, string>>> = {
  "require-digest": "has no digest",
  "block-latest-tag": "uses the tag latest",
  "allowed-name-tag": "is not allowed",
  custom: "is not allowed",
  "blocked-images": "is blocked",
  "minimum-version": "is no version or older than the minimum",
};

/** What to do about it, per recipe. */
function advice(policy: ImagePolicy): string {
  switch (policy.recipe) {
    case "require-digest":
      return "pin images to a digest, as NAME:TAG@sha256:<digest>";
    case "block-latest-tag":
      return "an image with neither tag nor digest counts as latest; use a version tag or a digest";
    case "allowed-name-tag":
    case "custom":
      return `allowed: ${clip(describeAllowed(policy.rules), MAX_RULES_TEXT)}`;
    case "blocked-images":
      return `blocked: ${clip(describeAllowed(policy.rules), MAX_RULES_TEXT)}; use an image that no rule blocks`;
    case "minimum-version":
      return `minimums: ${clip(policy.rules.map((r) => `${describeRule(r)} at least ${r.minVersion ?? ""}`).join("; "), MAX_RULES_TEXT)}; use a version tag at least the minimum`;
    default:
      // Supply-chain recipes never get here: canCompileToVap refuses them.
      return "";
  }
}

/** `policy "NAME" (SCOPE, action ACTION)`, as the engine names a policy. */
export function policyTitle(policy: ImagePolicy): string {
  return `policy "${policy.name}" (${describeScope(policy.scope)}, action ${policy.action})`;
}

/** The static message, used when the expression cannot give one. */
export function staticMessage(policy: ImagePolicy): string {
  return `customs ${policyTitle(policy)}: an image of this workload is not allowed; ${advice(policy)}`;
}

/** One failing entry in words: `image "X" is not allowed`. */
function describeEntry(policy: ImagePolicy): string {
  return (
    `(e.matches('^!') ? 'image "' + e.substring(2) + '" is not a valid image reference'` +
    ` : 'image "' + e.split('|')[6] + '" ' + ${celString(VERBS[policy.recipe] ?? "is not allowed")})`
  );
}

/** The variable that lists the failures in words; evaluated only for a message. */
export function failureTextExpression(policy: ImagePolicy): string {
  return `variables.failures.map(e, ${describeEntry(policy)}).join('; ')`;
}

/** `extensionAdvice`: CEL strings naming each extension's rules when it applies (extensions.ts). */
export function messageExpression(
  policy: ImagePolicy,
  extensionAdvice: readonly string[] = [],
): string {
  const text = "variables.failureText";
  const listed = `(size(${text}) > ${MAX_LISTED} ? ${text}.substring(0, ${MAX_LISTED}) + '...' : ${text})`;
  const widened = extensionAdvice.map((a) => ` + ${a}`).join("");
  return `${celString(`customs ${policyTitle(policy)}: `)} + ${listed} + ${celString(`; ${advice(policy)}`)}${widened}`;
}

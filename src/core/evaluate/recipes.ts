import type { ViolationCode } from "../errors.js";
import type { CompiledPolicy } from "../policy/index.js";
import type { ImageParts } from "../reference/index.js";
import { describeAllowed, describeRule } from "./describe.js";

/**
 * Why one policy fails one valid image. The message reads
 * `image "X" (normalized) <verb> policy "P" (scope, action): <reason>`.
 */
export interface RecipeFailure {
  readonly code: ViolationCode;
  readonly verb: string;
  readonly reason: string;
}

export type RecipeOutcome =
  | { readonly pass: true; readonly detail: string }
  | ({ readonly pass: false } & RecipeFailure);

/** The recipes of the spec's table, decided on the image's parts only (pure, no I/O). */
export function checkRecipe(compiled: CompiledPolicy, parts: ImageParts): RecipeOutcome {
  const { recipe } = compiled.policy;
  switch (recipe) {
    case "require-digest":
      return parts.digest !== ""
        ? { pass: true, detail: "the image has a digest" }
        : {
            pass: false,
            code: "DIGEST_REQUIRED",
            verb: "has no digest, which is required by",
            reason: "pin it to a digest, as NAME:TAG@sha256:<digest>",
          };
    case "block-latest-tag":
      return parts.tag !== "latest"
        ? { pass: true, detail: parts.tag === "" ? "the image has only a digest" : `the tag is ${parts.tag}` }
        : {
            pass: false,
            code: "LATEST_TAG_BLOCKED",
            verb: "uses the tag latest, which is blocked by",
            reason: "an image with neither tag nor digest counts as latest; use a version tag or a digest",
          };
    case "allowed-name-tag":
    case "custom": {
      for (const rule of compiled.rules) {
        if (rule.matches(parts)) {
          return { pass: true, detail: `rule ${rule.index + 1} matches (${describeRule(rule.rule)})` };
        }
      }
      return {
        pass: false,
        code: "IMAGE_NOT_ALLOWED",
        verb: "is not allowed by",
        reason: `no rule matches; allowed: ${describeAllowed(compiled.policy.rules)}`,
      };
    }
    case "blocked-images": {
      for (const rule of compiled.rules) {
        if (rule.matches(parts)) {
          return {
            pass: false,
            code: "IMAGE_BLOCKED",
            verb: "is blocked by",
            reason: `rule ${rule.index + 1} blocks ${describeRule(rule.rule)}; use an image that no rule blocks`,
          };
        }
      }
      return { pass: true, detail: "no rule blocks it" };
    }
  }
}

import type { ViolationCode } from "../errors.js";
import {
  type CompiledPolicy,
  type CompiledRule,
  compareVersions,
  formatVersion,
  parseVersion,
  ruleMatches,
} from "../policy/index.js";
import type { ImageParts } from "../reference/index.js";
import { describeAllowed, describeRule } from "./describe.js";
import { describeExtensionsAllowed, describeMatch } from "./widen.js";

/**
 * Why one policy fails one valid image. The message reads
 * `image "X" (normalized) <verb> policy "P" (scope, action): <reason>`.
 * Failures are shared values (made once per policy or rule), so the hot path allocates
 * nothing for them.
 */
export interface RecipeFailure {
  readonly code: ViolationCode;
  readonly verb: string;
  readonly reason: string;
}

const DIGEST_REQUIRED: RecipeFailure = {
  code: "DIGEST_REQUIRED",
  verb: "has no digest, which is required by",
  reason: "pin it to a digest, as NAME:TAG@sha256:<digest>",
};

const LATEST_TAG_BLOCKED: RecipeFailure = {
  code: "LATEST_TAG_BLOCKED",
  verb: "uses the tag latest, which is blocked by",
  reason: "an image with neither tag nor digest counts as latest; use a version tag or a digest",
};

const notAllowed = new WeakMap<CompiledPolicy, RecipeFailure>();
const blocked = new WeakMap<CompiledRule, RecipeFailure>();

/** A failure's text is the same on every evaluation: made once per policy or rule. */
function cached<K extends object>(
  cache: WeakMap<K, RecipeFailure>,
  key: K,
  make: () => RecipeFailure,
): RecipeFailure {
  let f = cache.get(key);
  if (f === undefined) {
    f = make();
    cache.set(key, f);
  }
  return f;
}

function notAllowedFailure(compiled: CompiledPolicy): RecipeFailure {
  return cached(notAllowed, compiled, () => ({
    code: "IMAGE_NOT_ALLOWED",
    verb: "is not allowed by",
    reason: `no rule matches; allowed: ${describeAllowed(compiled.policy.rules)}${describeExtensionsAllowed(compiled)}`,
  }));
}

function blockedFailure(rule: CompiledRule): RecipeFailure {
  return cached(blocked, rule, () => ({
    code: "IMAGE_BLOCKED",
    verb: "is blocked by",
    reason: `rule ${rule.index + 1} blocks ${describeRule(rule.rule)}; use an image that no rule blocks`,
  }));
}

function firstMatch(compiled: CompiledPolicy, parts: ImageParts): CompiledRule | undefined {
  for (const rule of compiled.rules) if (ruleMatches(rule, parts)) return rule;
  return undefined;
}

/**
 * minimum-version: every rule that matches the image (hostname, port, imageName) must be met;
 * a tag that is no version, or no tag at all, fails closed.
 */
function checkMinimumVersion(
  compiled: CompiledPolicy,
  parts: ImageParts,
): RecipeFailure | undefined {
  for (const rule of compiled.rules) {
    if (rule.minVersion === undefined || !ruleMatches(rule, parts)) continue;
    const min = rule.rule.minVersion ?? formatVersion(rule.minVersion);
    const version = parts.tag === "" ? undefined : parseVersion(parts.tag);
    if (version === undefined) {
      return {
        code: "IMAGE_VERSION_UNKNOWN",
        verb: "has no version to compare, which is required by",
        reason: `${parts.tag === "" ? "it has only a digest" : `tag ${parts.tag} is no version`}; rule ${rule.index + 1} (${describeRule(rule.rule)}) needs at least ${min}: use a version tag`,
      };
    }
    if (compareVersions(version, rule.minVersion) < 0) {
      return {
        code: "IMAGE_VERSION_TOO_OLD",
        verb: "is older than allowed by",
        reason: `version ${parts.tag} is lower than ${min} (rule ${rule.index + 1}, ${describeRule(rule.rule)}); upgrade to ${min} or later`,
      };
    }
  }
  return undefined;
}

/** The recipes of the spec's table, decided on the image's parts only: undefined is a pass. */
export function checkRecipe(
  compiled: CompiledPolicy,
  parts: ImageParts,
): RecipeFailure | undefined {
  switch (compiled.policy.recipe) {
    case "require-digest":
      return parts.digest === "" ? DIGEST_REQUIRED : undefined;
    case "block-latest-tag":
      return parts.tag === "latest" ? LATEST_TAG_BLOCKED : undefined;
    case "allowed-name-tag":
    case "custom":
      return firstMatch(compiled, parts) === undefined ? notAllowedFailure(compiled) : undefined;
    case "blocked-images": {
      const rule = firstMatch(compiled, parts);
      return rule === undefined ? undefined : blockedFailure(rule);
    }
    case "minimum-version":
      return checkMinimumVersion(compiled, parts);
    default:
      // Supply-chain recipes are decided on fetched facts (supply.ts), not the reference.
      return undefined;
  }
}

/** Why a policy passes an image, in words (for `customs policy explain`, not the hot path). */
export function explainPass(compiled: CompiledPolicy, parts: ImageParts): string {
  switch (compiled.policy.recipe) {
    case "require-digest":
      return "the image has a digest";
    case "block-latest-tag":
      return parts.tag === "" ? "the image has only a digest" : `the tag is ${parts.tag}`;
    case "allowed-name-tag":
    case "custom": {
      const rule = firstMatch(compiled, parts);
      return rule === undefined ? "" : describeMatch(compiled, rule);
    }
    case "blocked-images":
      return "no rule blocks it";
    case "minimum-version": {
      const rule = firstMatch(compiled, parts);
      return rule === undefined
        ? "no rule names this image"
        : `version ${parts.tag} is at least the minimum of every rule that names it`;
    }
    case "require-pull-policy":
    case "require-pull-secret":
      return "";
    default:
      return "decided on facts fetched from registries (customs check, or the webhook)";
  }
}

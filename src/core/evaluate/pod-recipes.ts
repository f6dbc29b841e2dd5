/**
 * Image recipes decided on the container and the pod besides the reference:
 * require-pull-policy (the container's `imagePullPolicy`) and require-pull-secret (the pod's
 * pull secrets). Not memoized per image like recipes.ts: two containers with one image may
 * differ here. Undefined is a pass.
 */
import {
  type CompiledPolicy,
  type CompiledRule,
  matchPattern,
  ruleMatches,
} from "../policy/index.js";
import type { ImageParts } from "../reference/index.js";
import { describeRule } from "./describe.js";
import { keyCovers } from "./pull-secret.js";
import type { RecipeFailure } from "./recipes.js";
import type { ContainerInput, WorkloadContext } from "./types.js";

const PULL_POLICY: RecipeFailure = {
  code: "PULL_POLICY_NOT_ALWAYS",
  verb: "may run from a stale local copy, which is refused by",
  reason:
    "a mutable tag is pulled only when the node lacks it; set imagePullPolicy: Always on this container, or pin the image to a digest",
};

/**
 * require-pull-policy. Kubernetes defaults an absent (or empty) imagePullPolicy to Always when
 * the tag is `latest` or there is neither tag nor digest, else to IfNotPresent
 * (k8s.io/kubernetes pkg/apis/core/v1/defaults.go SetDefaults_Container, with
 * pkg/util/parsers ParseImageName, v1.37.1); ImageParts.tag is `latest` in exactly those cases.
 */
export function checkPullPolicy(
  compiled: CompiledPolicy,
  parts: ImageParts,
  c: ContainerInput,
): RecipeFailure | undefined {
  if (parts.digest !== "") return undefined;
  const policy = c.imagePullPolicy ?? "";
  if (policy === "Always") return undefined;
  if (policy === "" && parts.tag === "latest") return undefined;
  for (const p of compiled.immutableTags ?? []) if (matchPattern(p, parts.tag)) return undefined;
  return policy === ""
    ? {
        ...PULL_POLICY,
        reason: `imagePullPolicy is not set, so Kubernetes defaults it to IfNotPresent for tag ${parts.tag}; ${PULL_POLICY.reason}`,
      }
    : { ...PULL_POLICY, reason: `imagePullPolicy is ${policy}; ${PULL_POLICY.reason}` };
}

function firstMatch(compiled: CompiledPolicy, parts: ImageParts): CompiledRule | undefined {
  for (const rule of compiled.rules) if (ruleMatches(rule, parts)) return rule;
  return undefined;
}

/** The names of the pod's pull secrets: its own and its ServiceAccount's, when known. */
export function pullSecretNames(workload: WorkloadContext | undefined): string[] {
  const own = workload?.imagePullSecrets ?? [];
  const fromAccount = workload?.pullSecrets?.serviceAccountSecrets ?? [];
  return [...new Set([...own, ...fromAccount])];
}

/**
 * require-pull-secret: an image from a listed registry needs a pull secret; where the Secret
 * is known it must hold credentials for that registry (pull-secret.ts); a secret named but
 * not known counts by its name.
 */
export function checkPullSecret(
  compiled: CompiledPolicy,
  parts: ImageParts,
  workload: WorkloadContext | undefined,
): RecipeFailure | undefined {
  const rule = firstMatch(compiled, parts);
  if (rule === undefined) return undefined;
  const names = pullSecretNames(workload);
  const registry = parts.port === "" ? parts.hostname : `${parts.hostname}:${parts.port}`;
  if (names.length === 0) {
    return {
      code: "PULL_SECRET_MISSING",
      verb: "names no pull secret, which is required by",
      reason: `images from ${describeRule(rule.rule)} (rule ${rule.index + 1}) need an imagePullSecret; add one with credentials for ${registry} to the pod spec or its ServiceAccount`,
    };
  }
  const known = workload?.pullSecrets?.secretKeys;
  for (const name of names) {
    const keys = known?.get(name);
    if (keys === undefined || keys.some((k) => keyCovers(k, parts))) return undefined;
  }
  return {
    code: "PULL_SECRET_NOT_FOR_REGISTRY",
    verb: "has no pull secret for its registry, which is required by",
    reason: `the pull secrets ${names.join(", ")} hold no credentials for ${registry}; add an imagePullSecret whose auths cover ${registry}`,
  };
}

/** Is this policy decided per container (pod-recipes.ts) rather than per image? */
export function isPodPolicy(compiled: CompiledPolicy): boolean {
  const r = compiled.policy.recipe;
  return r === "require-pull-policy" || r === "require-pull-secret";
}

export function checkPod(
  compiled: CompiledPolicy,
  parts: ImageParts,
  c: ContainerInput,
  workload: WorkloadContext | undefined,
): RecipeFailure | undefined {
  if (compiled.policy.recipe === "require-pull-policy") return checkPullPolicy(compiled, parts, c);
  if (compiled.policy.recipe === "require-pull-secret") {
    return checkPullSecret(compiled, parts, workload);
  }
  return undefined;
}

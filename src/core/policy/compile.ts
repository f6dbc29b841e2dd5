import type { ImageParts } from "../reference/index.js";
import { compilePattern, type Matcher } from "./pattern.js";
import type { ImagePolicy, PolicyRule, Workspace } from "./types.js";

/** A rule turned into one predicate over image parts. */
export interface CompiledRule {
  readonly rule: PolicyRule;
  readonly index: number;
  readonly matches: (parts: ImageParts) => boolean;
}

export interface CompiledPolicy {
  readonly policy: ImagePolicy;
  readonly rules: readonly CompiledRule[];
}

/**
 * A rule matches when every field it sets matches. In blocked-images, `imageName` also
 * matches the short Docker Hub name, so that `busybox` blocks docker.io/library/busybox.
 */
function compileRule(rule: PolicyRule, index: number, shortNames: boolean): CompiledRule {
  const tests: Array<(p: ImageParts) => boolean> = [];
  if (rule.hostname !== undefined) {
    const m = compilePattern(rule.hostname, true);
    tests.push((p) => m(p.hostname));
  }
  if (rule.port !== undefined) {
    const m = compilePattern(rule.port);
    tests.push((p) => m(p.port));
  }
  if (rule.imageName !== undefined) {
    const m: Matcher = compilePattern(rule.imageName);
    tests.push(
      shortNames
        ? (p) => m(p.imageName) || (p.shortName !== undefined && m(p.shortName))
        : (p) => m(p.imageName),
    );
  }
  if (rule.tag !== undefined && rule.tag.value !== "") {
    const m = compilePattern(rule.tag.value);
    // A digest-only image has no tag, so it never matches a tag value; `negate` inverts that
    // test, so a digest-only image does match `{value: latest, negate: true}`.
    const tagTest = (p: ImageParts) => p.tag !== "" && m(p.tag);
    tests.push(rule.tag.negate ? (p) => !tagTest(p) : tagTest);
  }
  if (rule.requireDigest === true) tests.push((p) => p.digest !== "");
  const matches = (p: ImageParts) => {
    for (const t of tests) if (!t(p)) return false;
    return true;
  };
  return { rule, index, matches };
}

export function compilePolicy(policy: ImagePolicy): CompiledPolicy {
  const shortNames = policy.recipe === "blocked-images";
  return { policy, rules: policy.rules.map((r, i) => compileRule(r, i, shortNames)) };
}

/** Validated policies and workspaces, compiled once for many evaluations. */
export interface CompiledPolicySet {
  readonly policies: readonly CompiledPolicy[];
  readonly workspaces: readonly Workspace[];
}

export function compilePolicySet(
  policies: readonly ImagePolicy[],
  workspaces: readonly Workspace[],
): CompiledPolicySet {
  return { policies: policies.map(compilePolicy), workspaces };
}

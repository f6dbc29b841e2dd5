import type { ImageParts } from "../reference/index.js";
import { compileExempt } from "./exempt.js";
import { compilePattern, matchPattern, type Pattern } from "./pattern.js";
import type { RegexEngine } from "./regex.js";
import { type CompiledSupply, compileSupply } from "./supply-compile.js";
import type { ImagePolicy, PolicyRule, Workspace } from "./types.js";
import { parseVersion, type Version } from "./version.js";

/** A rule as data; `ruleMatches` decides it (one monomorphic function for every rule). */
export interface CompiledRule {
  readonly rule: PolicyRule;
  readonly index: number;
  readonly hostname: Pattern | undefined;
  readonly port: Pattern | undefined;
  readonly imageName: Pattern | undefined;
  /** In blocked-images, `imageName` also matches the short Docker Hub name (`busybox`). */
  readonly shortNames: boolean;
  /** The tag patterns (any one matching is a match); undefined when the rule tests no tag. */
  readonly tag: readonly Pattern[] | undefined;
  readonly negateTag: boolean;
  readonly requireDigest: boolean;
  /** minimum-version: the lowest version (not part of matching: it is what a match needs). */
  readonly minVersion?: Version;
}

export interface CompiledPolicy {
  readonly policy: ImagePolicy;
  readonly rules: readonly CompiledRule[];
  /** Supply-chain recipes: the input with its patterns compiled. */
  readonly supply?: CompiledSupply;
  /** `exemptImages`, compiled (empty when unset): matched by exempt.ts `exemptIndex`. */
  readonly exempt: readonly Pattern[];
  /** require-pull-policy's `immutableTags`, compiled (empty when unset). */
  readonly immutableTags?: readonly Pattern[];
}

const optional = (p: string | undefined, lowercase = false) =>
  p === undefined || p === "" ? undefined : compilePattern(p, lowercase);

function compileRule(rule: PolicyRule, index: number, shortNames: boolean): CompiledRule {
  return {
    rule,
    index,
    hostname: optional(rule.hostname, true),
    port: optional(rule.port),
    imageName: optional(rule.imageName),
    shortNames,
    tag: tagPatterns(rule.tag?.values),
    negateTag: rule.tag?.negate === true,
    requireDigest: rule.requireDigest === true,
    ...(rule.minVersion === undefined ? {} : { minVersion: parseVersion(rule.minVersion) }),
  };
}

function tagPatterns(values: readonly string[] | undefined): readonly Pattern[] | undefined {
  const set = (values ?? []).filter((v) => v !== "");
  return set.length === 0 ? undefined : set.map((v) => compilePattern(v));
}

function anyMatches(patterns: readonly Pattern[], value: string): boolean {
  for (const p of patterns) if (matchPattern(p, value)) return true;
  return false;
}

/** A rule matches when every field it sets matches (spec: Recipes). */
export function ruleMatches(r: CompiledRule, p: ImageParts): boolean {
  if (r.hostname !== undefined && !matchPattern(r.hostname, p.hostname)) return false;
  if (r.port !== undefined && !matchPattern(r.port, p.port)) return false;
  if (r.imageName !== undefined && !matchPattern(r.imageName, p.imageName)) {
    if (!r.shortNames || p.shortName === undefined || !matchPattern(r.imageName, p.shortName))
      return false;
  }
  if (r.tag !== undefined) {
    // A digest-only image has no tag, so it never matches a tag value; `negate` inverts that
    // test, so a digest-only image does match `{value: latest, negate: true}`.
    // Several tags: the test matches when any of them does (negated: when none does).
    const tagMatches = p.tag !== "" && anyMatches(r.tag, p.tag);
    if (tagMatches === r.negateTag) return false;
  }
  if (r.requireDigest && p.digest === "") return false;
  return true;
}

export function compilePolicy(policy: ImagePolicy, regex?: RegexEngine): CompiledPolicy {
  const shortNames = policy.recipe === "blocked-images";
  // approved-base-images keeps its rules in its input; they match base images, not the image.
  const rules =
    policy.supply?.recipe === "approved-base-images" ? policy.supply.rules : policy.rules;
  const compiled = rules.map((r, i) => compileRule(r, i, shortNames));
  const exempt = compileExempt(policy.exemptImages);
  if (policy.immutableTags !== undefined) {
    const immutableTags = policy.immutableTags.map((t) => compilePattern(t));
    return { policy, rules: compiled, exempt, immutableTags };
  }
  if (policy.supply === undefined) return { policy, rules: compiled, exempt };
  return { policy, rules: compiled, exempt, supply: compileSupply(policy.supply, regex) };
}

/** Validated policies and workspaces, compiled once for many evaluations. */
export interface CompiledPolicySet {
  readonly policies: readonly CompiledPolicy[];
  readonly workspaces: readonly Workspace[];
}

export function compilePolicySet(
  policies: readonly ImagePolicy[],
  workspaces: readonly Workspace[],
  regex?: RegexEngine,
): CompiledPolicySet {
  return { policies: policies.map((p) => compilePolicy(p, regex)), workspaces };
}

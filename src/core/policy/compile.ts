import type { ImageParts } from "../reference/index.js";
import { type CompiledException, compileException } from "./exception-compile.js";
import type { ImagePolicyException } from "./exception-types.js";
import { compileExempt } from "./exempt.js";
import { checkExtensions, extensionsByParent } from "./extensions.js";
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
  /**
   * An allowlist widened for one namespace: its rules are its own followed by those of these
   * extensions (the same CompiledRule objects, so each keeps its index in its own policy).
   */
  readonly extensions?: readonly CompiledPolicy[];
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
  /** Every policy but the extensions, which are never evaluated on their own. */
  readonly policies: readonly CompiledPolicy[];
  readonly workspaces: readonly Workspace[];
  /** Extensions (`spec.extends`) by parent name; absent when the set has none. */
  readonly extensions?: ReadonlyMap<string, readonly CompiledPolicy[]>;
  /** ImagePolicyExceptions, in load order; absent or empty = none (no extra work). */
  readonly exceptions?: readonly CompiledException[];
}

export function compilePolicySet(
  policies: readonly ImagePolicy[],
  workspaces: readonly Workspace[],
  regex?: RegexEngine,
  exceptions: readonly ImagePolicyException[] = [],
): CompiledPolicySet {
  // Extensions that fail the set's checks are left out (which only narrows what is
  // allowed); callers report them first, with checkExtensions.
  const checked = checkExtensions(policies).policies;
  const own = checked.filter((p) => p.extension === undefined);
  const set = {
    policies: own.map((p) => compilePolicy(p, regex)),
    workspaces,
    ...(exceptions.length === 0 ? {} : { exceptions: exceptions.map(compileException) }),
  };
  const byParent = extensionsByParent(checked);
  if (byParent.size === 0) return set;
  const extensions = new Map<string, readonly CompiledPolicy[]>();
  for (const [parent, list] of byParent) {
    extensions.set(
      parent,
      list.map((p) => compilePolicy(p, regex)),
    );
  }
  return { ...set, extensions };
}

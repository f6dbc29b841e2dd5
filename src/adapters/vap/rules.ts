/**
 * The recipes of the spec as CEL predicates over one entry of `variables.entries` (see
 * images.ts for its fields). Each rule becomes one RE2 expression anchored at the start of
 * the entry, one slot per field; the semantics are those of src/core/policy/compile.ts
 * `ruleMatches` and pattern.ts.
 *
 * Patterns are user input, and here they do become regular expressions: every character but
 * `*` is escaped, `*` becomes `[^|]*` (any run inside the field: a field holds no "|"). That
 * is safe because RE2, which Kubernetes' CEL runs, matches in linear time; what a long
 * pattern costs is counted against the CEL cost budget (docs/vap.md).
 */
import type { ImagePolicy, PolicyRule, Recipe } from "../../core/policy/index.js";
import { celString, re2Literal } from "./cel.js";

const ANY = "[^|]*";
const SEP = "\\|";

/** A wildcard pattern as RE2: `*` is any run of characters, the rest literal. */
export function patternRegex(pattern: string): string {
  return pattern.split("*").map(re2Literal).join(ANY);
}

/** The slot of one field: its pattern, or anything when the rule leaves the field out. */
function slot(pattern: string | undefined, lowercase = false): string {
  if (pattern === undefined || pattern === "") return ANY;
  return patternRegex(lowercase ? pattern.toLowerCase() : pattern);
}

/** The regexes that decide one rule: `base` must match; `tagNot`, when set, must not. */
export interface RuleRegexes {
  readonly base: string;
  readonly tagNot: string | undefined;
}

export function ruleRegexes(rule: PolicyRule, shortNames: boolean): RuleRegexes {
  const host = slot(rule.hostname, true);
  const port = slot(rule.port);
  const name = slot(rule.imageName);
  // imageName also matches the short Docker Hub name in blocked-images. An image without a
  // short name has "" there, which only an all-`*` pattern matches, and that pattern
  // matches the image name as well, so the empty slot changes nothing.
  const names =
    shortNames && name !== ANY ? `(?:${name}${SEP}${ANY}|${ANY}${SEP}${name})` : `${name}${SEP}${ANY}`;
  const tagValue = rule.tag !== undefined && rule.tag.value !== "" ? rule.tag.value : undefined;
  const negate = tagValue !== undefined && rule.tag?.negate === true;
  // "t" + tag: a digest-only image has an empty tag field, which no tag pattern matches.
  const tag = tagValue !== undefined && !negate ? `t${patternRegex(tagValue)}` : ANY;
  const digest = rule.requireDigest === true ? "[^|]+" : ANY;
  const base = `^${[host, port, names, tag, digest].join(SEP)}${SEP}`;
  const tagNot =
    negate && tagValue !== undefined
      ? `^(?:${ANY}${SEP}){4}t${patternRegex(tagValue)}${SEP}`
      : undefined;
  return { base, tagNot };
}

function ruleMatches(entry: string, rule: PolicyRule, shortNames: boolean): string {
  const { base, tagNot } = ruleRegexes(rule, shortNames);
  const matchesBase = `${entry}.matches(${celString(base)})`;
  return tagNot === undefined
    ? matchesBase
    : `(${matchesBase} && !${entry}.matches(${celString(tagNot)}))`;
}

function anyRuleMatches(entry: string, policy: ImagePolicy): string {
  const shortNames = policy.recipe === "blocked-images";
  if (policy.rules.length === 0) return "false";
  return `(${policy.rules.map((r) => ruleMatches(entry, r, shortNames)).join(" || ")})`;
}

/** Does a valid entry pass the policy's recipe? (src/core/evaluate/recipes.ts checkRecipe) */
export function recipePasses(entry: string, policy: ImagePolicy): string {
  const recipe: Recipe = policy.recipe;
  switch (recipe) {
    case "require-digest":
      return `${entry}.matches(${celString(`^(?:${ANY}${SEP}){5}[^|]`)})`;
    case "block-latest-tag":
      return `!${entry}.matches(${celString(`^(?:${ANY}${SEP}){4}tlatest${SEP}`)})`;
    case "allowed-name-tag":
    case "custom":
      return anyRuleMatches(entry, policy);
    case "blocked-images":
      return `!${anyRuleMatches(entry, policy)}`;
  }
}

/** Every regex a policy's rules compile to, for size checks. */
export function policyRegexes(policy: ImagePolicy): string[] {
  const shortNames = policy.recipe === "blocked-images";
  return policy.rules.flatMap((r) => {
    const { base, tagNot } = ruleRegexes(r, shortNames);
    return tagNot === undefined ? [base] : [base, tagNot];
  });
}

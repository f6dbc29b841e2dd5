/**
 * The recipes of the spec as CEL predicates over the fields `f` of one valid entry of
 * `variables.entries` (images.ts): f[0] hostname, f[1] port, f[2] imageName, f[3] short name,
 * f[4] "t" + tag (or "" for a digest-only image), f[5] digest. The semantics are those of
 * src/core/policy/compile.ts `ruleMatches` and pattern.ts.
 *
 * Each field is tested on its own, hostname first, and a rule stops at its first field that
 * fails (`&&`): Kubernetes charges a regex match in proportion to the length of the string
 * times the length of the regex, so short fields and early exits keep a policy with many
 * rules within the CEL cost budget. A pattern without `*` is a string comparison.
 *
 * Patterns are user input, and a pattern with `*` does become a regular expression: every
 * other character is escaped, `*` becomes `.*` (any run: a field holds no line break), and the
 * expression is anchored at both ends. That is safe because RE2, which Kubernetes' CEL runs,
 * matches in linear time; what a long pattern costs is counted against the budget.
 */
import type { ImagePolicy, PolicyRule } from "../../core/policy/index.js";
import { celString, re2Literal } from "./cel.js";
import { minimumOf, versionAtLeast } from "./version.js";

/** A wildcard pattern as an anchored RE2 expression: `*` is any run, the rest literal. */
export function patternRegex(pattern: string): string {
  return `^${pattern.split("*").map(re2Literal).join(".*")}$`;
}

/** One test of a rule: its CEL, and the regex it runs (for the cost check), if any. */
interface FieldTest {
  readonly cel: string;
  readonly regex?: string;
}

/** `field` matches `prefix + pattern` as a whole; undefined when anything matches. */
function fieldTest(field: string, pattern: string, prefix = ""): FieldTest | undefined {
  if (!pattern.includes("*")) return { cel: `${field} == ${celString(prefix + pattern)}` };
  if (prefix === "" && pattern.replaceAll("*", "") === "") return undefined;
  const regex = patternRegex(prefix + pattern);
  return { cel: `${field}.matches(${celString(regex)})`, regex };
}

const set = (p: string | undefined): p is string => p !== undefined && p !== "";

/** The tests of one rule, in order; a rule with none matches every valid image. */
function ruleTests(rule: PolicyRule, shortNames: boolean): FieldTest[] {
  const tests: (FieldTest | undefined)[] = [];
  if (set(rule.hostname)) tests.push(fieldTest("f[0]", rule.hostname.toLowerCase()));
  if (set(rule.port)) tests.push(fieldTest("f[1]", rule.port));
  if (set(rule.imageName)) {
    const name = fieldTest("f[2]", rule.imageName);
    // In blocked-images imageName also matches the short Docker Hub name (f[3], "" when the
    // image has none: only an all-`*` pattern matches "", and it matches every name anyway).
    const short = fieldTest("f[3]", rule.imageName);
    if (shortNames && name !== undefined && short !== undefined) {
      tests.push({
        cel: `(${name.cel} || ${short.cel})`,
        regex: (name.regex ?? "") + (short.regex ?? ""),
      });
    } else {
      tests.push(name);
    }
  }
  const tags = rule.tag?.values.filter(set) ?? [];
  if (tags.length > 0) {
    // "t" + tag: a digest-only image has "" here, which no tag pattern matches, not even `*`;
    // several tags are ORed (any one matching); `negate` inverts the whole test, so such an
    // image passes a negated tag.
    const each = tags.map((t) => fieldTest("f[4]", t, "t") ?? { cel: "true" });
    const test: FieldTest = {
      cel:
        each.length === 1 ? (each[0]?.cel ?? "true") : `(${each.map((t) => t.cel).join(" || ")})`,
      regex: each.map((t) => t.regex ?? "").join(""),
    };
    tests.push(rule.tag?.negate ? { ...test, cel: `!(${test.cel})` } : test);
  }
  if (rule.requireDigest === true) tests.push({ cel: "f[5] != ''" });
  return tests.filter((t): t is FieldTest => t !== undefined);
}

function ruleMatches(rule: PolicyRule, shortNames: boolean): string {
  const tests = ruleTests(rule, shortNames).map((t) => t.cel);
  return tests.length === 0 ? "true" : `(${tests.join(" && ")})`;
}

function anyRuleMatches(policy: ImagePolicy): string {
  const shortNames = policy.recipe === "blocked-images";
  if (policy.rules.length === 0) return "false";
  return `(${policy.rules.map((r) => ruleMatches(r, shortNames)).join(" || ")})`;
}

/**
 * Does a valid entry, split into fields `f`, pass the recipe? (recipes.ts checkRecipe)
 * `extensions`: an allowlist's extensions, each with the CEL guard that says whether it
 * applies to the request's namespace; their rules are alternatives to the policy's own.
 */
export function recipePasses(
  policy: ImagePolicy,
  extensions: readonly { guard: string; policy: ImagePolicy }[] = [],
): string {
  switch (policy.recipe) {
    case "require-digest":
      return "f[5] != ''";
    case "block-latest-tag":
      return "f[4] != 'tlatest'";
    case "allowed-name-tag":
    case "custom":
      if (extensions.length === 0) return anyRuleMatches(policy);
      return `(${[anyRuleMatches(policy), ...extensions.map((e) => `(${e.guard} && ${anyRuleMatches(e.policy)})`)].join(" || ")})`;
    case "blocked-images":
      return `!${anyRuleMatches(policy)}`;
    case "require-pull-policy":
      // Decided per container (pull-policy.ts); here only invalid images fail.
      return "true";
    case "minimum-version": {
      // Every rule that matches the image must be met (recipes.ts checkMinimumVersion).
      const each = policy.rules.map((r) => {
        const min = minimumOf(r.minVersion);
        return min === undefined
          ? "false"
          : `(!${ruleMatches(r, false)} || ${versionAtLeast(min)})`;
      });
      return each.length === 0 ? "true" : `(${each.join(" && ")})`;
    }
    default:
      // Supply-chain recipes never get here (canCompileToVap); fail closed if one did.
      return "false";
  }
}

/** The regexes a policy's rules compile to, for the cost check of canCompileToVap. */
export function policyRegexes(policy: ImagePolicy): string[] {
  const shortNames = policy.recipe === "blocked-images";
  return policy.rules.flatMap((rule) =>
    ruleTests(rule, shortNames).flatMap((t) => (t.regex === undefined ? [] : [t.regex])),
  );
}

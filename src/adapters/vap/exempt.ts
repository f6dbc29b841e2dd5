/**
 * `exemptImages` in CEL: an entry whose normalized image matches one of the patterns passes
 * the policy, as src/core/policy/exempt.ts decides. The image is spelt from the entry's
 * fields `f` (images.ts) exactly as `exemptKey` spells it from the matching parts:
 * `host[:port]/name[:tag][@digest]`, tag `latest` implied (already in f[4]). Invalid entries
 * never get here (build.ts tests them first), so an invalid image is never exempt.
 */
import type { ImagePolicy } from "../../core/policy/index.js";
import { celString } from "./cel.js";
import { patternRegex } from "./rules.js";

const KEY =
  "f[0] + (f[1] != '' ? ':' + f[1] : '') + '/' + f[2]" +
  " + (f[4] != '' ? ':' + f[4].substring(1) : '') + (f[5] != '' ? '@' + f[5] : '')";

/** CEL over the fields `f` of a valid entry: is it exempt? `false` when nothing is. */
export function exemptCel(policy: ImagePolicy): string {
  const patterns = policy.exemptImages ?? [];
  if (patterns.length === 0) return "false";
  const tests = patterns.map((p) =>
    p.includes("*") ? `k.matches(${celString(patternRegex(p))})` : `k == ${celString(p)}`,
  );
  // The key is spelt once per entry and bound to `k` for every pattern.
  return `[${KEY}].all(k, ${tests.join(" || ")})`;
}

/** The regexes exemptImages compile to, for the cost check of canCompileToVap. */
export function exemptRegexes(policy: ImagePolicy): string[] {
  return (policy.exemptImages ?? []).filter((p) => p.includes("*")).map(patternRegex);
}

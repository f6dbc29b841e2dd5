/**
 * Kyverno's tests on an image string (wildcard patterns, `deny` conditions on
 * `element.image`, CEL) as a Customs image check. Each returns the check and the notes on
 * parts left out (always in the stricter direction), or why it cannot be translated.
 */

import type { ImageCheck } from "./build.js";
import { type CelImageTest, oneLine } from "./cel.js";
import { globRules, type ListMode, prefixRules } from "./image.js";
import { type ImportedRule, ok, refuse, type Translated } from "./types.js";

export interface CheckWithNotes {
  readonly check: ImageCheck;
  readonly notes: readonly string[];
}

/**
 * The rules of a list of alternatives. In an allowlist an alternative that cannot be said is
 * left out (fewer images admitted) and noted; in a blocklist it cannot be (it would block
 * less), so the whole test is refused.
 */
function listCheck(
  alternatives: readonly string[],
  mode: ListMode,
  toRules: (alt: string) => Translated<ImportedRule[]>,
): Translated<CheckWithNotes> {
  const rules: ImportedRule[] = [];
  const notes: string[] = [];
  for (const alt of alternatives) {
    const r = toRules(alt);
    if (r.ok) rules.push(...r.value);
    else if (mode === "block") return r;
    else notes.push(`${r.reason}; left out of the allowlist (stricter)`);
  }
  if (rules.length === 0) return refuse(notes.join("; "));
  return ok({ check: { recipe: mode === "allow" ? "custom" : "blocked-images", rules }, notes });
}

/** A Kyverno pattern the image must match (`validate.pattern`, `foreach[].pattern`). */
export function checkFromPattern(pattern: string): Translated<CheckWithNotes> {
  const p = pattern.trim();
  // The library's tag and digest shapes. `*:*` ("a tag is required") becomes
  // block-latest-tag: Customs reads a missing tag as `latest`, so an explicit `:latest` is
  // refused too (stricter); a registry port (`host:5000/app`) no longer counts as a tag.
  if (p === "*:*" || p === "!*:latest")
    return ok({ check: { recipe: "block-latest-tag" }, notes: [] });
  if (p === "*@*") return ok({ check: { recipe: "require-digest" }, notes: [] });
  const alternatives = p.split("|").map((a) => a.trim());
  const negated = alternatives.filter((a) => a.startsWith("!"));
  if (negated.length > 0) {
    // `!X` passes an image that does not match X: a blocklist. Mixed with positive
    // alternatives (`a | !b`) it is an OR Customs does not have.
    if (negated.length !== alternatives.length || alternatives.length > 1) {
      return refuse(`pattern "${p}": a negation among alternatives is not translated`);
    }
    return listCheck([p.slice(1)], "block", (a) => globRules(a, "block"));
  }
  return listCheck(alternatives, "allow", (a) => globRules(a, "allow"));
}

const ELEMENT_IMAGE = "{{element.image}}";

interface Condition {
  readonly key: unknown;
  readonly operator: unknown;
  readonly value: unknown;
}

/**
 * `deny.conditions` on `{{ element.image }}` in a foreach: the rule fails when they hold.
 * `all` of NotEquals/NotIn is an allowlist; `any` of Equals/In, or a single one, a blocklist.
 */
export function checkFromDeny(conditions: unknown): Translated<CheckWithNotes> {
  if (typeof conditions !== "object" || conditions === null) {
    return refuse("deny.conditions is not an object");
  }
  const c = conditions as Record<string, unknown>;
  const any = Array.isArray(c.any) ? (c.any as Condition[]) : [];
  const all = Array.isArray(c.all)
    ? (c.all as Condition[])
    : Array.isArray(conditions)
      ? (conditions as Condition[])
      : [];
  if (any.length > 0 && all.length > 0)
    return refuse("deny.conditions with both any and all is not translated");
  const list = any.length > 0 ? any : all;
  if (list.length === 0) return refuse("deny.conditions is empty");
  const allow: string[] = [];
  const block: string[] = [];
  for (const cond of list) {
    const key = typeof cond.key === "string" ? cond.key.split(" ").join("") : "";
    if (key !== ELEMENT_IMAGE) {
      return refuse(
        `deny condition on ${JSON.stringify(cond.key)}: only {{ element.image }} is translated`,
      );
    }
    const values = Array.isArray(cond.value) ? cond.value : [cond.value];
    if (!values.every((v) => typeof v === "string" && !v.includes("{{"))) {
      return refuse(
        `deny condition value ${JSON.stringify(cond.value)}: only literal patterns are translated (not context variables)`,
      );
    }
    const op = String(cond.operator);
    if (["Equals", "In", "AnyIn"].includes(op)) block.push(...(values as string[]));
    else if (["NotEquals", "NotIn", "AnyNotIn", "AllNotIn"].includes(op))
      allow.push(...(values as string[]));
    else return refuse(`deny condition operator ${op} is not translated`);
  }
  if (block.length > 0 && allow.length === 0 && (any.length > 0 || list.length === 1)) {
    return listCheck(block, "block", (a) => globRules(a, "block"));
  }
  if (allow.length > 0 && block.length === 0 && (all.length > 0 || list.length === 1)) {
    return listCheck(allow, "allow", (a) => globRules(a, "allow"));
  }
  return refuse("deny.conditions mixing allowed and refused images is not translated");
}

/** One recognized CEL test (cel.ts) as a check; `expression` is quoted in refusals. */
export function checkFromCel(test: CelImageTest, expression: string): Translated<CheckWithNotes> {
  const unrecognized = refuse(`CEL expression not recognized: ${oneLine(expression)}`);
  const [first] = test.terms;
  if (test.terms.length === 1 && first !== undefined) {
    if (!first.negated && first.method === "contains" && first.literal === ":") {
      return ok({ check: { recipe: "block-latest-tag" }, notes: [] });
    }
    if (first.negated && first.method === "endsWith" && first.literal === ":latest") {
      return ok({ check: { recipe: "block-latest-tag" }, notes: [] });
    }
    if (!first.negated && first.method === "contains" && first.literal === "@") {
      return ok({ check: { recipe: "require-digest" }, notes: [] });
    }
  }
  if (test.terms.every((t) => t.method === "startsWith" && !t.negated)) {
    if (test.join !== "||" && test.terms.length > 1) return unrecognized;
    return listCheck(
      test.terms.map((t) => t.literal),
      "allow",
      (a) => prefixRules(a, "allow"),
    );
  }
  if (test.terms.every((t) => t.method === "startsWith" && t.negated)) {
    if (test.join !== "&&" && test.terms.length > 1) return unrecognized;
    return listCheck(
      test.terms.map((t) => t.literal),
      "block",
      (a) => prefixRules(a, "block"),
    );
  }
  return unrecognized;
}

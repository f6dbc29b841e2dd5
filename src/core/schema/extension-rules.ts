/**
 * The CEL rules of `spec.extensible` and `spec.extends` (docs/policy-language.md, "Widening an
 * allowlist"): what one document can say. What needs the parent is checked when the set is
 * (core/policy/extensions.ts), in the webhook's status and the control plane's writes.
 */
import { EXTENSIBLE_RECIPES } from "../policy/index.js";
import { type CelRule, celList } from "./model.js";

/**
 * The recipe the other rules see: an extension may leave it out (its parent's applies), and
 * its rules are then read as the widest allowlist's, `custom`, as the validator does.
 */
export const SPEC_RECIPE = "(has(self.recipe) ? self.recipe : 'custom')";

/** Rewrites a rule about `self.recipe` to see an extension's implied recipe. */
export function withImpliedRecipe(rule: CelRule): CelRule {
  return { ...rule, rule: rule.rule.replaceAll("self.recipe", SPEC_RECIPE) };
}

const allowlists = celList(EXTENSIBLE_RECIPES);
const own = (field: string, what: string): CelRule => ({
  rule: `!has(self.extends) || !has(self.${field})`,
  message: `an extension has no ${what} of its own (its parent's applies)`,
  fieldPath: `.${field}`,
});

export const EXTENSION_RULES: readonly CelRule[] = [
  {
    rule: "has(self.recipe) || has(self.extends)",
    message: "`recipe` is required (only an extension may leave it out)",
    fieldPath: ".recipe",
  },
  {
    rule: `!has(self.extensible) || !self.extensible || (has(self.recipe) && self.recipe in ${allowlists})`,
    message: `only an allowlist (recipe ${EXTENSIBLE_RECIPES.join(" or ")}) can be extended`,
    fieldPath: ".extensible",
  },
  own("extensible", "`extensible`"),
  own("action", "action"),
  own("pinDigests", "`pinDigests`"),
  {
    rule: "!has(self.extends) || !(has(self.input) && has(self.input.audit))",
    message: "an extension has no `audit` of its own (its parent's action applies)",
    fieldPath: ".input.audit",
  },
  {
    rule: `!has(self.extends) || !has(self.recipe) || self.recipe in ${allowlists}`,
    message: `only an allowlist (recipe ${EXTENSIBLE_RECIPES.join(" or ")}) can be extended`,
    fieldPath: ".recipe",
  },
  {
    rule: "!has(self.extends) || has(self.workspace) || has(self.namespace)",
    message: "an extension needs a narrower scope than its parent: set `workspace` or `namespace`",
    fieldPath: ".extends",
  },
];

/**
 * `spec.extensible` and `spec.extends` of one document (docs/policy-language.md, "Widening an
 * allowlist"). What needs the parent (does it exist, is it extensible, do the recipes agree,
 * is the extension's scope narrower) is checked when the set is: extensions.ts.
 */
import type { IssueCollector } from "./fields.js";
import { isDnsSubdomain } from "./selector.js";
import {
  EXTENSIBLE_RECIPES,
  type PolicyExtension,
  type PolicyScope,
  type Recipe,
} from "./types.js";

const present = (v: unknown) => v !== undefined && v !== null;

/** Is the document an extension (`spec.extends` set)? Its recipe may then be left out. */
export function isExtensionSpec(spec: Record<string, unknown>): boolean {
  return present(spec.extends);
}

/**
 * Reads `spec.extensible` and `spec.extends`. An extension has no action, audit, pinDigests or
 * extensible of its own: the parent's action applies to the widened allowlist, and anything
 * else would let a narrower scope change what the wider one decides beyond adding rules.
 */
export function readExtensionFields(
  issues: IssueCollector,
  spec: Record<string, unknown>,
  input: Record<string, unknown> | undefined,
  scope: PolicyScope | undefined,
  recipe: Recipe | undefined,
): { extensible?: boolean; extension?: PolicyExtension } {
  const extensible = issues.readBoolean("spec.extensible", spec.extensible);
  const parent = issues.readString("spec.extends", spec.extends, { nonEmpty: true });
  if (extensible === true && recipe !== undefined && !EXTENSIBLE_RECIPES.includes(recipe)) {
    issues.error(
      "spec.extensible",
      `only an allowlist (recipe ${EXTENSIBLE_RECIPES.join(" or ")}) can be extended; recipe ${recipe} never is`,
    );
  }
  if (parent === undefined) return extensible === undefined ? {} : { extensible };
  if (!isDnsSubdomain(parent)) {
    issues.error("spec.extends", `"${parent}" is not a policy name (RFC 1123 subdomain)`);
  }
  const own = (path: string, what: string) =>
    issues.error(path, `an extension has no ${what} of its own (${parent}'s applies): remove it`);
  if (present(spec.extensible)) own("spec.extensible", "`extensible`");
  if (present(spec.action)) own("spec.action", "action");
  if (present(spec.pinDigests)) own("spec.pinDigests", "`pinDigests`");
  if (input !== undefined && present(input.audit)) own("spec.input.audit", "`audit`");
  if (recipe !== undefined && !EXTENSIBLE_RECIPES.includes(recipe)) {
    issues.error(
      "spec.recipe",
      `only an allowlist (recipe ${EXTENSIBLE_RECIPES.join(" or ")}) can be extended; leave the recipe out to take ${parent}'s`,
    );
  }
  if (scope?.kind === "organization") {
    issues.error(
      "spec.extends",
      "an extension needs a narrower scope than its parent: set `workspace` or `namespace`",
    );
  }
  return { extension: { parent, recipeInherited: !present(spec.recipe) } };
}

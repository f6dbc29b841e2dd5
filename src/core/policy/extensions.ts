/**
 * Widening an allowlist by scope (docs/policy-language.md, "Widening an allowlist"): the
 * checks across documents that an extension needs (its parent exists, is extensible, has its
 * recipe and a wider scope), and the split of a set into policies and extensions.
 */
import {
  type DocumentOrigin,
  EXTENSIBLE_RECIPES,
  type ImagePolicy,
  type PolicyScope,
  RECIPE_RULE_FIELDS,
  type RuleField,
} from "./types.js";

/** A problem of one extension within its set, with the field path in its document. */
export interface ExtensionIssue {
  readonly policy: string;
  readonly origin: DocumentOrigin | undefined;
  readonly path: string;
  readonly message: string;
}

const RULE_FIELDS: readonly RuleField[] = ["hostname", "port", "imageName", "tag", "requireDigest"];

function scopeWord(scope: PolicyScope): string {
  return scope.kind === "organization" ? "the organization" : `a ${scope.kind}`;
}

/** Why an extension's scope is not narrower than its parent's, or undefined when it is. */
function scopeProblem(
  parent: ImagePolicy,
  ext: ImagePolicy,
): { path: string; message: string } | undefined {
  const p = parent.scope.kind;
  const e = ext.scope.kind;
  if (p === "organization" && e !== "organization") return undefined;
  if (p === "workspace" && e === "namespace") return undefined;
  if (p === "namespace") {
    return {
      path: "spec.extends",
      message: `${parent.name} is scoped to one namespace: no scope is narrower, so nothing can extend it`,
    };
  }
  return {
    path: e === "workspace" ? "spec.workspace" : "spec.extends",
    message: `an extension's scope must be narrower than its parent's: ${parent.name} applies to ${scopeWord(parent.scope)}, so its extensions are scoped to ${p === "organization" ? "a workspace or a namespace" : "a namespace"}`,
  };
}

function problemsOf(
  ext: ImagePolicy,
  parent: ImagePolicy | undefined,
  name: string,
): { path: string; message: string }[] {
  if (parent === undefined) {
    return [
      {
        path: "spec.extends",
        message: `no ImagePolicy "${name}" in this set: an extension of a missing policy would add nothing, so it is refused rather than ignored`,
      },
    ];
  }
  if (parent.extension !== undefined) {
    return [
      {
        path: "spec.extends",
        message: `${name} is itself an extension (of ${parent.extension.parent}); extend ${parent.extension.parent} instead`,
      },
    ];
  }
  if (parent.extensible !== true || !EXTENSIBLE_RECIPES.includes(parent.recipe)) {
    return [
      {
        path: "spec.extends",
        message: `${name} is not extensible: its owner must set spec.extensible: true on it to let narrower scopes add rules`,
      },
    ];
  }
  const out: { path: string; message: string }[] = [];
  const scope = scopeProblem(parent, ext);
  if (scope !== undefined) out.push(scope);
  if (ext.extension?.recipeInherited === false && ext.recipe !== parent.recipe) {
    out.push({
      path: "spec.recipe",
      message: `${name} has recipe ${parent.recipe}: an extension takes its parent's recipe (leave it out, or write ${parent.recipe})`,
    });
  }
  const fields: readonly RuleField[] = RECIPE_RULE_FIELDS[parent.recipe] ?? [];
  ext.rules.forEach((rule, i) => {
    for (const f of RULE_FIELDS) {
      if (rule[f] !== undefined && !fields.includes(f)) {
        out.push({
          path: `spec.input.rules[${i}].${f}`,
          message: `${name} has recipe ${parent.recipe}, whose rules take no ${f}`,
        });
      }
    }
  });
  return out;
}

/**
 * Checks every extension against the set. `policies` are the set's policies with each valid
 * extension resolved (its parent's recipe and action) and each invalid one left out: leaving
 * one out only narrows what is allowed, and `issues` says why, for the caller to report (a
 * CLI refuses the set, the webhook marks the policy not Ready).
 */
export function checkExtensions(policies: readonly ImagePolicy[]): {
  policies: ImagePolicy[];
  issues: ExtensionIssue[];
} {
  const byName = new Map(policies.map((p) => [p.name, p]));
  const out: ImagePolicy[] = [];
  const issues: ExtensionIssue[] = [];
  for (const p of policies) {
    if (p.extension === undefined) {
      out.push(p);
      continue;
    }
    const parent = byName.get(p.extension.parent);
    const problems = problemsOf(p, parent, p.extension.parent);
    for (const { path, message } of problems) {
      issues.push({ policy: p.name, origin: p.origin, path, message });
    }
    if (problems.length === 0 && parent !== undefined) {
      out.push({ ...p, recipe: parent.recipe, action: parent.action });
    }
  }
  return { policies: out, issues };
}

/** The extensions of a checked set, by parent name, in set order. */
export function extensionsByParent(policies: readonly ImagePolicy[]): Map<string, ImagePolicy[]> {
  const out = new Map<string, ImagePolicy[]>();
  for (const p of policies) {
    if (p.extension === undefined) continue;
    const list = out.get(p.extension.parent) ?? [];
    list.push(p);
    out.set(p.extension.parent, list);
  }
  return out;
}

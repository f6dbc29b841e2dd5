/**
 * Extensions of an allowlist in a native policy (docs/policy-language.md, "Widening an
 * allowlist"). The parent's binding selects the namespaces it applies to, as always; each
 * extension's rules become alternatives guarded by a CEL condition on `namespaceObject` that
 * says whether the extension applies to the request's namespace (src/core/evaluate/scope.ts
 * `applicability`, translated): its scope (name; or the workspace label OR the Workspace's
 * list) and its namespaceSelector over the namespace's labels. Each guard is a variable, so
 * Kubernetes evaluates it once per request, not once per image.
 */
import { describeAllowed, describeScope } from "../../core/evaluate/index.js";
import type {
  ImagePolicy,
  LabelSelector,
  LabelSelectorRequirement,
  Workspace,
} from "../../core/policy/index.js";
import { WORKSPACE_LABEL } from "../../core/policy/index.js";
import { celString, celStringList } from "./cel.js";

const META = "namespaceObject.metadata";
const LABELS = `${META}.labels`;

const hasLabel = (key: string) => `(has(${LABELS}) && ${celString(key)} in ${LABELS})`;
const labelIs = (key: string, value: string) =>
  `(${hasLabel(key)} && ${LABELS}[${celString(key)}] == ${celString(value)})`;

function requirement(r: LabelSelectorRequirement): string {
  const value = `${LABELS}[${celString(r.key)}]`;
  switch (r.operator) {
    case "In":
      return `(${hasLabel(r.key)} && ${value} in ${celStringList(r.values)})`;
    case "NotIn":
      return `(!${hasLabel(r.key)} || !(${value} in ${celStringList(r.values)}))`;
    case "Exists":
      return hasLabel(r.key);
    case "DoesNotExist":
      return `!${hasLabel(r.key)}`;
  }
}

function selectorGuard(selector: LabelSelector | undefined): string[] {
  if (selector === undefined) return [];
  return [
    ...Object.entries(selector.matchLabels).map(([k, v]) => labelIs(k, v)),
    ...selector.matchExpressions.map(requirement),
  ];
}

function scopeGuard(ext: ImagePolicy, workspaces: readonly Workspace[], cluster?: string): string {
  const { scope } = ext;
  switch (scope.kind) {
    case "organization":
      // Never an extension's scope (validation refuses it); fail closed if one got here.
      return "false";
    case "namespace": {
      const { cluster: c, name } = scope.namespace;
      if (c !== undefined && c !== cluster) return "false";
      return `${META}.name == ${celString(name)}`;
    }
    case "workspace": {
      const listed = new Set<string>();
      for (const ws of workspaces) {
        if (ws.name !== scope.name) continue;
        for (const ref of ws.namespaces) {
          if (ref.cluster === undefined || ref.cluster === cluster) listed.add(ref.name);
        }
      }
      const label = labelIs(WORKSPACE_LABEL, scope.name);
      if (listed.size === 0) return label;
      return `(${label} || ${META}.name in ${celStringList([...listed].sort())})`;
    }
  }
}

/** Does the extension apply to the request's namespace? A CEL boolean. */
export function extensionGuard(
  ext: ImagePolicy,
  workspaces: readonly Workspace[],
  cluster?: string,
): string {
  const parts = [scopeGuard(ext, workspaces, cluster), ...selectorGuard(ext.namespaceSelector)];
  return parts.length === 1 ? (parts[0] ?? "false") : `(${parts.join(" && ")})`;
}

/** The variable holding extension `i`'s guard. */
export const guardVariable = (i: number) => `widen${i}`;

/** "; or, added by NAME (SCOPE): RULES" when extension `i` applies, else "" (a CEL string). */
export function extensionAdvice(ext: ImagePolicy, i: number, maxRules: number): string {
  const rules = describeAllowed(ext.rules);
  const text = `; or, added by ${ext.name} (${describeScope(ext.scope)}): ${rules.length <= maxRules ? rules : `${rules.slice(0, maxRules)}...`}`;
  return `(variables.${guardVariable(i)} ? ${celString(text)} : '')`;
}

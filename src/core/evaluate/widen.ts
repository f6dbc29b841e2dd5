/**
 * An extensible allowlist widened by the extensions that apply to a namespace
 * (docs/policy-language.md, "Widening an allowlist"). The widened policy is a derived
 * CompiledPolicy, made once per (parent, extensions that apply) and shared by every namespace
 * with the same ones, so the evaluator's memo per list of policies keeps working and the hot
 * path does no more work per container than for any allowlist.
 */
import type { CompiledPolicy, CompiledPolicySet, CompiledRule } from "../policy/index.js";
import { describeAllowed, describeRule } from "./describe.js";
import { applicability, describeScope, type NamespaceFacts } from "./scope.js";

const NONE: readonly CompiledPolicy[] = [];

/** The extensions of `parent` in the set (applying or not). */
export function extensionsOf(
  set: CompiledPolicySet,
  parent: CompiledPolicy,
): readonly CompiledPolicy[] {
  return set.extensions?.get(parent.policy.name) ?? NONE;
}

/**
 * The extensions of `parent` that apply to the namespace. Called only where the parent
 * applies, so an extension of a workspace's policy widens it only in namespaces of that
 * workspace that are also in the extension's own scope and selector.
 */
export function applyingExtensions(
  set: CompiledPolicySet,
  parent: CompiledPolicy,
  ns: NamespaceFacts,
  workspaces: ReadonlySet<string>,
): readonly CompiledPolicy[] {
  const all = extensionsOf(set, parent);
  if (all.length === 0) return NONE;
  return all.filter((e) => applicability(e, ns, workspaces).applies);
}

/** The parent with the extensions' rules after its own. */
export function widen(
  parent: CompiledPolicy,
  extensions: readonly CompiledPolicy[],
): CompiledPolicy {
  if (extensions.length === 0) return parent;
  const rules: CompiledRule[] = [...parent.rules];
  for (const e of extensions) rules.push(...e.rules);
  // The parent's own exemptImages stay; an extension adds rules only.
  return { policy: parent.policy, rules, exempt: parent.exempt, extensions };
}

/** Derived policies by key, so that equal widenings are one object (one memo). */
export class WidenedPolicies {
  readonly #byKey = new Map<string, CompiledPolicy>();

  /** The parent widened for a namespace, and the key of that widening (for list memos). */
  get(
    set: CompiledPolicySet,
    parent: CompiledPolicy,
    parentKey: string,
    ns: NamespaceFacts,
    workspaces: ReadonlySet<string>,
  ): { compiled: CompiledPolicy; key: string } {
    const all = extensionsOf(set, parent);
    if (all.length === 0) return { compiled: parent, key: parentKey };
    const applying = all.filter((e) => applicability(e, ns, workspaces).applies);
    if (applying.length === 0) return { compiled: parent, key: parentKey };
    const key = `${parentKey}+${applying.map((e) => all.indexOf(e)).join("+")}`;
    let compiled = this.#byKey.get(key);
    if (compiled === undefined) {
      compiled = widen(parent, applying);
      this.#byKey.set(key, compiled);
    }
    return { compiled, key };
  }
}

/** "team-a-registries (namespace team-a)": an extension as messages name it. */
export function describeExtension(e: CompiledPolicy): string {
  return `${e.policy.name} (${describeScope(e.policy.scope)})`;
}

/** The extensions' part of "what would have been allowed", or "" for a plain allowlist. */
export function describeExtensionsAllowed(compiled: CompiledPolicy): string {
  if (compiled.extensions === undefined) return "";
  return compiled.extensions
    .map((e) => `; or, added by ${describeExtension(e)}: ${describeAllowed(e.policy.rules)}`)
    .join("");
}

/**
 * Which rule of which policy and scope matched, for `customs policy explain`: "rule 1 of
 * team-a-registries (namespace team-a), which extends corp-registries (organization)".
 */
export function describeMatch(compiled: CompiledPolicy, rule: CompiledRule): string {
  const owner = compiled.extensions?.find((e) => e.rules.includes(rule));
  if (owner === undefined) return `rule ${rule.index + 1} matches (${describeRule(rule.rule)})`;
  const parent = `${compiled.policy.name} (${describeScope(compiled.policy.scope)})`;
  return `rule ${rule.index + 1} of ${describeExtension(owner)}, which extends ${parent}, matches (${describeRule(rule.rule)})`;
}

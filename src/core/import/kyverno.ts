/**
 * Kyverno image policies (kyverno/policies) as ImagePolicies: ClusterPolicy and Policy rules
 * with `validate.pattern`, `anyPattern`, `foreach` (pattern or `deny` on `element.image`) and
 * `cel`, and ValidatingPolicy `validations`. One ImagePolicy per rule and distinct check, so
 * that each Kyverno rule's verdict can be read back.
 */

import {
  buildImagePolicy,
  emptyScope,
  type ImportedAction,
  type ImportSink,
  isNameGlob,
  isObj,
  type Obj,
  policyName,
  type Scope,
  withNames,
} from "./build.js";
import type { CheckWithNotes } from "./kyverno-checks.js";
import { ruleChecks } from "./kyverno-rule.js";
import { excludeScope, matchScope } from "./kyverno-scope.js";
import { type ImportOrigin, ok, refuse, type Translated } from "./types.js";

export const KYVERNO_POLICY_KINDS = ["ClusterPolicy", "Policy"] as const;

export function isKyvernoDocument(value: unknown): boolean {
  return (
    isObj(value) &&
    typeof value.apiVersion === "string" &&
    (value.apiVersion.startsWith("kyverno.io/") ||
      value.apiVersion.startsWith("policies.kyverno.io/"))
  );
}

/** Audit reports and admits, as Customs' audit; Enforce refuses, as deny. */
function readAction(value: unknown, path: string): Translated<ImportedAction> {
  if (value === undefined || value === null) return ok("audit");
  const v = String(value).toLowerCase();
  if (v === "audit") return ok("audit");
  if (v === "enforce") return ok("deny");
  return refuse(`${path} ${JSON.stringify(value)} is not Audit or Enforce`);
}

interface Variant {
  readonly action: ImportedAction;
  readonly scope: Scope;
}

/**
 * `validationFailureActionOverrides`: per-namespace actions become policies of their own, and
 * the base policy leaves those namespaces out.
 */
function variantsOf(
  base: ImportedAction,
  scope: Scope,
  overrides: unknown,
  path: string,
): Translated<Variant[]> {
  if (overrides === undefined || overrides === null) return ok([{ action: base, scope }]);
  if (!Array.isArray(overrides)) return refuse(`${path} is not a list`);
  const variants: Variant[] = [];
  const covered: string[] = [];
  for (const [i, o] of overrides.entries()) {
    if (!isObj(o)) return refuse(`${path}[${i}] is not an object`);
    if (o.namespaceSelector !== undefined)
      return refuse(
        `${path}[${i}].namespaceSelector is not translated (its complement is not a selector)`,
      );
    const names = Array.isArray(o.namespaces) ? o.namespaces.map(String) : [];
    if (names.length === 0) return refuse(`${path}[${i}] names no namespaces`);
    if (names.some(isNameGlob))
      return refuse(`${path}[${i}].namespaces ${names.join(", ")}: a glob is not a label selector`);
    const action = readAction(o.action, `${path}[${i}].action`);
    if (!action.ok) return action;
    variants.push({ action: action.value, scope: withNames(scope, "In", names) });
    covered.push(...names);
  }
  return ok([{ action: base, scope: withNames(scope, "NotIn", covered) }, ...variants]);
}

export function emit(
  sink: ImportSink,
  origin: ImportOrigin,
  checks: CheckWithNotes[],
  variants: Variant[],
  namespace?: string,
): void {
  const base = origin.rule === undefined ? [origin.name] : [origin.name, origin.rule];
  for (const [i, c] of checks.entries()) {
    for (const note of c.notes) sink.untranslated.push({ ...origin, reason: note });
    for (const [j, v] of variants.entries()) {
      const suffix = [...(checks.length > 1 ? [String(i + 1)] : []), ...(j > 0 ? [v.action] : [])];
      sink.documents.push({
        origin,
        document: buildImagePolicy({
          name: sink.names.claim(policyName([...base, ...suffix])),
          origin,
          action: v.action,
          check: c.check,
          scope: v.scope,
          ...(namespace === undefined ? {} : { namespace }),
        }),
      });
    }
  }
}

function importRule(
  sink: ImportSink,
  origin: ImportOrigin,
  rule: Obj,
  spec: Obj,
  namespace: string | undefined,
): undefined {
  const refuseRule = (reason: string): undefined => {
    sink.untranslated.push({ ...origin, reason });
  };
  if (!isObj(rule.validate)) {
    const kind =
      ["mutate", "generate", "verifyImages"].find((k) => rule[k] !== undefined) ?? "no validate";
    return refuseRule(`rule is ${kind}, not a validation`);
  }
  if (rule.context !== undefined)
    return refuseRule(
      "rule reads context (API calls, ConfigMaps, variables) that an ImagePolicy cannot",
    );
  const notes: string[] = [];
  if (rule.preconditions !== undefined)
    notes.push("preconditions dropped: the rule applies whenever it matches (stricter)");
  const matched = matchScope(emptyScope(), rule.match, notes);
  if (!matched.ok) return refuseRule(matched.reason);
  const scope = excludeScope(matched.value, rule.exclude, notes);
  const validate = rule.validate;
  const action = readAction(
    validate.failureAction ?? spec.validationFailureAction,
    validate.failureAction === undefined
      ? "spec.validationFailureAction"
      : "validate.failureAction",
  );
  if (!action.ok) return refuseRule(action.reason);
  const overridesPath =
    validate.failureActionOverrides === undefined
      ? "spec.validationFailureActionOverrides"
      : "validate.failureActionOverrides";
  const variants = variantsOf(
    action.value,
    scope,
    validate.failureActionOverrides ?? spec.validationFailureActionOverrides,
    overridesPath,
  );
  if (!variants.ok) return refuseRule(variants.reason);
  const checks = ruleChecks(validate);
  if (!checks.ok) return refuseRule(checks.reason);
  for (const reason of notes) sink.untranslated.push({ ...origin, reason });
  emit(sink, origin, checks.value, variants.value, namespace);
}

/** A ClusterPolicy or Policy: each rule on its own. */
export function importKyvernoPolicy(source: string, value: Obj, sink: ImportSink): void {
  const kind = String(value.kind);
  const metadata = isObj(value.metadata) ? value.metadata : {};
  const name = typeof metadata.name === "string" ? metadata.name : "(no name)";
  const spec = isObj(value.spec) ? value.spec : {};
  // A Policy applies in its own namespace; kubectl puts one without a namespace in default.
  const namespace =
    kind === "Policy"
      ? typeof metadata.namespace === "string"
        ? metadata.namespace
        : "default"
      : undefined;
  const rules = Array.isArray(spec.rules) ? spec.rules : [];
  if (rules.length === 0) {
    sink.untranslated.push({ source, kind, name, reason: "spec.rules is empty" });
    return;
  }
  for (const [i, rule] of rules.entries()) {
    const ruleName = isObj(rule) && typeof rule.name === "string" ? rule.name : `rules[${i}]`;
    const origin: ImportOrigin = { source, kind, name, rule: ruleName };
    if (!isObj(rule)) sink.untranslated.push({ ...origin, reason: "rule is not an object" });
    else importRule(sink, origin, rule, spec, namespace);
  }
}

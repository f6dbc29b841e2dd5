/**
 * Kyverno image policies (kyverno/policies) as ImagePolicies: ClusterPolicy and Policy rules
 * with `validate.pattern`, `anyPattern`, `foreach` (pattern or `deny` on `element.image`) and
 * `cel`, and ValidatingPolicy `validations`. One ImagePolicy per rule and distinct check, so
 * that each peer rule's verdict can be read back.
 */

import {
  buildImagePolicy,
  emptyScope,
  type ImportedAction,
  isNameGlob,
  type NameBook,
  policyName,
  type Scope,
  withNames,
} from "./build.js";
import { isAllContainersExpression, readCelImageTest } from "./cel.js";
import {
  type CheckWithNotes,
  checkFromCel,
  checkFromDeny,
  checkFromPattern,
} from "./kyverno-checks.js";
import { excludeScope, matchScope } from "./kyverno-scope.js";
import {
  type ImportedDocument,
  type ImportOrigin,
  ok,
  refuse,
  type Translated,
  type Untranslated,
} from "./types.js";

type Obj = Record<string, unknown>;

interface Sink {
  readonly documents: ImportedDocument[];
  readonly untranslated: Untranslated[];
  readonly names: NameBook;
}

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

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

const CONTAINER_KEYS: Record<string, string> = {
  containers: "containers",
  "=(containers)": "containers",
  initContainers: "initContainers",
  "=(initContainers)": "initContainers",
  ephemeralContainers: "ephemeralContainers",
  "=(ephemeralContainers)": "ephemeralContainers",
};

/** The one image pattern of a pod pattern (`spec.containers[].image` and its siblings). */
function podPatternImage(pattern: unknown): Translated<string> {
  if (!isObj(pattern) || Object.keys(pattern).join() !== "spec" || !isObj(pattern.spec)) {
    return refuse("pattern checks more than spec.*Containers[].image");
  }
  const images = new Set<string>();
  for (const [key, list] of Object.entries(pattern.spec)) {
    if (CONTAINER_KEYS[key] === undefined)
      return refuse(`pattern checks spec.${key}, not only images`);
    if (!Array.isArray(list) || list.length !== 1 || !isObj(list[0])) {
      return refuse(`pattern spec.${key} is not one container pattern`);
    }
    const c = list[0];
    const keys = Object.keys(c);
    if (
      keys.length !== 1 ||
      (keys[0] !== "image" && keys[0] !== "=(image)") ||
      typeof Object.values(c)[0] !== "string"
    ) {
      return refuse(`pattern spec.${key}[] checks ${keys.join(", ")}, not only image`);
    }
    images.add(String(Object.values(c)[0]));
  }
  if (images.size !== 1)
    return refuse(`pattern gives different images per container list: ${[...images].join(", ")}`);
  return ok([...images][0] ?? "");
}

const FOREACH_LISTS: ReadonlySet<string> = new Set([
  "request.object.spec.containers",
  "request.object.spec.initContainers",
  "request.object.spec.ephemeralContainers",
  "request.object.spec.[initContainers,ephemeralContainers,containers][]",
  "request.object.spec.[containers,initContainers,ephemeralContainers][]",
  "request.object.spec.[ephemeralContainers,initContainers,containers][]",
]);

function foreachCheck(entries: unknown): Translated<CheckWithNotes> {
  if (!Array.isArray(entries) || entries.length === 0)
    return refuse("validate.foreach is not a list");
  let first: CheckWithNotes | undefined;
  for (const [i, e] of entries.entries()) {
    if (!isObj(e)) return refuse(`validate.foreach[${i}] is not an object`);
    const list = typeof e.list === "string" ? e.list.split(" ").join("") : "";
    if (!FOREACH_LISTS.has(list))
      return refuse(
        `validate.foreach[${i}].list ${JSON.stringify(e.list)} is not a list of containers`,
      );
    for (const key of Object.keys(e)) {
      if (!["list", "pattern", "deny"].includes(key))
        return refuse(`validate.foreach[${i}].${key} is not translated`);
    }
    let check: Translated<CheckWithNotes>;
    if (e.pattern !== undefined) {
      const p = e.pattern;
      const keys = isObj(p) ? Object.keys(p) : [];
      if (
        !isObj(p) ||
        keys.length !== 1 ||
        (keys[0] !== "image" && keys[0] !== "=(image)") ||
        typeof Object.values(p)[0] !== "string"
      ) {
        return refuse(`validate.foreach[${i}].pattern checks more than the image`);
      }
      check = checkFromPattern(String(Object.values(p)[0]));
    } else if (isObj(e.deny)) {
      check = checkFromDeny(e.deny.conditions);
    } else {
      return refuse(`validate.foreach[${i}] has no pattern or deny`);
    }
    if (!check.ok) return check;
    if (first === undefined) first = check.value;
    else if (JSON.stringify(first.check) !== JSON.stringify(check.value.check)) {
      return refuse("validate.foreach checks container lists differently");
    }
  }
  return first === undefined ? refuse("validate.foreach is empty") : ok(first);
}

/** The image checks of a CEL validation list (with its variables). */
function celChecks(
  expressions: unknown,
  variables: unknown,
  path: string,
): Translated<CheckWithNotes[]> {
  if (!Array.isArray(expressions) || expressions.length === 0)
    return refuse(`${path} has no expressions`);
  const all = new Set<string>();
  if (Array.isArray(variables)) {
    for (const v of variables) {
      if (
        isObj(v) &&
        typeof v.name === "string" &&
        typeof v.expression === "string" &&
        isAllContainersExpression(v.expression)
      ) {
        all.add(v.name);
      }
    }
  }
  const checks: CheckWithNotes[] = [];
  for (const e of expressions) {
    const expression = isObj(e) && typeof e.expression === "string" ? e.expression : "";
    const test = readCelImageTest(expression, all);
    if (!test.ok) return test;
    const check = checkFromCel(test.value, expression);
    if (!check.ok) return check;
    if (!checks.some((c) => JSON.stringify(c.check) === JSON.stringify(check.value.check)))
      checks.push(check.value);
  }
  return ok(checks);
}

function ruleChecks(validate: Obj): Translated<CheckWithNotes[]> {
  const one = (c: Translated<CheckWithNotes>): Translated<CheckWithNotes[]> =>
    c.ok ? ok([c.value]) : c;
  if (validate.pattern !== undefined) {
    const image = podPatternImage(validate.pattern);
    return image.ok ? one(checkFromPattern(image.value)) : image;
  }
  if (validate.anyPattern !== undefined) {
    if (!Array.isArray(validate.anyPattern)) return refuse("validate.anyPattern is not a list");
    const images: string[] = [];
    for (const p of validate.anyPattern) {
      const image = podPatternImage(p);
      if (!image.ok) return image;
      if (image.value.includes("!"))
        return refuse("validate.anyPattern with a negated image pattern is not translated");
      images.push(image.value);
    }
    return one(checkFromPattern(images.join(" | ")));
  }
  if (validate.foreach !== undefined) return one(foreachCheck(validate.foreach));
  if (isObj(validate.cel))
    return celChecks(validate.cel.expressions, validate.cel.variables, "validate.cel");
  if (isObj(validate.deny)) return one(checkFromDeny(validate.deny.conditions));
  const what = Object.keys(validate).filter(
    (k) =>
      !["message", "failureAction", "failureActionOverrides", "allowExistingViolations"].includes(
        k,
      ),
  );
  return refuse(
    `validate.${what.join(", ") || "(nothing)"} is not an image check Customs translates`,
  );
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

function emit(
  sink: Sink,
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
  sink: Sink,
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
export function importKyvernoPolicy(source: string, value: Obj, sink: Sink): void {
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

/** ValidatingPolicy actions: Deny refuses; Warn warns; Audit only reports. */
function validatingAction(actions: unknown): Translated<ImportedAction> {
  const list = Array.isArray(actions) ? actions.map(String) : ["Deny"];
  if (list.includes("Deny")) return ok("deny");
  if (list.includes("Warn")) return ok("warn");
  if (list.includes("Audit")) return ok("audit");
  return refuse(`spec.validationActions ${JSON.stringify(actions)} has none of Deny, Warn, Audit`);
}

const POD_RESOURCES: ReadonlySet<string> = new Set([
  "pods",
  "pods/ephemeralcontainers",
  "deployments",
  "replicasets",
  "statefulsets",
  "daemonsets",
  "jobs",
  "cronjobs",
  "replicationcontrollers",
  "podtemplates",
  "*",
]);

export function importValidatingPolicy(source: string, value: Obj, sink: Sink): undefined {
  const kind = String(value.kind);
  const metadata = isObj(value.metadata) ? value.metadata : {};
  const name = typeof metadata.name === "string" ? metadata.name : "(no name)";
  const origin: ImportOrigin = { source, kind, name };
  const refuseAll = (reason: string): undefined => {
    sink.untranslated.push({ ...origin, reason });
  };
  const spec = isObj(value.spec) ? value.spec : {};
  const action = validatingAction(spec.validationActions);
  if (!action.ok) return refuseAll(action.reason);
  const notes: string[] = [];
  let scope = emptyScope();
  const mc = isObj(spec.matchConstraints) ? spec.matchConstraints : {};
  const resources = (Array.isArray(mc.resourceRules) ? mc.resourceRules : []).flatMap((r) =>
    isObj(r) && Array.isArray(r.resources) ? r.resources.map(String) : [],
  );
  if (resources.length > 0 && !resources.some((r) => POD_RESOURCES.has(r))) {
    return refuseAll(
      `spec.matchConstraints.resourceRules ${resources.join(", ")} names no workload Customs checks`,
    );
  }
  if (mc.namespaceSelector !== undefined) {
    const m = matchScope(scope, { resources: { namespaceSelector: mc.namespaceSelector } }, notes);
    if (!m.ok) return refuseAll(m.reason);
    scope = m.value;
  }
  if (mc.objectSelector !== undefined)
    notes.push(
      "spec.matchConstraints.objectSelector selects objects by their own labels; dropped: the policy applies to every object (stricter)",
    );
  if (mc.excludeResourceRules !== undefined)
    notes.push(
      "spec.matchConstraints.excludeResourceRules dropped: the policy also applies there (stricter)",
    );
  if (spec.matchConditions !== undefined)
    notes.push("spec.matchConditions dropped: the policy applies whenever it matches (stricter)");
  const checks = celChecks(spec.validations, spec.variables, "spec.validations");
  if (!checks.ok) return refuseAll(checks.reason);
  for (const reason of notes) sink.untranslated.push({ ...origin, reason });
  emit(sink, origin, checks.value, [{ action: action.value, scope }]);
}

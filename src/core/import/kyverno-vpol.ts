/** Kyverno ValidatingPolicy (CEL validations) as ImagePolicies. */

import { emptyScope, type ImportedAction, type ImportSink, isObj, type Obj } from "./build.js";
import { emit } from "./kyverno.js";
import { celChecks } from "./kyverno-rule.js";
import { matchScope } from "./kyverno-scope.js";
import { type ImportOrigin, ok, refuse, type Translated } from "./types.js";

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

export function importValidatingPolicy(source: string, value: Obj, sink: ImportSink): undefined {
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

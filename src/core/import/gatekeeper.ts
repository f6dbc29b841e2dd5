/**
 * Gatekeeper library constraints (open-policy-agent/gatekeeper-library, library/general) as
 * ImagePolicies. Only the constraint is read: its template's Rego is the library's, whose
 * semantics docs/import.md records per kind.
 */

import { checkPattern } from "../policy/index.js";
import { WORKLOAD_KINDS } from "../workload/index.js";
import {
  buildImagePolicy,
  emptyScope,
  type ImageCheck,
  type ImportedAction,
  type ImportSink,
  isNameGlob,
  isObj,
  type Obj,
  policyName,
  type Scope,
  toRequirement,
  withNames,
} from "./build.js";
import { exactRule, exemptPattern, type ListMode, prefixRules } from "./image.js";
import type { ImportedRule, ImportOrigin } from "./types.js";

export const GATEKEEPER_KINDS = [
  "K8sAllowedRepos",
  "K8sAllowedReposv2",
  "K8sDisallowedRepos",
  "K8sDisallowedTags",
  "K8sImageDigests",
] as const;

const CONSTRAINTS_GROUP = "constraints.gatekeeper.sh/";

/** Kinds whose `match.kinds` Customs checks: Customs checks every workload kind's pods. */
const POD_KINDS: ReadonlySet<string> = new Set(WORKLOAD_KINDS);

function strings(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) return undefined;
  return v as string[];
}

export function isGatekeeperConstraint(value: unknown): boolean {
  return (
    isObj(value) &&
    typeof value.apiVersion === "string" &&
    value.apiVersion.startsWith(CONSTRAINTS_GROUP)
  );
}

/** Gatekeeper's enforcementAction; dryrun reports without refusing, as Customs' audit does. */
function actionOf(spec: Obj): ImportedAction | string {
  if (spec.scopedEnforcementActions !== undefined) {
    return "scopedEnforcementActions (per enforcement point) has no Customs equivalent";
  }
  const a = spec.enforcementAction ?? "deny";
  if (a === "deny") return "deny";
  if (a === "dryrun") return "audit";
  if (a === "warn") return "warn";
  return `enforcementAction ${JSON.stringify(a)} is not deny, dryrun or warn`;
}

/**
 * `spec.match` as a namespace selector. A part Customs cannot say is dropped only when the
 * policy then applies MORE widely (stricter), and listed; `reasons` says so.
 */
function scopeOf(match: unknown): { scope: Scope; notes: string[] } | string {
  let scope = emptyScope();
  const notes: string[] = [];
  if (match === undefined || match === null) return { scope, notes };
  if (!isObj(match)) return "spec.match is not an object";
  for (const key of Object.keys(match)) {
    if (
      ![
        "kinds",
        "namespaces",
        "excludedNamespaces",
        "namespaceSelector",
        "labelSelector",
        "scope",
        "name",
      ].includes(key)
    ) {
      return `spec.match.${key} is not translated`;
    }
  }
  if (match.kinds !== undefined) {
    if (!Array.isArray(match.kinds)) return "spec.match.kinds is not a list";
    const kinds = match.kinds.flatMap((k) => (isObj(k) ? (strings(k.kinds) ?? []) : []));
    if (kinds.length > 0 && !kinds.some((k) => POD_KINDS.has(k) || k === "*")) {
      return `spec.match.kinds ${kinds.join(", ")} names no workload kind Customs checks`;
    }
  }
  const namespaces = strings(match.namespaces);
  const excluded = strings(match.excludedNamespaces);
  if (namespaces === undefined) return "spec.match.namespaces is not a list of strings";
  if (excluded === undefined) return "spec.match.excludedNamespaces is not a list of strings";
  if (namespaces.some(isNameGlob)) {
    notes.push(
      `spec.match.namespaces ${namespaces.join(", ")}: a prefix glob is not a label selector; dropped, so the policy applies in every namespace (stricter)`,
    );
  } else {
    scope = withNames(scope, "In", namespaces);
  }
  const exact = excluded.filter((n) => !isNameGlob(n));
  const globs = excluded.filter(isNameGlob);
  scope = withNames(scope, "NotIn", exact);
  if (globs.length > 0) {
    notes.push(
      `spec.match.excludedNamespaces ${globs.join(", ")}: a prefix glob is not a label selector; not excluded, so the policy also applies there (stricter)`,
    );
  }
  if (match.namespaceSelector !== undefined && match.namespaceSelector !== null) {
    const sel = match.namespaceSelector;
    if (!isObj(sel)) return "spec.match.namespaceSelector is not an object";
    if (isObj(sel.matchLabels)) {
      for (const [k, v] of Object.entries(sel.matchLabels)) {
        if (typeof v !== "string")
          return `spec.match.namespaceSelector.matchLabels.${k} is not a string`;
        scope.matchLabels[k] = v;
      }
    }
    if (Array.isArray(sel.matchExpressions)) {
      for (const [i, e] of sel.matchExpressions.entries()) {
        const r = toRequirement(e);
        if (r === undefined)
          return `spec.match.namespaceSelector.matchExpressions[${i}] is not a label selector requirement`;
        scope.matchExpressions.push(r);
      }
    }
  }
  if (match.labelSelector !== undefined && match.labelSelector !== null) {
    notes.push(
      "spec.match.labelSelector selects objects by their own labels; Customs policies select namespaces, so it is dropped and the policy applies to every object (stricter)",
    );
  }
  if (match.name !== undefined) {
    notes.push(
      `spec.match.name ${JSON.stringify(match.name)} dropped: the policy applies to every object (stricter)`,
    );
  }
  return { scope, notes };
}

function listRules(
  entries: string[],
  mode: ListMode,
  exactAllowed: boolean,
): { rules: ImportedRule[]; reasons: string[] } {
  const rules: ImportedRule[] = [];
  const reasons: string[] = [];
  for (const entry of entries) {
    // K8sAllowedReposv2: an entry ending in '*' is a prefix, any other is the whole image.
    const r = exactAllowed
      ? entry.endsWith("*")
        ? prefixRules(entry.slice(0, -1), mode)
        : exactRule(entry)
      : prefixRules(entry, mode);
    if (!r.ok) reasons.push(r.reason);
    else if (Array.isArray(r.value)) rules.push(...r.value);
    else rules.push(r.value);
  }
  return { rules, reasons };
}

/** The image check of a constraint, or why it has none. */
function checkOf(
  kind: string,
  params: Obj,
): { check: ImageCheck; exempt: string[]; reasons: string[] } | string {
  const allowed: Record<string, string[]> = {
    K8sAllowedRepos: ["repos"],
    K8sAllowedReposv2: ["allowedImages"],
    K8sDisallowedRepos: ["repos"],
    K8sDisallowedTags: ["tags", "exemptImages"],
    K8sImageDigests: ["exemptImages"],
  };
  for (const key of Object.keys(params)) {
    if (!(allowed[kind] ?? []).includes(key)) return `spec.parameters.${key} is not translated`;
  }
  const reasons: string[] = [];
  const exemptEntries = strings(params.exemptImages);
  if (exemptEntries === undefined) return "spec.parameters.exemptImages is not a list of strings";
  const exempt: string[] = [];
  for (const e of exemptEntries) {
    const r = exemptPattern(e);
    // An exemption that cannot be said is left out: the policy then checks that image too.
    if (r.ok) exempt.push(r.value);
    else reasons.push(`${r.reason}; not exempted (stricter)`);
  }
  const list = (key: string): string[] | string => {
    const v = strings(params[key]);
    return v === undefined ? `spec.parameters.${key} is not a list of strings` : v;
  };
  switch (kind) {
    case "K8sAllowedRepos":
    case "K8sAllowedReposv2": {
      const entries = list(kind === "K8sAllowedRepos" ? "repos" : "allowedImages");
      if (typeof entries === "string") return entries;
      const { rules, reasons: rs } = listRules(entries, "allow", kind === "K8sAllowedReposv2");
      // An allowlist entry that cannot be said is left out: fewer images are admitted.
      reasons.push(...rs.map((r) => `${r}; left out of the allowlist (stricter)`));
      // An empty allowlist admits nothing, as Gatekeeper's does.
      if (rules.length === 0)
        return {
          check: { recipe: "blocked-images", rules: [{ imageName: "*" }] },
          exempt,
          reasons,
        };
      return { check: { recipe: "custom", rules }, exempt, reasons };
    }
    case "K8sDisallowedRepos": {
      const entries = list("repos");
      if (typeof entries === "string") return entries;
      const { rules, reasons: rs } = listRules(entries, "block", false);
      // A blocklist entry that cannot be said would block less: the whole constraint is refused.
      if (rs.length > 0) return rs.join("; ");
      if (rules.length === 0)
        return "spec.parameters.repos is empty: the constraint blocks nothing";
      return { check: { recipe: "blocked-images", rules }, exempt, reasons };
    }
    case "K8sDisallowedTags": {
      const tags = list("tags");
      if (typeof tags === "string") return tags;
      // The library also refuses an image without a tag, which Customs reads as `latest`;
      // an explicit `:latest` is refused too (stricter than the raw-suffix test).
      const all = [...new Set(["latest", ...tags])];
      // A string that can never be a tag (empty, a space, a '*' which the library reads
      // literally) blocks nothing there: leaving it out keeps the verdicts, and is listed.
      const usable = all.filter(
        (t) => t !== "" && !t.includes("*") && checkPattern("tag", t) === undefined,
      );
      for (const t of all.filter((x) => !usable.includes(x))) {
        reasons.push(
          `spec.parameters.tags ${JSON.stringify(t)} can never be an image tag; left out (it blocks nothing)`,
        );
      }
      return {
        check: { recipe: "blocked-images", rules: usable.map((tag) => ({ tag })) },
        exempt,
        reasons,
      };
    }
    case "K8sImageDigests":
      return { check: { recipe: "require-digest" }, exempt, reasons };
    default:
      return `${kind} is not one of ${GATEKEEPER_KINDS.join(", ")}`;
  }
}

/** Translates one constraint, adding to the sink. */
export function importGatekeeperConstraint(
  source: string,
  value: Obj,
  sink: ImportSink,
): undefined {
  const kind = typeof value.kind === "string" ? value.kind : "(no kind)";
  const metadata = isObj(value.metadata) ? value.metadata : {};
  const name = typeof metadata.name === "string" ? metadata.name : "(no name)";
  const origin: ImportOrigin = { source, kind, name };
  const refuseAll = (reason: string): undefined => {
    sink.untranslated.push({ ...origin, reason });
  };
  if (!(GATEKEEPER_KINDS as readonly string[]).includes(kind)) {
    refuseAll(`${kind} is not one of ${GATEKEEPER_KINDS.join(", ")}`);
    return;
  }
  const spec = isObj(value.spec) ? value.spec : {};
  const action = actionOf(spec);
  if (action !== "deny" && action !== "warn" && action !== "audit") return refuseAll(action);
  const scope = scopeOf(spec.match);
  if (typeof scope === "string") return refuseAll(scope);
  const params = spec.parameters ?? {};
  if (!isObj(params)) return refuseAll("spec.parameters is not an object");
  const check = checkOf(kind, params);
  if (typeof check === "string") return refuseAll(check);
  for (const reason of [...scope.notes, ...check.reasons])
    sink.untranslated.push({ ...origin, reason });
  sink.documents.push({
    origin,
    document: buildImagePolicy({
      name: sink.names.claim(policyName([name])),
      origin,
      action,
      check: check.check,
      scope: scope.scope,
      exemptImages: check.exempt,
    }),
  });
}

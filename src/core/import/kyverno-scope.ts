/**
 * Kyverno `match` / `exclude` (and a ValidatingPolicy's `matchConstraints`) as a namespace
 * selector. Customs policies select namespaces and check every workload kind; a filter on
 * anything else (object labels, names, users) is dropped only when the policy then applies
 * more widely, and noted; otherwise the rule is refused.
 */

import { WORKLOAD_KINDS } from "../workload/index.js";
import {
  isNameGlob,
  isObj,
  type Obj,
  type Scope,
  type SelectorRequirement,
  toRequirement,
  withNames,
} from "./build.js";
import { ok, refuse, type Translated } from "./types.js";

const WORKLOAD_KIND_SET: ReadonlySet<string> = new Set(WORKLOAD_KINDS);

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

/** `apps/v1/Deployment` and `Pod/ephemeralcontainers` name their kind last or first. */
function kindName(k: string): string {
  const parts = k.split("/");
  return parts.length === 2 && parts[1]?.toLowerCase() === parts[1]
    ? (parts[0] ?? k)
    : (parts[parts.length - 1] ?? k);
}

export interface ScopeWithNotes {
  readonly scope: Scope;
  readonly notes: readonly string[];
}

function copy(scope: Scope): Scope {
  return { matchLabels: { ...scope.matchLabels }, matchExpressions: [...scope.matchExpressions] };
}

function addSelector(scope: Scope, sel: unknown, path: string): Translated<Scope> {
  if (sel === undefined || sel === null) return ok(scope);
  if (!isObj(sel)) return refuse(`${path} is not an object`);
  const out = copy(scope);
  if (isObj(sel.matchLabels)) {
    for (const [k, v] of Object.entries(sel.matchLabels)) {
      if (typeof v !== "string") return refuse(`${path}.matchLabels.${k} is not a string`);
      out.matchLabels[k] = v;
    }
  }
  if (Array.isArray(sel.matchExpressions)) {
    for (const [i, e] of sel.matchExpressions.entries()) {
      const r = toRequirement(e);
      if (r === undefined)
        return refuse(`${path}.matchExpressions[${i}] is not a label selector requirement`);
      out.matchExpressions.push(r);
    }
  }
  return ok(out);
}

const NOTED_MATCH_FIELDS: Record<string, string> = {
  selector: "selects objects by their own labels",
  names: "selects objects by name",
  name: "selects objects by name",
  annotations: "selects objects by annotation",
};

/** One `match` resource filter, ANDed into the scope. */
function matchFilter(scope: Scope, filter: Obj, path: string, notes: string[]): Translated<Scope> {
  const resources = isObj(filter.resources) ? filter.resources : filter;
  for (const key of ["subjects", "roles", "clusterRoles"]) {
    if (filter[key] !== undefined)
      notes.push(
        `${path}.${key} selects requesters; dropped: the rule applies to every requester (stricter)`,
      );
  }
  const kinds = strings(resources.kinds).map(kindName);
  if (kinds.length > 0 && !kinds.some((k) => WORKLOAD_KIND_SET.has(k) || k === "*")) {
    return refuse(
      `${path}.resources.kinds ${kinds.join(", ")} names no workload kind Customs checks`,
    );
  }
  const ops = strings(resources.operations);
  if (ops.length > 0 && !ops.includes("CREATE") && !ops.includes("UPDATE")) {
    return refuse(
      `${path}.resources.operations ${ops.join(", ")}: Customs checks what is created or updated`,
    );
  }
  let out = scope;
  const namespaces = strings(resources.namespaces);
  if (namespaces.some(isNameGlob)) {
    notes.push(
      `${path}.resources.namespaces ${namespaces.join(", ")}: a glob is not a label selector; dropped, so the rule applies in every namespace (stricter)`,
    );
  } else {
    out = withNames(out, "In", namespaces);
  }
  const sel = addSelector(out, resources.namespaceSelector, `${path}.resources.namespaceSelector`);
  if (!sel.ok) return sel;
  out = sel.value;
  for (const [key, what] of Object.entries(NOTED_MATCH_FIELDS)) {
    if (resources[key] !== undefined)
      notes.push(
        `${path}.resources.${key} ${what}; dropped: the rule applies to every object (stricter)`,
      );
  }
  return ok(out);
}

function hasScopeParts(filter: Obj): boolean {
  const r = isObj(filter.resources) ? filter.resources : filter;
  return ["namespaces", "namespaceSelector", "selector", "names", "name", "annotations"].some(
    (k) => r[k] !== undefined,
  );
}

/** `match`: `any` of filters (only when they differ in kinds alone) or `all` of them. */
export function matchScope(scope: Scope, match: unknown, notes: string[]): Translated<Scope> {
  if (match === undefined || match === null) return ok(scope);
  if (!isObj(match)) return refuse("match is not an object");
  const any = Array.isArray(match.any) ? match.any.filter(isObj) : [];
  const all = Array.isArray(match.all) ? match.all.filter(isObj) : [];
  let out = scope;
  if (isObj(match.resources)) {
    const r = matchFilter(out, match, "match", notes);
    if (!r.ok) return r;
    out = r.value;
  }
  if (any.length > 1 && any.some(hasScopeParts)) {
    return refuse(
      "match.any with several filters that select namespaces or objects differently is not translated",
    );
  }
  for (const [i, f] of any.entries()) {
    const r = matchFilter(out, f, `match.any[${i}]`, notes);
    if (!r.ok) return r;
    out = r.value;
  }
  for (const [i, f] of all.entries()) {
    const r = matchFilter(out, f, `match.all[${i}]`, notes);
    if (!r.ok) return r;
    out = r.value;
  }
  return ok(out);
}

/** The opposite of one selector requirement, when there is one. */
function negate(e: SelectorRequirement): SelectorRequirement | undefined {
  const flip: Record<string, SelectorRequirement["operator"]> = {
    In: "NotIn",
    NotIn: "In",
    Exists: "DoesNotExist",
    DoesNotExist: "Exists",
  };
  const operator = flip[e.operator];
  return operator === undefined ? undefined : { ...e, operator };
}

/**
 * One `exclude` filter. Only a filter that is nothing but namespaces (or a one-requirement
 * namespaceSelector) narrows the scope exactly; any other is dropped (the rule then applies
 * more widely) and noted.
 */
function excludeFilter(scope: Scope, filter: Obj, path: string, notes: string[]): Scope {
  const resources = isObj(filter.resources) ? filter.resources : {};
  const others = [
    ...Object.keys(filter).filter((k) => k !== "resources"),
    ...Object.keys(resources).filter((k) => k !== "namespaces" && k !== "namespaceSelector"),
  ];
  const namespaces = strings(resources.namespaces);
  const sel = resources.namespaceSelector;
  const dropped = (why: string): Scope => {
    notes.push(`${path} ${why}; not excluded, so the rule also applies there (stricter)`);
    return scope;
  };
  if (others.length > 0) return dropped(`also filters on ${others.join(", ")}`);
  if (namespaces.length > 0 && sel !== undefined)
    return dropped("filters on namespaces and a namespaceSelector together");
  if (namespaces.some(isNameGlob))
    return dropped(`names namespaces by glob (${namespaces.join(", ")})`);
  if (namespaces.length > 0) return withNames(scope, "NotIn", namespaces);
  if (!isObj(sel)) return dropped("has no namespaces");
  const labels = isObj(sel.matchLabels) ? Object.entries(sel.matchLabels) : [];
  const exprs = Array.isArray(sel.matchExpressions)
    ? (sel.matchExpressions as SelectorRequirement[])
    : [];
  if (labels.length + exprs.length !== 1)
    return dropped("has a namespaceSelector of several requirements (its negation is an OR)");
  const [label] = labels;
  const requirement: SelectorRequirement | undefined =
    label !== undefined
      ? { key: label[0], operator: "NotIn", values: [String(label[1])] }
      : exprs[0] === undefined
        ? undefined
        : negate(exprs[0]);
  if (requirement === undefined) return dropped("has a requirement that cannot be negated");
  return {
    matchLabels: scope.matchLabels,
    matchExpressions: [...scope.matchExpressions, requirement],
  };
}

export function excludeScope(scope: Scope, exclude: unknown, notes: string[]): Scope {
  if (!isObj(exclude)) return scope;
  let out = scope;
  if (isObj(exclude.resources)) out = excludeFilter(out, exclude, "exclude", notes);
  const any = Array.isArray(exclude.any) ? exclude.any.filter(isObj) : [];
  for (const [i, f] of any.entries()) out = excludeFilter(out, f, `exclude.any[${i}]`, notes);
  const all = Array.isArray(exclude.all) ? exclude.all.filter(isObj) : [];
  if (all.length === 1 && all[0] !== undefined)
    out = excludeFilter(out, all[0], "exclude.all[0]", notes);
  else if (all.length > 1)
    notes.push(
      "exclude.all with several filters excludes only where all hold; not excluded, so the rule also applies there (stricter)",
    );
  return out;
}

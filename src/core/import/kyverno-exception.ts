/**
 * Kyverno PolicyException as ImagePolicyException. An exception relaxes policies, so nothing
 * is ever dropped from it: a part Customs cannot say (conditions, namespace globs, object
 * labels) leaves the whole exception untranslated, since without that part it would exempt
 * more than Kyverno's. Customs exceptions always have an owner and an expiry, which Kyverno's
 * lack: they come from `--owner` and `--expires`, and without them the exception is listed as
 * untranslated rather than invented.
 */

import { API_VERSION } from "../policy/index.js";
import { WORKLOAD_KINDS } from "../workload/index.js";
import {
  describeOrigin,
  IMPORTED_FROM_ANNOTATION,
  type ImportSink,
  isNameGlob,
  isObj,
  type Obj,
  policyName,
} from "./build.js";
import type { ImportedDocument, ImportOptions, ImportOrigin } from "./types.js";

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

/** The Customs policies translated from the exempted Kyverno policy and rules. */
function exemptedPolicies(
  exceptions: unknown,
  documents: readonly ImportedDocument[],
): string[] | string {
  if (!Array.isArray(exceptions) || exceptions.length === 0) return "spec.exceptions is empty";
  const names: string[] = [];
  for (const [i, e] of exceptions.entries()) {
    if (!isObj(e) || typeof e.policyName !== "string")
      return `spec.exceptions[${i}] has no policyName`;
    // A namespaced Policy is named NAMESPACE/NAME in an exception.
    const policy = e.policyName.includes("/") ? e.policyName.split("/")[1] : e.policyName;
    const rules = strings(e.ruleNames);
    if (rules.some(isNameGlob))
      return `spec.exceptions[${i}].ruleNames ${rules.join(", ")}: a glob is not translated`;
    for (const rule of rules.length === 0 ? [undefined] : rules) {
      const found = documents.filter(
        (d) =>
          d.document.kind === "ImagePolicy" &&
          d.origin.name === policy &&
          (rule === undefined || d.origin.rule === rule),
      );
      if (found.length === 0) {
        return `it exempts ${policy}${rule === undefined ? "" : ` rule ${rule}`}, which is not among the policies imported in this run (import them together)`;
      }
      for (const d of found) names.push((d.document.metadata as { name: string }).name);
    }
  }
  return [...new Set(names)];
}

interface ExceptionScope {
  readonly namespaces: string[];
  readonly workloads: { kind: string; name: string }[];
}

/** One `match` filter as the namespaces and workloads it names. */
function filterScope(filter: Obj, path: string): ExceptionScope | string {
  const resources = isObj(filter.resources) ? filter.resources : {};
  for (const key of Object.keys(filter)) {
    if (key !== "resources")
      return `${path}.${key} is not translated (an exception must not exempt more than the Kyverno exception does)`;
  }
  for (const key of Object.keys(resources)) {
    if (!["kinds", "namespaces", "names", "name", "operations"].includes(key)) {
      return `${path}.resources.${key} is not translated (an exception must not exempt more than the Kyverno exception does)`;
    }
  }
  const namespaces = strings(resources.namespaces);
  if (namespaces.some(isNameGlob))
    return `${path}.resources.namespaces ${namespaces.join(", ")}: a glob is not a namespace`;
  const kinds = strings(resources.kinds).map((k) => k.split("/").pop() ?? k);
  const workloadKinds = kinds.filter((k) => WORKLOAD_KINDS.includes(k));
  if (kinds.length > 0 && workloadKinds.length === 0)
    return `${path}.resources.kinds ${kinds.join(", ")} names no workload kind`;
  const names = [
    ...strings(resources.names),
    ...(typeof resources.name === "string" ? [resources.name] : []),
  ];
  if (names.some((n) => n.includes("?"))) return `${path}.resources.names: '?' is not translated`;
  const workloads: { kind: string; name: string }[] = [];
  for (const kind of workloadKinds.length > 0 ? workloadKinds : [undefined]) {
    for (const name of names.length > 0 ? names : ["*"])
      workloads.push(
        kind === undefined ? ({ name } as { kind: string; name: string }) : { kind, name },
      );
  }
  return { namespaces, workloads };
}

export function importKyvernoException(
  source: string,
  value: Obj,
  options: ImportOptions,
  sink: ImportSink,
): undefined {
  const kind = String(value.kind);
  const metadata = isObj(value.metadata) ? value.metadata : {};
  const name = typeof metadata.name === "string" ? metadata.name : "(no name)";
  const origin: ImportOrigin = { source, kind, name };
  const refuseAll = (reason: string): undefined => {
    sink.untranslated.push({ ...origin, reason });
  };
  const spec = isObj(value.spec) ? value.spec : {};
  for (const key of Object.keys(spec)) {
    if (!["exceptions", "match", "background"].includes(key)) {
      return refuseAll(
        `spec.${key} is not translated (an exception must not exempt more than the Kyverno exception does)`,
      );
    }
  }
  if (options.owner === undefined || options.expires === undefined) {
    return refuseAll(
      "a Customs exception needs an owner and an expiry: give --owner and --expires",
    );
  }
  const policies = exemptedPolicies(spec.exceptions, sink.documents);
  if (typeof policies === "string") return refuseAll(policies);
  const match = isObj(spec.match) ? spec.match : {};
  const filters: [Obj, string][] = [
    ...(Array.isArray(match.any)
      ? match.any.filter(isObj).map((f, i): [Obj, string] => [f, `spec.match.any[${i}]`])
      : []),
    ...(isObj(match.resources) ? [[match, "spec.match"] as [Obj, string]] : []),
  ];
  if (Array.isArray(match.all) && match.all.length > 0) {
    if (match.all.length > 1 || filters.length > 0)
      return refuseAll("spec.match.all with several filters is not translated");
    filters.push([match.all[0] as Obj, "spec.match.all[0]"]);
  }
  if (filters.length === 0) return refuseAll("spec.match names no resources");
  const annotations = isObj(metadata.annotations) ? metadata.annotations : {};
  const description = annotations["policies.kyverno.io/description"];
  const reason =
    typeof description === "string" && description.trim() !== ""
      ? description.trim()
      : `Kyverno PolicyException ${name}`;
  const built: Record<string, unknown>[] = [];
  for (const [filter, path] of filters) {
    const scope = filterScope(filter, path);
    if (typeof scope === "string") return refuseAll(scope);
    const exceptionSpec: Record<string, unknown> = { policies };
    // A PolicyException's own namespace is where Kyverno keeps it, not where it applies:
    // `match` alone says that, and without namespaces it applies in every namespace.
    const names = scope.namespaces;
    if (names.length === 1) exceptionSpec.namespace = names[0];
    else if (names.length > 1) {
      exceptionSpec.namespaceSelector = {
        matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: names }],
      };
    }
    exceptionSpec.workloads = scope.workloads;
    exceptionSpec.reason = reason;
    exceptionSpec.owner = options.owner;
    exceptionSpec.expires = options.expires;
    built.push(exceptionSpec);
  }
  for (const [i, spec2] of built.entries()) {
    sink.documents.push({
      origin,
      document: {
        apiVersion: API_VERSION,
        kind: "ImagePolicyException",
        metadata: {
          name: sink.names.claim(policyName(built.length > 1 ? [name, String(i + 1)] : [name])),
          annotations: { [IMPORTED_FROM_ANNOTATION]: describeOrigin(origin) },
        },
        spec: spec2,
      },
    });
  }
}

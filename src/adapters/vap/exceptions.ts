/**
 * ImagePolicyExceptions in native policies. An exception that names a policy becomes part of
 * that policy's CEL: an image it covers is left out of the policy's check, exactly as the
 * engine moves its violations to `exempted` (src/core/evaluate/exceptions.ts).
 *
 * - images: the patterns on the normalized image with its implied tag, rebuilt from
 *   distribution/reference's `domain/remainder` (images.ts), as the engine matches them;
 * - workloads: `request.kind.kind` and the object's name (or its generateName, as the engine
 *   reads it);
 * - scope and namespaceSelector: on `namespaceObject`, which validations see (bindings stay
 *   the policy's own).
 *
 * Invalid images are never exempted: only a valid image's entry is tested. CEL in the API
 * server has no clock, so only exceptions unexpired at compile time are included, and the
 * generated objects carry the earliest expiry (RECOMPILE_BY_ANNOTATION): the native policy
 * must be compiled again by then, or it keeps exempting what the exception no longer does.
 */
import {
  ALL_POLICIES,
  type ImagePolicy,
  type ImagePolicyException,
  type LabelSelector,
  type PolicyScope,
  WORKSPACE_LABEL,
  type Workspace,
} from "../../core/policy/index.js";
import { celString, celStringList } from "./cel.js";
import { patternRegex } from "./rules.js";

/** Annotation: the instant (RFC 3339, UTC) when the first included exception expires. */
export const RECOMPILE_BY_ANNOTATION = "customs.dev/recompile-by";
/** Annotation: the exceptions compiled into a policy, comma-separated. */
export const EXCEPTIONS_ANNOTATION = "customs.dev/exceptions";

export interface VapExceptionOptions {
  readonly exceptions?: readonly ImagePolicyException[];
  /** Compile time (ms since the epoch): exceptions expired by then are left out. */
  readonly now?: number;
  readonly cluster?: string;
}

/** The exceptions that relax `policy`, unexpired at `now`, whose scope can be in this cluster. */
export function exceptionsFor(
  policy: ImagePolicy,
  options: VapExceptionOptions,
): ImagePolicyException[] {
  const now = options.now;
  if (now === undefined) return [];
  return (options.exceptions ?? []).filter(
    (e) =>
      (e.policies.includes(ALL_POLICIES) || e.policies.includes(policy.name)) &&
      e.expiresAt > now &&
      (e.scope.kind !== "namespace" ||
        e.scope.namespace.cluster === undefined ||
        e.scope.namespace.cluster === options.cluster),
  );
}

const LABELS = "(has(namespaceObject.metadata.labels) ? namespaceObject.metadata.labels : {})";
const NS_NAME = "namespaceObject.metadata.name";
const WORKLOAD_NAME =
  "(has(object.metadata.name) ? object.metadata.name : has(object.metadata.generateName) ? object.metadata.generateName : '')";

const label = (key: string) => `${LABELS}[${celString(key)}]`;
const hasLabel = (key: string) => `${celString(key)} in ${LABELS}`;

function scopeCel(scope: PolicyScope, workspaces: readonly Workspace[], cluster?: string): string {
  switch (scope.kind) {
    case "organization":
      return "true";
    case "namespace":
      return `${NS_NAME} == ${celString(scope.namespace.name)}`;
    case "workspace": {
      const byLabel = `(${hasLabel(WORKSPACE_LABEL)} && ${label(WORKSPACE_LABEL)} == ${celString(scope.name)})`;
      const listed = new Set<string>();
      for (const ws of workspaces) {
        if (ws.name !== scope.name) continue;
        for (const ref of ws.namespaces) {
          if (ref.cluster === undefined || ref.cluster === cluster) listed.add(ref.name);
        }
      }
      if (listed.size === 0) return byLabel;
      return `(${byLabel} || ${NS_NAME} in ${celStringList([...listed].sort())})`;
    }
  }
}

/** LabelSelector semantics (core/policy/selector.ts matchesSelector) on the namespace's labels. */
function selectorCel(selector: LabelSelector | undefined): string[] {
  if (selector === undefined) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(selector.matchLabels)) {
    out.push(`(${hasLabel(k)} && ${label(k)} == ${celString(v)})`);
  }
  for (const r of selector.matchExpressions) {
    const values = celStringList(r.values);
    if (r.operator === "In") out.push(`(${hasLabel(r.key)} && ${label(r.key)} in ${values})`);
    else if (r.operator === "NotIn")
      out.push(`(!(${hasLabel(r.key)}) || !(${label(r.key)} in ${values}))`);
    else if (r.operator === "Exists") out.push(hasLabel(r.key));
    else out.push(`!(${hasLabel(r.key)})`);
  }
  return out;
}

function patternCel(value: string, pattern: string): string {
  if (!pattern.includes("*")) return `${value} == ${celString(pattern)}`;
  if (pattern.replaceAll("*", "") === "") return "true";
  return `${value}.matches(${celString(patternRegex(pattern))})`;
}

/** The regexes an exception's patterns become, for the cost check of canCompileToVap. */
export function exceptionRegexes(e: ImagePolicyException): string[] {
  return [...e.images, ...e.workloads.map((w) => w.name)]
    .filter((p) => p.includes("*") && p.replaceAll("*", "") !== "")
    .map(patternRegex);
}

/**
 * The CEL predicate "an exception covers the image whose normalized string (with its implied
 * tag) is `n`", or undefined when no exception applies.
 */
export function exemptionPredicate(
  exceptions: readonly ImagePolicyException[],
  workspaces: readonly Workspace[],
  cluster: string | undefined,
): ((n: string) => string) | undefined {
  if (exceptions.length === 0) return undefined;
  return (n) => {
    const each = exceptions.map((e) => {
      const parts = ["namespaceObject != null", scopeCel(e.scope, workspaces, cluster)];
      parts.push(...selectorCel(e.namespaceSelector));
      if (e.workloads.length > 0) {
        const w = e.workloads.map((x) => {
          const name = patternCel(WORKLOAD_NAME, x.name);
          return x.kind === undefined
            ? `(${name})`
            : `(request.kind.kind == ${celString(x.kind)} && ${name})`;
        });
        parts.push(`(${w.join(" || ")})`);
      }
      if (e.images.length > 0) {
        parts.push(`(${e.images.map((p) => patternCel(n, p)).join(" || ")})`);
      }
      return `(${parts.filter((p) => p !== "true").join(" && ")})`;
    });
    return `(${each.join(" || ")})`;
  };
}

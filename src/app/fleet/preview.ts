import { re2Engine } from "../../adapters/re2/index.js";
import {
  applicability,
  createEvaluator,
  type NamespaceFacts,
  toNamespaceFacts,
  workspacesOf,
} from "../../core/evaluate/index.js";
import { ApiError, type IssueDetail } from "../../core/fleet/api-error.js";
import { canSeeWorkspace, type Principal } from "../../core/fleet/authorize.js";
import {
  compilePolicySet,
  type ImagePolicy,
  isDnsLabel,
  validateDocument,
  WORKSPACE_LABEL,
  type Workspace,
} from "../../core/policy/index.js";
import { isObject, type Json } from "./bodies.js";
import { type FleetContext, requireOrganization } from "./context.js";
import { seeing } from "./policies.js";
import { parentIssues, parentOf } from "./policy-extensions.js";

export const MAX_PREVIEW_IMAGES = 100;

interface PreviewRequest {
  readonly policy: unknown;
  readonly images: readonly string[];
  readonly namespace:
    | { cluster?: string; name: string; labels: Record<string, string> }
    | undefined;
}

function parsePreview(body: Json): PreviewRequest {
  const details: IssueDetail[] = [];
  const { images, namespace } = body;
  if (
    !Array.isArray(images) ||
    images.length > MAX_PREVIEW_IMAGES ||
    images.some((i) => typeof i !== "string" || i.length > 4096)
  ) {
    details.push({
      path: "images",
      message: `must be a list of at most ${MAX_PREVIEW_IMAGES} strings`,
    });
  }
  let ns: PreviewRequest["namespace"];
  if (namespace !== undefined) {
    const ok =
      isObject(namespace) &&
      typeof namespace.name === "string" &&
      isDnsLabel(namespace.name) &&
      (namespace.cluster === undefined || typeof namespace.cluster === "string") &&
      (namespace.labels === undefined ||
        (isObject(namespace.labels) &&
          Object.values(namespace.labels).every((v) => typeof v === "string")));
    if (!ok) details.push({ path: "namespace", message: "must be {name, cluster?, labels?}" });
    else {
      ns = {
        name: namespace.name as string,
        labels: (namespace.labels ?? {}) as Record<string, string>,
        ...(namespace.cluster === undefined ? {} : { cluster: namespace.cluster as string }),
      };
    }
  }
  if (details.length > 0) throw new ApiError("API_INVALID", "invalid preview request", { details });
  return { policy: body.policy, images: images as string[], namespace: ns };
}

/** Why a workspace policy misses a namespace attached to a workspace the caller cannot see. */
function hiddenReason(policy: ImagePolicy, namespace: string, reason: string): string {
  const { scope } = policy;
  return scope.kind === "workspace"
    ? `scope is workspace ${scope.name}; namespace ${namespace} is in none of this token's workspaces`
    : reason;
}

/** Namespace facts the policy's own scope applies to, when the caller named none. */
function factsForScope(policy: ImagePolicy): NamespaceFacts {
  const { scope } = policy;
  switch (scope.kind) {
    case "organization":
      return toNamespaceFacts("default");
    case "workspace":
      return toNamespaceFacts("default", { [WORKSPACE_LABEL]: scope.name });
    case "namespace":
      return toNamespaceFacts(scope.namespace.name, {}, scope.namespace.cluster);
  }
}

/**
 * Validates a policy as `customs policy validate` does and decides sample images against it
 * for one namespace (by default one the policy's scope covers). A namespace the caller names
 * is placed in its attached workspace, so the answer says whether the policy would apply.
 */
export async function previewPolicy(ctx: FleetContext, p: Principal, org: string, body: Json) {
  requireOrganization(p, org);
  const request = parsePreview(body);
  const validated = validateDocument(request.policy, undefined, {
    regex: re2Engine,
    now: ctx.now().getTime(),
  });
  const issues = validated.issues.map((i) => ({
    severity: i.severity,
    code: i.code,
    path: i.path,
    message: i.message,
  }));
  if (validated.kind !== "ImagePolicy") return { valid: false, issues, results: [] };
  const policy = validated.policy;
  // An extension is previewed as what it changes: its parent, widened by it.
  const parent = await parentOf(ctx, org, policy, seeing(ctx, p, org));
  const refused = parentIssues(policy, parent).map((i) => ({
    severity: "error" as const,
    code: "POLICY_INVALID",
    ...i,
  }));
  if (refused.length > 0) return { valid: false, issues: [...issues, ...refused], results: [] };
  let facts = factsForScope(policy);
  const workspaces: Workspace[] = [];
  let hidden = false;
  if (request.namespace !== undefined) {
    const { name, labels, cluster } = request.namespace;
    facts = toNamespaceFacts(name, labels, cluster);
    if (cluster !== undefined) {
      const attached = await ctx.store.listAttachments(org, { cluster });
      const ws = attached.find((a) => a.namespace === name)?.workspace;
      // A workspace the caller may not see is never named in the answer, so the namespace
      // is not placed in it; the reason then says only that it is in none of the caller's.
      if (ws !== undefined && canSeeWorkspace(p, org, ws)) {
        workspaces.push({ name: ws, namespaces: [{ cluster, name }], origin: undefined });
      } else if (ws !== undefined) hidden = true;
    }
  }
  const set = compilePolicySet(
    parent === undefined ? [policy] : [parent, policy],
    workspaces,
    re2Engine,
  );
  const evaluator = createEvaluator(set);
  const compiled = parent === undefined ? set.policies[0] : set.extensions?.get(parent.name)?.[0];
  const own =
    compiled === undefined
      ? { applies: false, reason: "" }
      : applicability(compiled, facts, workspacesOf(set, facts));
  // An extension widens its parent only where the parent applies too.
  const parentApplies =
    set.policies[0] === undefined || parent === undefined
      ? own
      : applicability(set.policies[0], facts, workspacesOf(set, facts));
  const applies =
    !own.applies || parentApplies.applies
      ? own
      : {
          applies: false,
          reason: `${own.reason}, but ${parent?.name} does not apply here (${parentApplies.reason})`,
        };
  const results = request.images.map((image) => {
    const decision = evaluator.evaluate(facts, [
      { container: "preview", containerType: "containers", image },
    ]);
    const normalized = evaluator.imageFacts(image);
    return {
      image,
      normalizedImage: normalized.valid ? normalized.normalized : undefined,
      verdict: decision.verdict,
      violations: decision.violations.map((v) => ({
        code: v.code,
        action: v.action,
        message: v.message,
      })),
    };
  });
  return {
    valid: true,
    issues,
    namespace: {
      name: facts.name,
      cluster: facts.cluster,
      applies: applies.applies,
      reason:
        hidden && !applies.applies
          ? hiddenReason(policy, facts.name, applies.reason)
          : applies.reason,
    },
    results,
  };
}

/**
 * The bindings of one generated policy: which namespaces it applies to, as Kubernetes
 * LabelSelectors (src/core/evaluate/scope.ts `applicability`, translated).
 *
 * - organization: every namespace;
 * - namespace NAME: `kubernetes.io/metadata.name In [NAME]`;
 * - workspace W: namespaces labelled `customs.dev/workspace: W`, OR listed in the Workspace
 *   document. A LabelSelector cannot say "or", and `matchConditions` cannot see the namespace
 *   (Kubernetes evaluates them with `namespaceObject` null), so a workspace with listed
 *   namespaces gets two bindings that split the namespaces between them: the labelled ones,
 *   and the listed ones that are not labelled W. No namespace is selected twice, so no
 *   failure is reported twice.
 *
 * The policy's own namespaceSelector is ANDed with each: its requirements are added to the
 * scope's (matchLabels kept, matchExpressions concatenated).
 */
import type { Action, ImagePolicy, LabelSelector, Workspace } from "../../core/policy/index.js";
import { NAMESPACE_NAME_LABEL, WORKSPACE_LABEL } from "../../core/policy/index.js";
import { objectName } from "./names.js";

export const ADMISSION_API_VERSION = "admissionregistration.k8s.io/v1";

export interface BuildVapOptions {
  /**
   * The cluster the objects are for. Workspace entries `CLUSTER/NAMESPACE` and a policy scoped
   * to `CLUSTER/NAMESPACE` count only when CLUSTER is this one (as `customs check --cluster`).
   */
  readonly cluster?: string;
  /**
   * Namespaces no binding selects (`kubernetes.io/metadata.name NotIn`), the same list the
   * webhook's namespaceSelector exempts: without it an organization-wide native policy refuses
   * kube-system's own pods and the rollout of Customs itself. Empty or absent: none.
   */
  readonly exemptNamespaces?: readonly string[];
  /**
   * The policy's extensions (spec.extends), checked against the set and resolved
   * (core/policy checkExtensions): their rules widen the policy in their namespaces
   * (extensions.ts). An extension itself is never built on its own.
   */
  readonly extensions?: readonly ImagePolicy[];
}

/** A Kubernetes LabelSelector as it is serialized. */
export interface KubeLabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

type Requirement = NonNullable<KubeLabelSelector["matchExpressions"]>[number];

const VALIDATION_ACTIONS: Record<Action, string> = { deny: "Deny", warn: "Warn", audit: "Audit" };

export function validationActionsOf(action: Action): string[] {
  return [VALIDATION_ACTIONS[action]];
}

/** Every namespace has this label, so this requirement selects none. */
const NOTHING: Requirement = { key: NAMESPACE_NAME_LABEL, operator: "DoesNotExist" };

function selectorOf(scope: Requirement[], own: LabelSelector | undefined): KubeLabelSelector {
  const selector: KubeLabelSelector = {};
  if (own !== undefined && Object.keys(own.matchLabels).length > 0) {
    selector.matchLabels = { ...own.matchLabels };
  }
  const expressions: Requirement[] = [...scope];
  for (const r of own?.matchExpressions ?? []) {
    expressions.push(
      r.operator === "In" || r.operator === "NotIn"
        ? { key: r.key, operator: r.operator, values: [...r.values] }
        : { key: r.key, operator: r.operator },
    );
  }
  if (expressions.length > 0) selector.matchExpressions = expressions;
  return selector;
}

/** The namespace requirements of each binding (one list per binding). */
export function scopeRequirements(
  policy: ImagePolicy,
  workspaces: readonly Workspace[],
  options: BuildVapOptions,
): Requirement[][] {
  const { scope } = policy;
  switch (scope.kind) {
    case "organization":
      return [[]];
    case "namespace": {
      const { cluster, name } = scope.namespace;
      if (cluster !== undefined && cluster !== options.cluster) return [[NOTHING]];
      return [[{ key: NAMESPACE_NAME_LABEL, operator: "In", values: [name] }]];
    }
    case "workspace": {
      const labelled: Requirement = { key: WORKSPACE_LABEL, operator: "In", values: [scope.name] };
      const listed = new Set<string>();
      for (const ws of workspaces) {
        if (ws.name !== scope.name) continue;
        for (const ref of ws.namespaces) {
          if (ref.cluster === undefined || ref.cluster === options.cluster) listed.add(ref.name);
        }
      }
      if (listed.size === 0) return [[labelled]];
      return [
        [labelled],
        [
          { key: NAMESPACE_NAME_LABEL, operator: "In", values: [...listed].sort() },
          { key: WORKSPACE_LABEL, operator: "NotIn", values: [scope.name] },
        ],
      ];
    }
  }
}

/** The ValidatingAdmissionPolicyBinding objects for a policy. */
export function buildBindings(
  policy: ImagePolicy,
  workspaces: readonly Workspace[],
  options: BuildVapOptions,
  labels: Record<string, string>,
  annotations: Record<string, string>,
): Record<string, unknown>[] {
  const policyName = objectName(policy.name);
  const exempt = [...new Set(options.exemptNamespaces ?? [])];
  const exemption: Requirement[] =
    exempt.length === 0 ? [] : [{ key: NAMESPACE_NAME_LABEL, operator: "NotIn", values: exempt }];
  return scopeRequirements(policy, workspaces, options).map((scope, i) => ({
    apiVersion: ADMISSION_API_VERSION,
    kind: "ValidatingAdmissionPolicyBinding",
    metadata: {
      name: i === 0 ? policyName : objectName(policy.name, "-listed"),
      labels: { ...labels },
      annotations: { ...annotations },
    },
    spec: {
      policyName,
      validationActions: validationActionsOf(policy.action),
      matchResources: {
        namespaceSelector: selectorOf([...scope, ...exemption], policy.namespaceSelector),
      },
    },
  }));
}

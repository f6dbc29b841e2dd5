import {
  type CompiledPolicy,
  type CompiledPolicySet,
  matchesSelector,
  NAMESPACE_NAME_LABEL,
  type NamespaceRef,
  type PolicyScope,
  WORKSPACE_LABEL,
} from "../policy/index.js";

/** What the engine knows of a namespace: its name, labels and (in a fleet) its cluster. */
export interface NamespaceFacts {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly cluster: string | undefined;
}

/** Namespace facts with the label Kubernetes always sets (`kubernetes.io/metadata.name`). */
export function toNamespaceFacts(
  name: string,
  labels: Readonly<Record<string, string>> = {},
  cluster?: string,
): NamespaceFacts {
  const all: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(labels)) all[k] = v;
  all[NAMESPACE_NAME_LABEL] = name;
  return { name, labels: all, cluster };
}

function refMatches(ref: NamespaceRef, ns: NamespaceFacts): boolean {
  return ref.name === ns.name && (ref.cluster === undefined || ref.cluster === ns.cluster);
}

/** Workspaces a namespace belongs to: by the `customs.dev/workspace` label or a Workspace's list. */
export function workspacesOf(set: CompiledPolicySet, ns: NamespaceFacts): Set<string> {
  const names = new Set<string>();
  const label = ns.labels[WORKSPACE_LABEL];
  if (label !== undefined && label !== "") names.add(label);
  for (const ws of set.workspaces) {
    if (ws.namespaces.some((r) => refMatches(r, ns))) names.add(ws.name);
  }
  return names;
}

export function describeScope(scope: PolicyScope): string {
  switch (scope.kind) {
    case "organization":
      return "organization";
    case "workspace":
      return `workspace ${scope.name}`;
    case "namespace":
      return `namespace ${scope.namespace.cluster ? `${scope.namespace.cluster}/` : ""}${scope.namespace.name}`;
  }
}

export interface Applicability {
  readonly applies: boolean;
  readonly reason: string;
}

/**
 * Does the policy apply to the namespace, and why (or why not)? ImagePolicyExceptions are
 * scoped the same way, so this reads only the scope and the selector.
 */
export function applicability(
  compiled: { readonly policy: Pick<CompiledPolicy["policy"], "scope" | "namespaceSelector"> },
  ns: NamespaceFacts,
  workspaces: ReadonlySet<string>,
): Applicability {
  const { scope, namespaceSelector } = compiled.policy;
  let reason: string;
  switch (scope.kind) {
    case "organization":
      reason = "organization-wide";
      break;
    case "workspace":
      if (!workspaces.has(scope.name)) {
        const member =
          workspaces.size === 0 ? "no workspace" : `workspace(s) ${[...workspaces].join(", ")}`;
        return {
          applies: false,
          reason: `scope is workspace ${scope.name}; namespace ${ns.name} is in ${member}`,
        };
      }
      reason = `namespace ${ns.name} is in workspace ${scope.name}`;
      break;
    case "namespace":
      if (!refMatches(scope.namespace, ns)) {
        return { applies: false, reason: `scope is ${describeScope(scope)}` };
      }
      reason = `scope is ${describeScope(scope)}`;
      break;
  }
  if (namespaceSelector !== undefined) {
    if (!matchesSelector(namespaceSelector, ns.labels)) {
      return {
        applies: false,
        reason: `${reason}, but its labels do not match the policy's namespaceSelector`,
      };
    }
    reason += ", and its labels match the namespaceSelector";
  }
  return { applies: true, reason };
}

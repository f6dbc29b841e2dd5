/**
 * The fleet the scale benchmark builds (bench/fleet.ts), as plain data: which namespaces each
 * cluster has, which workspace each namespace is attached to, the policies and their scopes,
 * and so which clusters a change to a policy must reach. Pure: no I/O.
 *
 * Layout, for C clusters with 10 namespaces each and W workspaces: namespace j of cluster i is
 * the (10·i + j)-th namespace and is attached to workspace (10·i + j) mod W. With C = 1,000 and
 * W = 500, every workspace holds 20 namespaces in 20 different clusters, and every cluster has
 * namespaces in 10 workspaces: a change to a workspace's policy must reach 20 clusters.
 */

export interface FleetSize {
  readonly clusters: number;
  readonly namespacesPerCluster: number;
  readonly workspaces: number;
  readonly policies: number;
}

export type Scope =
  | { readonly kind: "organization" }
  | { readonly kind: "workspace"; readonly workspace: string }
  | { readonly kind: "namespace"; readonly cluster: string; readonly namespace: string };

export interface PolicySeed {
  readonly name: string;
  readonly scope: Scope;
  /** Which variant of document (recipe, action) it is; see policyDocument(). */
  readonly variant: number;
}

export const clusterName = (i: number): string => `c-${String(i).padStart(4, "0")}`;
export const workspaceName = (w: number): string => `ws-${String(w).padStart(3, "0")}`;
export const namespaceName = (j: number): string => `team-${j}`;

/** A workspace with no namespaces: API load on its policies reaches no agent. */
export const IDLE_WORKSPACE = "bench-idle";

/** The workspace namespace j of cluster i is attached to. */
export function workspaceOf(size: FleetSize, i: number, j: number): number {
  return (i * size.namespacesPerCluster + j) % size.workspaces;
}

/** Every (cluster, namespace, workspace) attachment. */
export function attachments(
  size: FleetSize,
): { cluster: string; namespace: string; workspace: string }[] {
  const out: { cluster: string; namespace: string; workspace: string }[] = [];
  for (let i = 0; i < size.clusters; i++) {
    for (let j = 0; j < size.namespacesPerCluster; j++) {
      out.push({
        cluster: clusterName(i),
        namespace: namespaceName(j),
        workspace: workspaceName(workspaceOf(size, i, j)),
      });
    }
  }
  return out;
}

/**
 * 1% organization-wide, 10% scoped to one namespace, the rest (89%) to workspaces, spread
 * evenly: a platform team sets a few rules for everyone, teams set most of them.
 */
export function policySeeds(size: FleetSize): PolicySeed[] {
  const organization = Math.max(1, Math.round(size.policies * 0.01));
  const namespaced = Math.round(size.policies * 0.1);
  const seeds: PolicySeed[] = [];
  for (let k = 0; k < size.policies; k++) {
    const name = `p-${String(k).padStart(5, "0")}`;
    let scope: Scope;
    if (k < organization) scope = { kind: "organization" };
    else if (k < organization + namespaced) {
      const n = k - organization;
      scope = {
        kind: "namespace",
        cluster: clusterName((n * 7) % size.clusters),
        namespace: namespaceName(n % size.namespacesPerCluster),
      };
    } else scope = { kind: "workspace", workspace: workspaceName(k % size.workspaces) };
    seeds.push({ name, scope, variant: k % 4 });
  }
  return seeds;
}

/** The clusters whose bundle holds a policy of this scope. */
export function affectedClusters(size: FleetSize, scope: Scope): string[] {
  if (scope.kind === "organization") {
    return Array.from({ length: size.clusters }, (_, i) => clusterName(i));
  }
  if (scope.kind === "namespace") return [scope.cluster];
  const out: string[] = [];
  for (let i = 0; i < size.clusters; i++) {
    for (let j = 0; j < size.namespacesPerCluster; j++) {
      if (workspaceName(workspaceOf(size, i, j)) === scope.workspace) {
        out.push(clusterName(i));
        break;
      }
    }
  }
  return out;
}

/** The text every simulated agent looks for in a bundle to know that change `n` reached it. */
export const changeMark = (n: number): string => `bench/mark-${n}`;

/**
 * An ImagePolicy document. `mark` (a change number) goes into a rule's image name, so the
 * change is visible in the bundle's text however the control plane lays the bundle out.
 */
export function policyDocument(seed: PolicySeed, mark?: number): Record<string, unknown> {
  const spec: Record<string, unknown> = {};
  if (seed.scope.kind === "workspace") spec.workspace = seed.scope.workspace;
  if (seed.scope.kind === "namespace") {
    spec.namespace = `${seed.scope.cluster}/${seed.scope.namespace}`;
  }
  const team = seed.name.replace(/^p-/, "team-");
  const rules: Record<string, unknown>[] = [
    { hostname: "registry.mycorp.local", imageName: `${team}/*` },
    { hostname: "docker.io", imageName: "library/*", tag: { value: "latest", negate: true } },
  ];
  if (mark !== undefined)
    rules.push({ hostname: "registry.mycorp.local", imageName: changeMark(mark) });
  switch (seed.variant) {
    case 0:
      Object.assign(spec, { recipe: "custom", input: { rules } });
      break;
    case 1:
      Object.assign(spec, { action: "warn", recipe: "custom", input: { rules } });
      break;
    case 2:
      Object.assign(spec, {
        recipe: "blocked-images",
        input: { rules: [rules[0], ...rules.slice(2)] },
      });
      break;
    default:
      Object.assign(spec, {
        action: "audit",
        recipe: "allowed-name-tag",
        input: {
          rules: [
            { imageName: `${team}/*` },
            ...(mark === undefined ? [] : [{ imageName: changeMark(mark) }]),
          ],
        },
      });
  }
  return {
    apiVersion: "customs.dev/v1alpha1",
    kind: "ImagePolicy",
    metadata: { name: seed.name },
    spec,
  };
}

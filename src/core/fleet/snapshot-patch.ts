import { isExceptionRow } from "./bundle.js";
import { type OrgSnapshot, toLabelledWorkspaces } from "./snapshot.js";
import type { NamespaceRow, PolicyRow } from "./store.js";

/** The clusters whose bundle a change can alter: every one, or these. */
export type Affected = "all" | ReadonlySet<string>;

/** A snapshot one change later, and which clusters' bundles that change can alter. */
export interface Patched {
  readonly snapshot: OrgSnapshot;
  readonly affected: Affected;
}

/** Clusters whose bundle can hold a policy of this scope. */
export function toClustersOfScope(snapshot: OrgSnapshot, scope: PolicyRow["scope"]): Affected {
  switch (scope.kind) {
    case "organization":
      return "all";
    case "namespace":
      // A bare name reaches every cluster, reported or not.
      return scope.cluster === undefined ? "all" : new Set([scope.cluster]);
    case "workspace": {
      const out = new Set<string>();
      for (const [cluster, list] of snapshot.attachments) {
        if (list.some((a) => a.workspace === scope.workspace)) out.add(cluster);
      }
      for (const [cluster, names] of snapshot.labelled) {
        if (names.has(scope.workspace)) out.add(cluster);
      }
      return out;
    }
  }
}

function union(a: Affected, b: Affected): Affected {
  return a === "all" || b === "all" ? "all" : new Set([...a, ...b]);
}

/** The map with the named policy taken out of the one list holding it (a copy if changed). */
function without<K>(map: ReadonlyMap<K, readonly PolicyRow[]>, name: string) {
  for (const [key, list] of map) {
    const found = list.find((p) => p.metadata.name === name && !isExceptionRow(p));
    if (found === undefined) continue;
    const copy = new Map(map);
    const rest = list.filter((p) => p !== found);
    if (rest.length > 0) copy.set(key, rest);
    else copy.delete(key);
    return { map: copy as ReadonlyMap<K, readonly PolicyRow[]>, found };
  }
  return { map, found: undefined };
}

function adding<K>(map: ReadonlyMap<K, readonly PolicyRow[]>, key: K, row: PolicyRow) {
  const copy = new Map(map);
  copy.set(key, [...(map.get(key) ?? []), row]);
  return copy;
}

/**
 * The snapshot after one policy was created, updated (`after` its new row) or deleted
 * (`after` undefined). Only the index lists holding the policy are copied.
 */
export function withPolicy(
  snapshot: OrgSnapshot,
  revision: number,
  name: string,
  after: PolicyRow | undefined,
): Patched {
  // An exception may share a policy's name; exceptions are never patched in (their changes
  // reload the snapshot), so only the policy of that name is replaced.
  const found = snapshot.everywhere.find((p) => p.metadata.name === name && !isExceptionRow(p));
  let everywhere = found ? snapshot.everywhere.filter((p) => p !== found) : snapshot.everywhere;
  let byWorkspace = without(snapshot.byWorkspace, name);
  let byCluster = without(snapshot.byCluster, name);
  const before = found ?? byWorkspace.found ?? byCluster.found;
  let affected: Affected = new Set<string>();
  if (before !== undefined) affected = toClustersOfScope(snapshot, before.scope);
  if (after !== undefined) {
    affected = union(affected, toClustersOfScope(snapshot, after.scope));
    const { scope } = after;
    if (scope.kind === "workspace") {
      byWorkspace = { map: adding(byWorkspace.map, scope.workspace, after), found: undefined };
    } else if (scope.kind === "namespace" && scope.cluster !== undefined) {
      byCluster = { map: adding(byCluster.map, scope.cluster, after), found: undefined };
    } else everywhere = [...everywhere, after];
  }
  const next = { ...snapshot, revision, everywhere, byWorkspace: byWorkspace.map };
  return { snapshot: { ...next, byCluster: byCluster.map }, affected };
}

/**
 * The snapshot after a cluster reported a new set of namespaces: only that cluster's labelled
 * workspaces change, and so only its bundle.
 */
export function withClusterNamespaces(
  snapshot: OrgSnapshot,
  revision: number,
  cluster: string,
  namespaces: readonly NamespaceRow[],
): Patched {
  const labelled = new Map(snapshot.labelled);
  const names = toLabelledWorkspaces(namespaces);
  if (names.size > 0) labelled.set(cluster, names);
  else labelled.delete(cluster);
  return { snapshot: { ...snapshot, revision, labelled }, affected: new Set([cluster]) };
}

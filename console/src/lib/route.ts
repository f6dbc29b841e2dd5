/**
 * Hash routes (`#/policies/new`): the control plane serves one page at `/`, so the console
 * needs no server-side fallback and works behind any path prefix.
 */

import type { NodeRef } from "./policy-tree.js";

/** The scope a new policy starts with (the node "Create Image Registry Policy" was used on). */
export type ScopePreset =
  | { readonly kind: "organization" }
  | { readonly kind: "workspace"; readonly workspace: string }
  | { readonly kind: "namespace"; readonly cluster: string; readonly namespace: string };

export type Route =
  | { readonly page: "policies"; readonly node?: NodeRef }
  | { readonly page: "policy-new"; readonly scope?: ScopePreset }
  | { readonly page: "policy-edit"; readonly name: string }
  | { readonly page: "workspaces" }
  | { readonly page: "workspace"; readonly name: string }
  | { readonly page: "clusters" }
  | { readonly page: "insights" }
  | { readonly page: "audit" }
  | { readonly page: "tokens" }
  | { readonly page: "exceptions" };

/** `?workspace=…&cluster=…&namespace=…` as a node of the Policies tree. */
function toNodeRef(q: URLSearchParams): NodeRef | undefined {
  const workspace = q.get("workspace");
  const cluster = q.get("cluster");
  const namespace = q.get("namespace");
  if (workspace !== null && cluster !== null && namespace !== null) {
    return { kind: "namespace", workspace, cluster, namespace };
  }
  if (workspace !== null) return { kind: "workspace", workspace };
  if (q.get("view") === "organization") return { kind: "organization" };
  return undefined;
}

function toScopePreset(q: URLSearchParams): ScopePreset | undefined {
  const workspace = q.get("workspace");
  const namespace = q.get("namespace");
  if (workspace !== null) return { kind: "workspace", workspace };
  if (namespace !== null) return { kind: "namespace", cluster: q.get("cluster") ?? "", namespace };
  if (q.get("scope") === "organization") return { kind: "organization" };
  return undefined;
}

function toQueryString(entries: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(entries)) if (v !== undefined) q.set(k, v);
  const s = q.toString();
  return s === "" ? "" : `?${s}`;
}

export function parseRoute(hash: string): Route {
  const [path = "", query = ""] = hash.split("?", 2);
  const q = new URLSearchParams(query);
  const parts = path
    .replace(/^#\/?/, "")
    .split("/")
    .filter((p) => p !== "")
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
  const [first, second, third] = parts;
  if (first === "policies" && second === "new") {
    const scope = toScopePreset(q);
    return scope === undefined ? { page: "policy-new" } : { page: "policy-new", scope };
  }
  if (first === "policies" && second !== undefined && third === "edit") {
    return { page: "policy-edit", name: second };
  }
  if (first === "workspaces" && second !== undefined) return { page: "workspace", name: second };
  if (first === "workspaces") return { page: "workspaces" };
  if (first === "clusters") return { page: "clusters" };
  if (first === "insights") return { page: "insights" };
  if (first === "audit") return { page: "audit" };
  if (first === "tokens") return { page: "tokens" };
  if (first === "exceptions") return { page: "exceptions" };
  const node = first === "policies" ? toNodeRef(q) : undefined;
  return node === undefined ? { page: "policies" } : { page: "policies", node };
}

export function toHash(route: Route): string {
  switch (route.page) {
    case "policies": {
      const n = route.node;
      if (n === undefined) return "#/policies";
      if (n.kind === "organization") return "#/policies?view=organization";
      const { workspace } = n;
      const at = n.kind === "namespace" ? { cluster: n.cluster, namespace: n.namespace } : {};
      return `#/policies${toQueryString({ workspace, ...at })}`;
    }
    case "policy-new": {
      const s = route.scope;
      if (s === undefined) return "#/policies/new";
      if (s.kind === "organization") return "#/policies/new?scope=organization";
      if (s.kind === "workspace")
        return `#/policies/new${toQueryString({ workspace: s.workspace })}`;
      const cluster = s.cluster === "" ? undefined : s.cluster;
      return `#/policies/new${toQueryString({ cluster, namespace: s.namespace })}`;
    }
    case "policy-edit":
      return `#/policies/${encodeURIComponent(route.name)}/edit`;
    case "workspace":
      return `#/workspaces/${encodeURIComponent(route.name)}`;
    default:
      return `#/${route.page}`;
  }
}

/**
 * Hash routes (`#/policies/new`): the control plane serves one page at `/`, so the console
 * needs no server-side fallback and works behind any path prefix.
 */

export type Route =
  | { readonly page: "policies" }
  | { readonly page: "policy-new" }
  | { readonly page: "policy-edit"; readonly name: string }
  | { readonly page: "workspaces" }
  | { readonly page: "workspace"; readonly name: string }
  | { readonly page: "clusters" }
  | { readonly page: "insights" }
  | { readonly page: "audit" };

export function parseRoute(hash: string): Route {
  const parts = hash
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
  if (first === "policies" && second === "new") return { page: "policy-new" };
  if (first === "policies" && second !== undefined && third === "edit") {
    return { page: "policy-edit", name: second };
  }
  if (first === "workspaces" && second !== undefined) return { page: "workspace", name: second };
  if (first === "workspaces") return { page: "workspaces" };
  if (first === "clusters") return { page: "clusters" };
  if (first === "insights") return { page: "insights" };
  if (first === "audit") return { page: "audit" };
  return { page: "policies" };
}

export function toHash(route: Route): string {
  switch (route.page) {
    case "policy-new":
      return "#/policies/new";
    case "policy-edit":
      return `#/policies/${encodeURIComponent(route.name)}/edit`;
    case "workspace":
      return `#/workspaces/${encodeURIComponent(route.name)}`;
    default:
      return `#/${route.page}`;
  }
}

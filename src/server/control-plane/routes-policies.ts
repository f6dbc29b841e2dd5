import {
  createPolicy,
  deletePolicy,
  getPolicy,
  listPolicies,
  updatePolicy,
} from "../../app/fleet/index.js";
import { ApiError } from "../../core/fleet/api-error.js";
import type { PolicyIssue } from "../../core/policy/index.js";
import { bodyVersion, noContent, paged, param, precondition } from "./replies.js";
import type { Call, Reply, Route } from "./router.js";

const POLICIES = "/api/v1/organizations/{org}/policies";
const SCOPES = ["organization", "workspace", "namespace"] as const;

/**
 * Lint warnings go in the body and, as RFC 9111 `Warning: 299` values, in a header. A header
 * carries printable ASCII only (Node refuses anything else), so the rest becomes spaces.
 */
function withWarnings(status: number, policy: unknown, warnings: readonly PolicyIssue[]): Reply {
  const header = warnings
    .slice(0, 20)
    .map((w) => `299 customs "${`${w.path}: ${w.message}`.replace(/["\\]|[^\x20-\x7e]/g, " ")}"`)
    .join(", ");
  const body = {
    ...(policy as object),
    warnings: warnings.map((w) => ({ code: w.code, path: w.path, message: w.message })),
  };
  return { status, body, headers: header === "" ? {} : { warning: header } };
}

function policyFilter(c: Call) {
  const scope = c.query.get("scope") ?? undefined;
  if (scope !== undefined && !SCOPES.includes(scope as never)) {
    throw new ApiError("API_INVALID", `scope must be one of ${SCOPES.join(", ")}`, {
      details: [{ path: "scope", message: `must be one of ${SCOPES.join(", ")}` }],
    });
  }
  const workspace = c.query.get("workspace") ?? undefined;
  return {
    ...(scope === undefined ? {} : { scope: scope as (typeof SCOPES)[number] }),
    ...(workspace === undefined ? {} : { workspace }),
  };
}

export const policyRoutes: readonly Route[] = [
  {
    method: "GET",
    path: POLICIES,
    response: "PolicyList",
    summary: "List ImagePolicies (?scope=organization|workspace|namespace, ?workspace=NAME)",
    roles: "who sees their scope",
    query: ["limit", "continue", "scope", "workspace"],
    handler: paged((c, page) =>
      listPolicies(c.ctx, c.principal, param(c, "org"), page, policyFilter(c)),
    ),
  },
  {
    method: "POST",
    path: POLICIES,
    response: "PolicyWritten",
    summary: "Create an ImagePolicy (validated as by customs policy validate)",
    body: "ImagePolicy",
    roles: "organization-admin; workspace-admin within its workspaces",
    handler: async (c) => {
      const r = await createPolicy(c.ctx, c.principal, param(c, "org"), await c.body());
      return withWarnings(201, r.policy, r.warnings);
    },
  },
  {
    method: "GET",
    path: `${POLICIES}/{name}`,
    response: "Policy",
    summary: "Read one ImagePolicy",
    roles: "who sees its scope",
    etag: true,
    handler: async (c) => ({
      status: 200,
      body: await getPolicy(c.ctx, c.principal, param(c, "org"), param(c, "name")),
    }),
  },
  {
    method: "PUT",
    path: `${POLICIES}/{name}`,
    response: "PolicyWritten",
    summary: "Replace an ImagePolicy",
    body: "ImagePolicy",
    roles: "organization-admin; workspace-admin within its workspaces",
    handler: async (c) => {
      const body = await c.body();
      const rv = precondition(c, bodyVersion(body));
      const org = param(c, "org");
      const r = await updatePolicy(c.ctx, c.principal, org, param(c, "name"), body, rv);
      return withWarnings(200, r.policy, r.warnings);
    },
  },
  {
    method: "DELETE",
    path: `${POLICIES}/{name}`,
    summary: "Delete an ImagePolicy",
    roles: "organization-admin; workspace-admin within its workspaces",
    handler: async (c) => {
      await deletePolicy(c.ctx, c.principal, param(c, "org"), param(c, "name"), precondition(c));
      return noContent;
    },
  },
];

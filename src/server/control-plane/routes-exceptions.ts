import {
  createException,
  deleteException,
  getException,
  listExceptions,
  updateException,
} from "../../app/fleet/index.js";
import type { PolicyIssue } from "../../core/policy/index.js";
import { bodyVersion, noContent, paged, param, precondition } from "./replies.js";
import type { Call, Reply, Route } from "./router.js";

const EXCEPTIONS = "/api/v1/organizations/{org}/exceptions";
const WRITERS =
  "organization-admin; workspace-admin for its own policies (named, never *) within its workspaces";

/** Lint warnings (an exception about to expire) in the body and as `Warning: 299` headers. */
function withWarnings(status: number, exception: unknown, warnings: readonly PolicyIssue[]): Reply {
  const header = warnings
    .slice(0, 20)
    .map((w) => `299 customs "${`${w.path}: ${w.message}`.replace(/["\\]|[^\x20-\x7e]/g, " ")}"`)
    .join(", ");
  const body = {
    ...(exception as object),
    warnings: warnings.map((w) => ({ code: w.code, path: w.path, message: w.message })),
  };
  return { status, body, headers: header === "" ? {} : { warning: header } };
}

const org = (c: Call) => param(c, "org");

export const exceptionRoutes: readonly Route[] = [
  {
    method: "GET",
    path: EXCEPTIONS,
    response: "ExceptionList",
    summary: "List ImagePolicyExceptions",
    roles: "who sees their scope",
    query: ["limit", "continue"],
    handler: paged((c, page) => listExceptions(c.ctx, c.principal, org(c), page)),
  },
  {
    method: "POST",
    path: EXCEPTIONS,
    response: "ExceptionWritten",
    summary: "Create an ImagePolicyException (validated as by customs policy validate)",
    body: "ImagePolicyException",
    roles: WRITERS,
    handler: async (c) => {
      const r = await createException(c.ctx, c.principal, org(c), await c.body());
      return withWarnings(201, r.exception, r.warnings);
    },
  },
  {
    method: "GET",
    path: `${EXCEPTIONS}/{name}`,
    response: "Exception",
    summary: "Read one ImagePolicyException",
    roles: "who sees its scope",
    etag: true,
    handler: async (c) => ({
      status: 200,
      body: await getException(c.ctx, c.principal, org(c), param(c, "name")),
    }),
  },
  {
    method: "PUT",
    path: `${EXCEPTIONS}/{name}`,
    response: "ExceptionWritten",
    summary: "Replace an ImagePolicyException",
    body: "ImagePolicyException",
    roles: WRITERS,
    handler: async (c) => {
      const body = await c.body();
      const rv = precondition(c, bodyVersion(body));
      const r = await updateException(c.ctx, c.principal, org(c), param(c, "name"), body, rv);
      return withWarnings(200, r.exception, r.warnings);
    },
  },
  {
    method: "DELETE",
    path: `${EXCEPTIONS}/{name}`,
    summary: "Delete an ImagePolicyException",
    roles: WRITERS,
    handler: async (c) => {
      await deleteException(c.ctx, c.principal, org(c), param(c, "name"), precondition(c));
      return noContent;
    },
  },
];

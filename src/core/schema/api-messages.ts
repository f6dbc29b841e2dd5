/**
 * Request bodies of the control plane's API (agents' in api-agents.ts), and the answers that
 * are not records: errors, previews, sign-in.
 */
import { ACTIONS } from "../policy/index.js";
import { IMAGE_POLICY } from "./api-documents.js";
import { role, workspaceName } from "./api-records.js";
import { boolean, list, map, named, type ObjectSchema, object, str, string } from "./model.js";

export const ISSUE_DETAIL = named(
  "IssueDetail",
  object(
    { path: str("The field, e.g. spec.input.rules[0].port."), message: str() },
    { required: ["path", "message"] },
  ),
);

/** Every refusal of every server: `{error: {code, message, details?}}` (docs/errors.md). */
export const ERROR_SCHEMA = named(
  "Error",
  object(
    {
      error: object(
        {
          code: str("Stable; docs/control-plane.md lists them."),
          message: str("For people: what is wrong and what to do."),
          details: list(ISSUE_DETAIL, { description: "One entry per field at fault." }),
        },
        { required: ["code", "message"] },
      ),
    },
    { required: ["error"] },
  ),
);

/**
 * `{metadata: {name, resourceVersion?}, spec}` of organizations, workspaces, clusters and
 * tokens. Unknown fields of the body and of `spec` are refused; other metadata is ignored.
 */
function namedRequest(component: string, spec: ObjectSchema, needsSpec = false): ObjectSchema {
  return named(
    component,
    object(
      {
        apiVersion: str("Ignored."),
        kind: str("Ignored."),
        metadata: object(
          {
            name: workspaceName,
            resourceVersion: str("For PUT: the version read (or If-Match)."),
          },
          { required: ["name"], open: true },
        ),
        spec,
      },
      { required: needsSpec ? ["metadata", "spec"] : ["metadata"] },
    ),
  );
}

const description = string({ maxLength: 1000 });

export const NAMED_REQUEST = namedRequest("Named", object({ description }));

export const TOKEN_REQUEST = namedRequest(
  "TokenRequest",
  object(
    {
      role: string({ enum: ["organization-admin", "workspace-admin", "viewer"] }),
      workspaces: list(workspaceName, {
        description: "workspace-admin: at least one; viewer: none means all.",
      }),
      description,
    },
    { required: ["role"] },
  ),
  true,
);

export const ADMIN_TOKEN_REQUEST = namedRequest(
  "AdminTokenRequest",
  object({ role: string({ enum: ["admin"] }), description }),
);

export const PREVIEW_REQUEST = named(
  "PreviewRequest",
  object(
    {
      policy: IMAGE_POLICY,
      images: list(string({ maxLength: 4096 }), { maxItems: 100 }),
      namespace: object(
        { name: workspaceName, cluster: str(), labels: map(string()) },
        { required: ["name"], open: true },
      ),
    },
    {
      description:
        "The policy need not be valid: an invalid one is answered with its issues, not refused.",
      required: ["policy", "images"],
      open: true,
    },
  ),
);

export const PREVIEW_RESPONSE = named(
  "PreviewResponse",
  object(
    {
      valid: boolean(),
      issues: list(
        named(
          "PolicyIssue",
          object(
            {
              severity: string({ enum: ["error", "warning"] }),
              code: str(),
              path: str(),
              message: str(),
            },
            { required: ["severity", "code", "path", "message"] },
          ),
        ),
      ),
      namespace: object(
        {
          name: str(),
          cluster: str(),
          applies: boolean({ description: "Would the policy apply to this namespace?" }),
          reason: str("Why (not), in words."),
        },
        { required: ["name", "applies", "reason"] },
      ),
      results: list(
        named(
          "PreviewResult",
          object(
            {
              image: str(),
              normalizedImage: str("Absent when the image is no valid reference."),
              verdict: string({ enum: ["allow", "warn", "deny"] }),
              violations: list(
                object(
                  { code: str(), action: string({ enum: ACTIONS }), message: str() },
                  { required: ["code", "action", "message"] },
                ),
              ),
            },
            { required: ["image", "verdict", "violations"] },
          ),
        ),
      ),
    },
    { required: ["valid", "issues", "results"] },
  ),
);

export const AUTH_METHODS = named(
  "AuthMethods",
  object(
    {
      methods: list(string({ enum: ["token", "oidc"] })),
      oidc: object({ signInUrl: str() }, { required: ["signInUrl"] }),
    },
    { required: ["methods"] },
  ),
);

export const SESSION = named(
  "Session",
  object(
    {
      username: str(),
      subject: str("The provider's `sub`."),
      organization: str(),
      role,
      workspaces: list(string()),
      groups: list(string()),
      csrfToken: str("Send it as X-CSRF-Token with every change."),
      expiresAt: str("RFC 3339: the absolute end."),
      idleExpiresAt: str("RFC 3339: the end unless the session is used before."),
    },
    {
      required: [
        "username",
        "subject",
        "organization",
        "role",
        "workspaces",
        "groups",
        "csrfToken",
        "expiresAt",
        "idleExpiresAt",
      ],
    },
  ),
);

/** This OpenAPI document itself. */
export const OPENAPI_DOCUMENT = named(
  "OpenApiDocument",
  object({ openapi: str() }, { required: ["openapi"], open: true }),
);

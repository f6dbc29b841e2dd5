/**
 * Request bodies of the control plane's API, and the answers that are not records: errors,
 * previews, sign-in, and what agents send and receive.
 */
import { ACTIONS } from "../policy/index.js";
import { IMAGE_POLICY, WORKSPACE_DOCUMENT } from "./api-documents.js";
import { role, VIOLATION_REPORT, workspaceName } from "./api-records.js";
import {
  boolean,
  integer,
  intOrString,
  list,
  map,
  named,
  type ObjectSchema,
  object,
  string,
} from "./model.js";

const text = (description?: string) => string(description === undefined ? {} : { description });

export const ISSUE_DETAIL = named(
  "IssueDetail",
  object(
    { path: text("The field, e.g. spec.input.rules[0].port."), message: text() },
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
          code: text("Stable; docs/control-plane.md lists them."),
          message: text("For people: what is wrong and what to do."),
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
        apiVersion: text("Ignored."),
        kind: text("Ignored."),
        metadata: object(
          {
            name: workspaceName,
            resourceVersion: text("For PUT: the version read (or If-Match)."),
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
        { name: workspaceName, cluster: text(), labels: map(string()) },
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
              code: text(),
              path: text(),
              message: text(),
            },
            { required: ["severity", "code", "path", "message"] },
          ),
        ),
      ),
      namespace: object(
        {
          name: text(),
          cluster: text(),
          applies: boolean({ description: "Would the policy apply to this namespace?" }),
          reason: text("Why (not), in words."),
        },
        { required: ["name", "applies", "reason"] },
      ),
      results: list(
        named(
          "PreviewResult",
          object(
            {
              image: text(),
              normalizedImage: text("Absent when the image is no valid reference."),
              verdict: string({ enum: ["allow", "warn", "deny"] }),
              violations: list(
                object(
                  { code: text(), action: string({ enum: ACTIONS }), message: text() },
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
      oidc: object({ signInUrl: text() }, { required: ["signInUrl"] }),
    },
    { required: ["methods"] },
  ),
);

export const SESSION = named(
  "Session",
  object(
    {
      username: text(),
      subject: text("The provider's `sub`."),
      organization: text(),
      role,
      workspaces: list(string()),
      groups: list(string()),
      csrfToken: text("Send it as X-CSRF-Token with every change."),
      expiresAt: text("RFC 3339: the absolute end."),
      idleExpiresAt: text("RFC 3339: the end unless the session is used before."),
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

// ---- agents ---------------------------------------------------------------------------------

const version = string({ maxLength: 256 });

export const AGENT_REGISTER = named(
  "AgentRegister",
  object({ agentVersion: version, kubernetesVersion: version }, { open: true }),
);

export const AGENT_REGISTERED = named(
  "AgentRegistered",
  object({ cluster: text(), organization: text() }, { required: ["cluster", "organization"] }),
);

export const AGENT_NAMESPACES = named(
  "AgentNamespaces",
  object(
    {
      namespaces: list(
        object({ name: workspaceName, labels: map(string()) }, { required: ["name"], open: true }),
      ),
    },
    { required: ["namespaces"], open: true },
  ),
);

export const NAMESPACES_REPORTED = named(
  "NamespacesReported",
  object(
    { changed: boolean({ description: "The set differed from the one reported before." }) },
    { required: ["changed"] },
  ),
);

export const PUBLISHED_KEY = named(
  "PublishedKey",
  object(
    {
      id: text(),
      generation: integer(),
      algorithm: string({ enum: ["Ed25519"] }),
      publicKey: text("SPKI DER, base64."),
      createdAt: text(),
      notAfter: text("Agents stop trusting it then (set when a newer key replaced it)."),
      endorsement: text("The previous generation's signature over this key."),
    },
    { required: ["id", "generation", "algorithm", "publicKey", "createdAt"] },
  ),
);

export const AGENT_KEYS = named(
  "AgentKeys",
  object({ keys: list(PUBLISHED_KEY) }, { required: ["keys"] }),
);

export const BUNDLE_KEY_ROTATE = named(
  "BundleKeyRotate",
  object(
    {
      graceSeconds: integer({
        minimum: 0,
        maximum: 7_776_000,
        description: "How long agents keep trusting the previous key (default 86400).",
      }),
    },
    { open: true },
  ),
);

export const BUNDLE = named(
  "Bundle",
  object(
    {
      revision: integer({ description: "The organization's revision it was built at." }),
      cluster: text(),
      policies: list(IMAGE_POLICY),
      workspaces: list(WORKSPACE_DOCUMENT),
      signature: named(
        "BundleSignature",
        object(
          {
            keyId: text(),
            organization: text(),
            etag: text(),
            value: text("Ed25519 over the bundle statement, base64."),
          },
          { required: ["keyId", "organization", "etag", "value"] },
        ),
      ),
    },
    { required: ["revision", "cluster", "policies", "workspaces", "signature"] },
  ),
);

export const AGENT_REPORTS = named(
  "AgentReports",
  object(
    {
      appliedRevision: intOrString({ maxLength: 64 }),
      appliedDigest: text("The ETag of the bundle the agent verified and enforces."),
      violations: list(VIOLATION_REPORT, {
        maxItems: 1000,
        description: "Each is checked on its own: a bad one is refused alone (`rejected`).",
      }),
    },
    { open: true },
  ),
);

export const REPORTS_ACCEPTED = named(
  "ReportsAccepted",
  object(
    {
      accepted: integer(),
      rejected: list(
        object(
          { index: integer(), details: list(ISSUE_DETAIL) },
          { required: ["index", "details"] },
        ),
      ),
    },
    { required: ["accepted"] },
  ),
);

/** This OpenAPI document itself. */
export const OPENAPI_DOCUMENT = named(
  "OpenApiDocument",
  object({ openapi: text() }, { required: ["openapi"], open: true }),
);

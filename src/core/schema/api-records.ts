/**
 * The control plane's own records as its API answers them (app/fleet turns store rows into
 * these): organizations, workspaces, clusters, tokens, attachments, violations, the audit log.
 * A test runs every route and checks each answer against these schemas.
 */
import type { AuditEntry, Role, ViolationRecord } from "../fleet/store.js";
import { ACTIONS } from "../policy/index.js";
import {
  any,
  boolean,
  extend,
  integer,
  list,
  map,
  named,
  type ObjectSchema,
  object,
  type Schema,
  string,
} from "./model.js";
import { DNS_LABEL } from "./policy-parts.js";

const text = (description?: string) => string(description === undefined ? {} : { description });

/** Every role (a Record, so that a role added to the type and not here fails to compile). */
const ROLE_SET: Readonly<Record<Role, true>> = {
  admin: true,
  "organization-admin": true,
  "workspace-admin": true,
  viewer: true,
  "cluster-agent": true,
};
export const ROLES = Object.keys(ROLE_SET) as Role[];

const AUDIT_ACTIONS: Readonly<Record<AuditEntry["action"], true>> = {
  create: true,
  update: true,
  delete: true,
  attach: true,
  detach: true,
  reclaim: true,
  revoke: true,
  rotate: true,
  report: true,
};
const SOURCES: Readonly<Record<ViolationRecord["source"], true>> = { admission: true, audit: true };

export const role = string({ enum: ROLES });
export const workspaceName = string({ pattern: DNS_LABEL, maxLength: 63 });
const labels = map(string());

export const OBJECT_META = named(
  "ObjectMeta",
  object(
    {
      name: workspaceName,
      uid: text(),
      resourceVersion: text("Changes on every update: send it back in If-Match."),
      creationTimestamp: text("RFC 3339."),
      updatedAt: text("RFC 3339."),
      createdBy: text("The token that created it."),
      updatedBy: text("The token that changed it last."),
    },
    {
      required: [
        "name",
        "uid",
        "resourceVersion",
        "creationTimestamp",
        "updatedAt",
        "createdBy",
        "updatedBy",
      ],
    },
  ),
);

export const DESCRIPTION_SPEC = named(
  "DescriptionSpec",
  object({ description: string({ maxLength: 1000 }) }),
);

/** A paged list: `{items, continue?}` (`?limit`, `?continue`). */
export const paged = (component: string, item: Schema): ObjectSchema =>
  named(
    component,
    object(
      {
        items: list(item),
        continue: text("Pass as ?continue= for the next page; absent on the last."),
      },
      { required: ["items"] },
    ),
  );

/** A whole list: `{items}`. */
export const whole = (component: string, item: Schema): ObjectSchema =>
  named(component, object({ items: list(item) }, { required: ["items"] }));

export const ORGANIZATION = named(
  "Organization",
  object(
    {
      metadata: OBJECT_META,
      spec: DESCRIPTION_SPEC,
      status: object(
        { revision: integer({ description: "Bumped by every change inside the organization." }) },
        { required: ["revision"] },
      ),
    },
    { required: ["metadata", "spec", "status"] },
  ),
);

export const WORKSPACE = named(
  "Workspace",
  object({ metadata: OBJECT_META, spec: DESCRIPTION_SPEC }, { required: ["metadata", "spec"] }),
);

/** A namespace of a cluster attached to a workspace (the answer of attach and reclaim). */
export const ATTACHMENT = named(
  "Attachment",
  object(
    {
      organization: text(),
      workspace: text(),
      cluster: text(),
      namespace: text(),
      attachedAt: text("RFC 3339."),
      attachedBy: text("The token that attached it."),
    },
    {
      required: ["organization", "workspace", "cluster", "namespace", "attachedAt", "attachedBy"],
    },
  ),
);

/** An attached namespace as a workspace lists it: with its labels once an agent reported it. */
export const WORKSPACE_NAMESPACE = named(
  "WorkspaceNamespace",
  object(
    {
      cluster: text(),
      namespace: text(),
      labels,
      reported: boolean({ description: "The cluster's agent reported this namespace." }),
      attachedAt: text("RFC 3339."),
      attachedBy: text("The token that attached it."),
    },
    { required: ["cluster", "namespace", "reported", "attachedAt", "attachedBy"] },
  ),
);

export const CLUSTER = named(
  "Cluster",
  object(
    {
      metadata: OBJECT_META,
      spec: DESCRIPTION_SPEC,
      status: named(
        "ClusterStatus",
        object(
          {
            lastSeen: text("When its agent was last heard from (RFC 3339)."),
            agentVersion: text(),
            kubernetesVersion: text(),
            deliveredRevision: text("The organization's revision of the bundle delivered last."),
            appliedRevision: text("The revision the agent reported it applied."),
            deliveredDigest: text("The ETag of the bundle delivered (or confirmed) last."),
            appliedDigest: text("The ETag of the bundle the agent verified and enforces."),
            phase: string({ enum: ["pending", "connected", "disconnected"] }),
            inSync: boolean({
              description: "The agent verified and enforces the bundle delivered last.",
            }),
          },
          { required: ["phase", "inSync"] },
        ),
      ),
    },
    { required: ["metadata", "spec", "status"] },
  ),
);

const installFile = named(
  "InstallFile",
  object(
    { filename: text(), yaml: text("It holds the token: keep it secret.") },
    {
      required: ["filename", "yaml"],
    },
  ),
);

export const CLUSTER_CREATED = named(
  "ClusterCreated",
  extend(
    CLUSTER,
    {
      agentToken: text("The agent's token: in this answer only, never again."),
      install: named(
        "AgentInstall",
        object(
          {
            namespace: text(),
            manifest: installFile,
            values: installFile,
            commands: object({ kubectl: text(), helm: text() }, { required: ["kubectl", "helm"] }),
          },
          { required: ["namespace", "manifest", "values", "commands"] },
        ),
      ),
    },
    { required: ["agentToken"] },
  ),
);

/** A namespace a cluster's agent reported, with the workspace it is attached to. */
export const REPORTED_NAMESPACE = named(
  "ReportedNamespace",
  object({ name: text(), labels, workspace: text() }, { required: ["name", "labels"] }),
);

export const TOKEN = named(
  "Token",
  object(
    {
      metadata: object(
        { name: text(), id: text(), creationTimestamp: text(), createdBy: text() },
        { required: ["name", "id", "creationTimestamp", "createdBy"] },
      ),
      spec: object(
        { role, workspaces: list(string()), cluster: text("For cluster-agent tokens.") },
        { required: ["role", "workspaces"] },
      ),
      status: object(
        { revoked: boolean(), revokedAt: text(), lastUsedAt: text("Kept to the minute.") },
        { required: ["revoked"] },
      ),
    },
    {
      description: "An API token as listed: never its secret.",
      required: ["metadata", "spec", "status"],
    },
  ),
);

export const TOKEN_CREATED = named(
  "TokenCreated",
  extend(
    TOKEN,
    { token: text("cst_<id>_<secret>: in this answer only, never again.") },
    { required: ["token"] },
  ),
);

const violationFields = {
  time: text("RFC 3339."),
  source: string({ enum: Object.keys(SOURCES) }),
  operation: text(),
  namespace: text(),
  kind: text(),
  name: text(),
  container: text(),
  image: text("As written in the workload."),
  normalizedImage: text(),
  policy: text(),
  action: string({ enum: ACTIONS }),
  code: text(),
  message: text(),
};
const violationRequired = [
  "time",
  "source",
  "namespace",
  "kind",
  "name",
  "container",
  "image",
  "policy",
  "action",
  "code",
  "message",
];

/** One violation as an agent reports it (each checked on its own: `rejected`). */
export const VIOLATION_REPORT = named(
  "ViolationReport",
  object(violationFields, { required: violationRequired, open: true }),
);

export const VIOLATION = named(
  "Violation",
  object(
    { id: integer(), organization: text(), cluster: text(), ...violationFields },
    { required: ["organization", "cluster", ...violationRequired] },
  ),
);

export const INSIGHTS = named(
  "Insights",
  object(
    {
      groupBy: string({ enum: ["cluster", "namespace", "policy", "image"] }),
      items: list(
        named(
          "GroupCount",
          object(
            {
              key: text("The group: cluster, CLUSTER/NAMESPACE, policy or image."),
              count: integer(),
              deny: integer(),
              warn: integer(),
              audit: integer(),
              lastSeen: text("RFC 3339."),
            },
            { required: ["key", "count", "deny", "warn", "audit", "lastSeen"] },
          ),
        ),
      ),
    },
    { required: ["groupBy", "items"] },
  ),
);

export const AUDIT_ENTRY = named(
  "AuditEntry",
  object(
    {
      id: integer(),
      time: text("RFC 3339."),
      actor: object({ token: text(), role }, { required: ["token", "role"] }),
      action: string({ enum: Object.keys(AUDIT_ACTIONS) }),
      kind: text(),
      name: text(),
      organization: text(),
      workspace: text(),
      before: any({ description: "The object before the change (none for a creation)." }),
      after: any({ description: "The object after the change (none for a deletion)." }),
    },
    { required: ["id", "time", "actor", "action", "kind", "name"] },
  ),
);

export const WHOAMI = named(
  "Whoami",
  object(
    {
      token: text("The token's name (or the signed-in user's)."),
      role,
      organization: text("None for admin tokens."),
      workspaces: list(string()),
      cluster: text("For cluster-agent tokens."),
    },
    { required: ["token", "role", "workspaces"] },
  ),
);

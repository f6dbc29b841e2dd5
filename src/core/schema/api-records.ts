/**
 * The control plane's own records as its API answers them (app/fleet turns store rows into
 * these): organizations, workspaces, clusters, tokens, attachments, who the caller is.
 * test/fleet/api-openapi.test.ts runs every route and checks each answer against its schema.
 */
import type { Role } from "../fleet/store.js";
import {
  boolean,
  extend,
  integer,
  list,
  map,
  named,
  type ObjectSchema,
  object,
  type Schema,
  str,
  string,
} from "./model.js";
import { DNS_LABEL } from "./policy-parts.js";

/** Every role (a Record, so that a role added to the type and not here fails to compile). */
const ROLE_SET: Readonly<Record<Role, true>> = {
  admin: true,
  "organization-admin": true,
  "workspace-admin": true,
  viewer: true,
  "cluster-agent": true,
};
export const ROLES = Object.keys(ROLE_SET) as Role[];

export const role = string({ enum: ROLES });
export const workspaceName = string({ pattern: DNS_LABEL, maxLength: 63 });
const labels = map(string());

export const OBJECT_META = named(
  "ObjectMeta",
  object(
    {
      name: workspaceName,
      uid: str(),
      resourceVersion: str("Changes on every update: send it back in If-Match."),
      creationTimestamp: str("RFC 3339."),
      updatedAt: str("RFC 3339."),
      createdBy: str("The token that created it."),
      updatedBy: str("The token that changed it last."),
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
        continue: str("Pass as ?continue= for the next page; absent on the last."),
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
      organization: str(),
      workspace: str(),
      cluster: str(),
      namespace: str(),
      attachedAt: str("RFC 3339."),
      attachedBy: str("The token that attached it."),
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
      cluster: str(),
      namespace: str(),
      labels,
      reported: boolean({ description: "The cluster's agent reported this namespace." }),
      attachedAt: str("RFC 3339."),
      attachedBy: str("The token that attached it."),
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
            lastSeen: str("When its agent was last heard from (RFC 3339)."),
            agentVersion: str(),
            kubernetesVersion: str(),
            deliveredRevision: str("The organization's revision of the bundle delivered last."),
            appliedRevision: str("The revision the agent reported it applied."),
            deliveredDigest: str("The ETag of the bundle delivered (or confirmed) last."),
            appliedDigest: str("The ETag of the bundle the agent verified and enforces."),
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
    { filename: str(), yaml: str("It holds the token: keep it secret.") },
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
      agentToken: str("The agent's token: in this answer only, never again."),
      install: named(
        "AgentInstall",
        object(
          {
            namespace: str(),
            manifest: installFile,
            values: installFile,
            commands: object({ kubectl: str(), helm: str() }, { required: ["kubectl", "helm"] }),
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
  object({ name: str(), labels, workspace: str() }, { required: ["name", "labels"] }),
);

export const TOKEN = named(
  "Token",
  object(
    {
      metadata: object(
        { name: str(), id: str(), creationTimestamp: str(), createdBy: str() },
        { required: ["name", "id", "creationTimestamp", "createdBy"] },
      ),
      spec: object(
        { role, workspaces: list(string()), cluster: str("For cluster-agent tokens.") },
        { required: ["role", "workspaces"] },
      ),
      status: object(
        { revoked: boolean(), revokedAt: str(), lastUsedAt: str("Kept to the minute.") },
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
    { token: str("cst_<id>_<secret>: in this answer only, never again.") },
    { required: ["token"] },
  ),
);

export const WHOAMI = named(
  "Whoami",
  object(
    {
      token: str("The token's name (or the signed-in user's)."),
      role,
      organization: str("None for admin tokens."),
      workspaces: list(string()),
      cluster: str("For cluster-agent tokens."),
    },
    { required: ["token", "role", "workspaces"] },
  ),
);

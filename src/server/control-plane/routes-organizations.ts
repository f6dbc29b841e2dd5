import {
  attachNamespace,
  createCluster,
  createOrganization,
  createWorkspace,
  deleteCluster,
  deleteOrganization,
  deleteWorkspace,
  detachNamespace,
  getCluster,
  getOrganization,
  getWorkspace,
  listClusterNamespaces,
  listClusters,
  listOrganizations,
  listWorkspaceNamespaces,
  listWorkspaces,
  reclaimNamespace,
  updateOrganization,
  updateWorkspace,
} from "../../app/fleet/index.js";
import { created, namedBody, noContent, ok, paged, param, precondition } from "./replies.js";
import type { Call, Route } from "./router.js";

const ORG = "/api/v1/organizations/{org}";
const WS = `${ORG}/workspaces/{workspace}`;
const PAGED = ["limit", "continue"];

const target = (c: Call) => ({
  org: param(c, "org"),
  ws: param(c, "workspace"),
  cluster: param(c, "cluster"),
  ns: param(c, "namespace"),
});

export const organizationRoutes: readonly Route[] = [
  {
    method: "GET",
    path: "/api/v1/organizations",
    response: "OrganizationList",
    summary: "List the organizations the caller can see",
    roles: "any",
    query: PAGED,
    handler: paged((c, page) => listOrganizations(c.ctx, c.principal, page)),
  },
  {
    method: "POST",
    path: "/api/v1/organizations",
    response: "Organization",
    summary: "Create an organization",
    body: "Named",
    roles: "admin",
    handler: async (c) => created(await createOrganization(c.ctx, c.principal, await namedBody(c))),
  },
  {
    method: "GET",
    path: ORG,
    response: "Organization",
    summary: "Read one organization",
    roles: "any in the organization",
    etag: true,
    handler: async (c) => ok(await getOrganization(c.ctx, c.principal, param(c, "org"))),
  },
  {
    method: "PUT",
    path: ORG,
    response: "Organization",
    summary: "Change an organization's description",
    body: "Named",
    roles: "admin, organization-admin",
    handler: async (c) => {
      const body = await namedBody(c);
      const rv = precondition(c, body.resourceVersion);
      return ok(await updateOrganization(c.ctx, c.principal, param(c, "org"), body, rv));
    },
  },
  {
    method: "DELETE",
    path: ORG,
    summary: "Delete an organization and everything in it",
    roles: "admin, organization-admin",
    handler: async (c) => {
      await deleteOrganization(c.ctx, c.principal, param(c, "org"), precondition(c));
      return noContent;
    },
  },
  {
    method: "GET",
    path: `${ORG}/workspaces`,
    response: "WorkspaceList",
    summary: "List the workspaces the caller can see",
    roles: "any in the organization (workspace roles: theirs)",
    query: PAGED,
    handler: paged((c, page) => listWorkspaces(c.ctx, c.principal, param(c, "org"), page)),
  },
  {
    method: "POST",
    path: `${ORG}/workspaces`,
    response: "Workspace",
    summary: "Create a workspace",
    body: "Named",
    roles: "organization-admin",
    handler: async (c) =>
      created(await createWorkspace(c.ctx, c.principal, param(c, "org"), await namedBody(c))),
  },
  {
    method: "GET",
    path: WS,
    response: "Workspace",
    summary: "Read one workspace",
    roles: "who sees the workspace",
    etag: true,
    handler: async (c) =>
      ok(await getWorkspace(c.ctx, c.principal, param(c, "org"), param(c, "workspace"))),
  },
  {
    method: "PUT",
    path: WS,
    response: "Workspace",
    summary: "Change a workspace's description",
    body: "Named",
    roles: "organization-admin, its workspace-admin",
    handler: async (c) => {
      const body = await namedBody(c);
      const rv = precondition(c, body.resourceVersion);
      const { org, ws } = target(c);
      return ok(await updateWorkspace(c.ctx, c.principal, org, ws, body, rv));
    },
  },
  {
    method: "DELETE",
    path: WS,
    summary: "Delete a workspace (refused while policies are scoped to it)",
    roles: "organization-admin",
    handler: async (c) => {
      const { org, ws } = target(c);
      await deleteWorkspace(c.ctx, c.principal, org, ws, precondition(c));
      return noContent;
    },
  },
  {
    method: "GET",
    path: `${WS}/namespaces`,
    response: "WorkspaceNamespaceList",
    summary: "List the namespaces attached to a workspace",
    roles: "who sees the workspace",
    handler: async (c) =>
      ok(await listWorkspaceNamespaces(c.ctx, c.principal, param(c, "org"), param(c, "workspace"))),
  },
  {
    method: "PUT",
    path: `${WS}/namespaces/{cluster}/{namespace}`,
    response: "Attachment",
    summary:
      "Attach a namespace of a cluster to the workspace (system namespaces: organization admins)",
    success: 200,
    roles:
      "organization-admin; its workspace-admin for a namespace labelled customs.dev/workspace with it",
    handler: async (c) => ok(await attachNamespace(c.ctx, c.principal, target(c))),
  },
  {
    method: "POST",
    path: `${WS}/namespaces/{cluster}/{namespace}/reclaim`,
    response: "Attachment",
    summary: "Move a namespace attached to another workspace into this one (audited for both)",
    success: 200,
    roles:
      "organization-admin; the workspace-admin of the workspace the namespace's customs.dev/workspace label names",
    handler: async (c) => ok(await reclaimNamespace(c.ctx, c.principal, target(c))),
  },
  {
    method: "DELETE",
    path: `${WS}/namespaces/{cluster}/{namespace}`,
    summary: "Detach a namespace from the workspace",
    roles: "organization-admin, its workspace-admin",
    handler: async (c) => {
      await detachNamespace(c.ctx, c.principal, target(c));
      return noContent;
    },
  },
  {
    method: "GET",
    path: `${ORG}/clusters`,
    response: "ClusterList",
    summary: "List clusters with their agents' status",
    roles: "any in the organization",
    query: PAGED,
    handler: paged((c, page) => listClusters(c.ctx, c.principal, param(c, "org"), page)),
  },
  {
    method: "POST",
    path: `${ORG}/clusters`,
    response: "ClusterCreated",
    summary:
      "Register a cluster; the answer holds its agent token, once, and `install`: the agent's manifest (kubectl apply) and Helm values, ready to use",
    body: "Named",
    roles: "organization-admin",
    handler: async (c) =>
      created(await createCluster(c.ctx, c.principal, param(c, "org"), await namedBody(c))),
  },
  {
    method: "GET",
    path: `${ORG}/clusters/{cluster}`,
    response: "Cluster",
    summary: "Read one cluster with its agent's status",
    roles: "any in the organization",
    etag: true,
    handler: async (c) =>
      ok(await getCluster(c.ctx, c.principal, param(c, "org"), param(c, "cluster"))),
  },
  {
    method: "DELETE",
    path: `${ORG}/clusters/{cluster}`,
    summary: "Delete a cluster and revoke its agent token",
    roles: "organization-admin",
    handler: async (c) => {
      const { org, cluster } = target(c);
      await deleteCluster(c.ctx, c.principal, org, cluster, precondition(c));
      return noContent;
    },
  },
  {
    method: "GET",
    path: `${ORG}/clusters/{cluster}/namespaces`,
    response: "ReportedNamespaceList",
    summary: "List the namespaces a cluster's agent reported",
    roles: "any in the organization (workspace roles: their namespaces)",
    handler: async (c) =>
      ok(await listClusterNamespaces(c.ctx, c.principal, param(c, "org"), param(c, "cluster"))),
  },
];

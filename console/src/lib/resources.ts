/** Typed calls for each resource of the API (docs/control-plane.md), on top of `Client`. */

import { type Client, seg, toQuery } from "./api.js";

export interface Meta {
  readonly name: string;
  readonly resourceVersion?: string;
  readonly creationTimestamp?: string;
  readonly updatedAt?: string;
  readonly createdBy?: string;
  readonly updatedBy?: string;
}

export interface Whoami {
  readonly name: string;
  readonly role: string;
  readonly organization: string | undefined;
  readonly workspaces: readonly string[];
}

export interface Workspace {
  readonly metadata: Meta;
  readonly spec: { readonly description?: string };
}

export interface Attachment {
  readonly cluster: string;
  readonly namespace: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly reported?: boolean;
}

export interface ClusterStatus {
  readonly lastSeen?: string;
  readonly agentVersion?: string;
  readonly kubernetesVersion?: string;
  readonly deliveredRevision?: string;
  /** The agent verified and enforces the bundle delivered last (docs/control-plane.md). */
  readonly inSync?: boolean;
  readonly appliedRevision?: string;
  readonly phase?: string;
}

/** A file the control plane rendered for a new cluster's agent (it holds the token). */
export interface InstallFile {
  readonly filename: string;
  readonly yaml: string;
}

/** How to install a new cluster's agent: only in the answer that created it. */
export interface AgentInstall {
  readonly namespace: string;
  readonly manifest: InstallFile;
  readonly values: InstallFile;
  readonly commands: { readonly kubectl: string; readonly helm: string };
}

export interface Cluster {
  readonly metadata: Meta;
  readonly spec: { readonly description?: string };
  readonly status?: ClusterStatus;
  readonly agentToken?: string;
  readonly install?: AgentInstall;
}

/** An API token as listed: never its secret (`token` only in the answer that made it). */
export interface ApiToken {
  readonly metadata: {
    readonly name: string;
    readonly id: string;
    readonly creationTimestamp: string;
    readonly createdBy: string;
  };
  readonly spec: {
    readonly role: string;
    readonly workspaces: readonly string[];
    readonly cluster?: string;
  };
  readonly status: {
    readonly revoked: boolean;
    readonly revokedAt?: string;
    readonly lastUsedAt?: string;
  };
  readonly token?: string;
}

export interface ReportedNamespace {
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly workspace?: string;
}

export interface PolicyDocument {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: Meta & Record<string, unknown>;
  readonly spec: Record<string, unknown>;
}

export interface GroupCount {
  readonly key: string;
  readonly count: number;
  readonly deny: number;
  readonly warn: number;
  readonly audit: number;
  readonly lastSeen?: string;
}

export interface Violation {
  readonly id?: number;
  readonly cluster: string;
  readonly time: string;
  readonly source: string;
  readonly namespace: string;
  readonly kind: string;
  readonly name: string;
  readonly container: string;
  readonly image: string;
  readonly policy: string;
  readonly action: string;
  readonly code: string;
  readonly message: string;
}

export interface AuditEntry {
  readonly id: number;
  readonly time: string;
  readonly actor: { readonly token: string; readonly role: string };
  readonly action: string;
  readonly kind: string;
  readonly name: string;
  readonly workspace?: string;
  readonly before: unknown;
  readonly after: unknown;
}

/** The namespace a preview decides for (absent: one the policy's scope covers). */
export interface PreviewNamespace {
  readonly cluster: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface List<T> {
  readonly items: readonly T[];
  readonly continue?: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `whoami` read defensively: the token's name may sit at the top or under `token`. */
export function toWhoami(body: unknown): Whoami {
  const o = isRecord(body) ? body : {};
  const token = isRecord(o.token) ? o.token : {};
  const name = [o.name, o.tokenName, token.name, o.token].find((v) => typeof v === "string");
  const org = [o.organization, token.organization].find((v) => typeof v === "string");
  const workspaces = Array.isArray(o.workspaces) ? o.workspaces.map(String) : [];
  return {
    name: typeof name === "string" ? name : "",
    role: typeof o.role === "string" ? o.role : String(token.role ?? ""),
    organization: typeof org === "string" ? org : undefined,
    workspaces,
  };
}

/** Every item of a paged list (the console's lists are small: one organization's objects). */
async function all<T>(client: Client, path: string): Promise<T[]> {
  const items: T[] = [];
  let next: string | undefined;
  const join = path.includes("?") ? "&" : "?";
  for (let page = 0; page < 50; page++) {
    const cont = next === undefined ? "" : `&continue=${encodeURIComponent(next)}`;
    const { body } = await client.request<List<T>>(`${path}${join}limit=500${cont}`);
    items.push(...(body?.items ?? []));
    next = body?.continue;
    if (next === undefined || next === "") break;
  }
  return items;
}

export function createApi(client: Client, org: string) {
  const o = `/organizations/${seg(org)}`;
  return {
    whoami: async () => toWhoami((await client.request<unknown>("/whoami")).body),
    organizations: () => all<{ metadata: Meta }>(client, "/organizations"),
    workspaces: () => all<Workspace>(client, `${o}/workspaces`),
    workspace: (ws: string) => client.request<Workspace>(`${o}/workspaces/${seg(ws)}`),
    createWorkspace: (name: string, description: string) =>
      client.request<Workspace>(`${o}/workspaces`, {
        method: "POST",
        body: { metadata: { name }, spec: description === "" ? {} : { description } },
      }),
    updateWorkspace: (ws: Workspace, description: string) =>
      client.request<Workspace>(`${o}/workspaces/${seg(ws.metadata.name)}`, {
        method: "PUT",
        body: { metadata: { name: ws.metadata.name }, spec: { ...ws.spec, description } },
        ifMatch: ws.metadata.resourceVersion ?? "",
      }),
    deleteWorkspace: (ws: Workspace) =>
      client.request<unknown>(`${o}/workspaces/${seg(ws.metadata.name)}`, {
        method: "DELETE",
        ifMatch: ws.metadata.resourceVersion ?? "",
      }),
    attachments: async (ws: string) => {
      const { body } = await client.request<List<Attachment> | Attachment[]>(
        `${o}/workspaces/${seg(ws)}/namespaces`,
      );
      return Array.isArray(body) ? body : (body?.items ?? []);
    },
    attach: (ws: string, cluster: string, ns: string) =>
      client.request<unknown>(`${o}/workspaces/${seg(ws)}/namespaces/${seg(cluster)}/${seg(ns)}`, {
        method: "PUT",
        body: {},
      }),
    detach: (ws: string, cluster: string, ns: string) =>
      client.request<unknown>(`${o}/workspaces/${seg(ws)}/namespaces/${seg(cluster)}/${seg(ns)}`, {
        method: "DELETE",
      }),
    clusters: () => all<Cluster>(client, `${o}/clusters`),
    createCluster: (name: string, description: string) =>
      client.request<Cluster>(`${o}/clusters`, {
        method: "POST",
        body: { metadata: { name }, spec: description === "" ? {} : { description } },
      }),
    deleteCluster: (c: Cluster) =>
      client.request<unknown>(`${o}/clusters/${seg(c.metadata.name)}`, {
        method: "DELETE",
        ifMatch: c.metadata.resourceVersion ?? "",
      }),
    namespaces: async (cluster: string) => {
      const { body } = await client.request<List<ReportedNamespace> | ReportedNamespace[]>(
        `${o}/clusters/${seg(cluster)}/namespaces`,
      );
      return Array.isArray(body) ? body : (body?.items ?? []);
    },
    policies: () => all<PolicyDocument>(client, `${o}/policies`),
    policy: (name: string) => client.request<PolicyDocument>(`${o}/policies/${seg(name)}`),
    createPolicy: (doc: unknown) =>
      client.request<PolicyDocument>(`${o}/policies`, { method: "POST", body: doc }),
    updatePolicy: (name: string, doc: unknown, resourceVersion: string) =>
      client.request<PolicyDocument>(`${o}/policies/${seg(name)}`, {
        method: "PUT",
        body: doc,
        ifMatch: resourceVersion,
      }),
    deletePolicy: (name: string, resourceVersion: string) =>
      client.request<unknown>(`${o}/policies/${seg(name)}`, {
        method: "DELETE",
        ifMatch: resourceVersion,
      }),
    preview: (
      policy: unknown,
      images: readonly string[],
      namespace: PreviewNamespace | undefined,
      signal: AbortSignal,
    ) =>
      client.request<unknown>(`${o}/policies/preview`, {
        method: "POST",
        body: namespace === undefined ? { policy, images } : { policy, images, namespace },
        signal,
      }),
    insights: async (groupBy: string, since?: string) => {
      const { body } = await client.request<List<GroupCount> | GroupCount[]>(
        `${o}/insights${toQuery({ groupBy, since })}`,
      );
      return Array.isArray(body) ? body : (body?.items ?? []);
    },
    violations: (filter: Readonly<Record<string, string | undefined>>) =>
      client.request<List<Violation>>(
        `${o}/insights/violations${toQuery({ ...filter, limit: 100 })}`,
      ),
    tokens: async () => {
      const { body } = await client.request<List<ApiToken>>(`${o}/tokens`);
      return body?.items ?? [];
    },
    createToken: (name: string, role: string, workspaces: readonly string[]) =>
      client.request<ApiToken>(`${o}/tokens`, {
        method: "POST",
        body: { metadata: { name }, spec: { role, workspaces } },
      }),
    revokeToken: (name: string) =>
      client.request<unknown>(`${o}/tokens/${seg(name)}`, { method: "DELETE" }),
    rotateToken: (name: string) =>
      client.request<ApiToken>(`${o}/tokens/${seg(name)}/rotate`, { method: "POST" }),
    /** Tokens of no organization (role admin): only an admin sees them. */
    adminTokens: async () => {
      const { body } = await client.request<List<ApiToken>>("/tokens");
      return body?.items ?? [];
    },
    revokeAdminToken: (name: string) =>
      client.request<unknown>(`/tokens/${seg(name)}`, { method: "DELETE" }),
    rotateAdminToken: (name: string) =>
      client.request<ApiToken>(`/tokens/${seg(name)}/rotate`, { method: "POST" }),
    audit: (cont?: string) =>
      client.request<List<AuditEntry>>(`${o}/audit${toQuery({ limit: 50, continue: cont })}`),
  };
}

export type Api = ReturnType<typeof createApi>;

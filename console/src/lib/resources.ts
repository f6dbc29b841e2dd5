/** Typed calls for each resource of the API (docs/control-plane.md), on top of `Client`. */

import { type Client, seg, toQuery } from "./api.js";
import type {
  Cluster as ApiCluster,
  Whoami as ApiWhoami,
  Attachment as AttachAnswer,
  AuditList,
  ClusterCreated,
  ClusterList,
  Compliance,
  ComplianceTrend,
  Exception,
  ExceptionList,
  ExceptionWritten,
  FailingWorkloadList,
  ImpactChange,
  ImpactResponse,
  Insights,
  Named,
  ObjectMeta,
  OrganizationList,
  Policy,
  PolicyList,
  PolicyWritten,
  PreviewRequest,
  PreviewResponse,
  ReportedNamespaceList,
  Token,
  TokenCreated,
  TokenList,
  TokenRequest,
  ViolationList,
  ViolationsDaily,
  Workspace,
  WorkspaceList,
  WorkspaceNamespace,
  WorkspaceNamespaceList,
} from "./api-types.js";

/**
 * What the API answers is declared once, in the OpenAPI document; these are its types
 * (api-types.ts, generated), under the names the pages use.
 */
export type {
  AgentInstall,
  AuditEntry,
  ClusterStatus,
  GroupCount,
  InstallFile,
  ReportedNamespace,
  Violation,
  Workspace,
} from "./api-types.js";

/** The metadata of the control plane's records. */
export type Meta = ObjectMeta;

/** A cluster as listed, or as created: then with its agent token and install files, once. */
export type Cluster = ApiCluster & Partial<Pick<ClusterCreated, "agentToken" | "install">>;

/** An API token as listed: never its secret (`token` only in the answer that made it). */
export type ApiToken = Token & Partial<Pick<TokenCreated, "token">>;

/** A namespace attached to a workspace, with its labels once an agent reported it. */
export type Attachment = WorkspaceNamespace;

/** A stored policy: the ImagePolicy document with the control plane's metadata. */
export type PolicyDocument = Policy;

/** The namespace a preview decides for (absent: one the policy's scope covers). */
export type PreviewNamespace = Required<NonNullable<PreviewRequest["namespace"]>>;

/** Who the console is signed in as, whatever the token's kind. */
export interface Whoami {
  readonly name: string;
  readonly role: string;
  readonly organization: string | undefined;
  readonly workspaces: readonly string[];
}

/** The paged lists the console reads whole. */
type PagedList = OrganizationList | WorkspaceList | ClusterList | PolicyList | ExceptionList;

/** A stored ImagePolicyException with the control plane's metadata. */
export type ExceptionDocument = Exception;

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
async function all<L extends PagedList>(
  client: Client,
  path: string,
): Promise<L["items"][number][]> {
  const items: L["items"][number][] = [];
  let next: string | undefined;
  const join = path.includes("?") ? "&" : "?";
  for (let page = 0; page < 50; page++) {
    const cont = next === undefined ? "" : `&continue=${encodeURIComponent(next)}`;
    const { body } = await client.request<L>(`${path}${join}limit=500${cont}`);
    items.push(...(body?.items ?? []));
    next = body?.continue;
    if (next === undefined || next === "") break;
  }
  return items;
}

/** `{metadata: {name}, spec: {description?}}` of a new organization, workspace or cluster. */
const namedBody = (name: string, description: string): Named => ({
  metadata: { name },
  spec: description === "" ? {} : { description },
});

export function createApi(client: Client, org: string) {
  const o = `/organizations/${seg(org)}`;
  return {
    whoami: async () => toWhoami((await client.request<ApiWhoami>("/whoami")).body),
    organizations: () => all<OrganizationList>(client, "/organizations"),
    workspaces: () => all<WorkspaceList>(client, `${o}/workspaces`),
    workspace: (ws: string) => client.request<Workspace>(`${o}/workspaces/${seg(ws)}`),
    createWorkspace: (name: string, description: string) =>
      client.request<Workspace>(`${o}/workspaces`, {
        method: "POST",
        body: namedBody(name, description),
      }),
    updateWorkspace: (ws: Workspace, description: string) =>
      client.request<Workspace>(`${o}/workspaces/${seg(ws.metadata.name)}`, {
        method: "PUT",
        body: {
          metadata: { name: ws.metadata.name },
          spec: { ...ws.spec, description },
        } satisfies Named,
        ifMatch: ws.metadata.resourceVersion,
      }),
    deleteWorkspace: (ws: Workspace) =>
      client.request<undefined>(`${o}/workspaces/${seg(ws.metadata.name)}`, {
        method: "DELETE",
        ifMatch: ws.metadata.resourceVersion,
      }),
    attachments: async (ws: string) => {
      const { body } = await client.request<WorkspaceNamespaceList>(
        `${o}/workspaces/${seg(ws)}/namespaces`,
      );
      return body?.items ?? [];
    },
    attach: (ws: string, cluster: string, ns: string) =>
      client.request<AttachAnswer>(
        `${o}/workspaces/${seg(ws)}/namespaces/${seg(cluster)}/${seg(ns)}`,
        { method: "PUT", body: {} },
      ),
    detach: (ws: string, cluster: string, ns: string) =>
      client.request<undefined>(
        `${o}/workspaces/${seg(ws)}/namespaces/${seg(cluster)}/${seg(ns)}`,
        { method: "DELETE" },
      ),
    clusters: () => all<ClusterList>(client, `${o}/clusters`),
    createCluster: (name: string, description: string) =>
      client.request<ClusterCreated>(`${o}/clusters`, {
        method: "POST",
        body: namedBody(name, description),
      }),
    deleteCluster: (c: Cluster) =>
      client.request<undefined>(`${o}/clusters/${seg(c.metadata.name)}`, {
        method: "DELETE",
        ifMatch: c.metadata.resourceVersion,
      }),
    namespaces: async (cluster: string) => {
      const { body } = await client.request<ReportedNamespaceList>(
        `${o}/clusters/${seg(cluster)}/namespaces`,
      );
      return body?.items ?? [];
    },
    policies: () => all<PolicyList>(client, `${o}/policies`),
    policy: (name: string) => client.request<Policy>(`${o}/policies/${seg(name)}`),
    createPolicy: (doc: unknown) =>
      client.request<PolicyWritten>(`${o}/policies`, { method: "POST", body: doc }),
    updatePolicy: (name: string, doc: unknown, resourceVersion: string) =>
      client.request<PolicyWritten>(`${o}/policies/${seg(name)}`, {
        method: "PUT",
        body: doc,
        ifMatch: resourceVersion,
      }),
    deletePolicy: (name: string, resourceVersion: string) =>
      client.request<undefined>(`${o}/policies/${seg(name)}`, {
        method: "DELETE",
        ifMatch: resourceVersion,
      }),
    exceptions: () => all<ExceptionList>(client, `${o}/exceptions`),
    createException: (doc: unknown) =>
      client.request<ExceptionWritten>(`${o}/exceptions`, { method: "POST", body: doc }),
    updateException: (name: string, doc: unknown, resourceVersion: string) =>
      client.request<ExceptionWritten>(`${o}/exceptions/${seg(name)}`, {
        method: "PUT",
        body: doc,
        ifMatch: resourceVersion,
      }),
    deleteException: (name: string, resourceVersion: string) =>
      client.request<undefined>(`${o}/exceptions/${seg(name)}`, {
        method: "DELETE",
        ifMatch: resourceVersion,
      }),
    /** The policy may be a draft: the answer says what is wrong with it. */
    preview: (
      policy: unknown,
      images: readonly string[],
      namespace: PreviewNamespace | undefined,
      signal: AbortSignal,
    ) =>
      client.request<PreviewResponse>(`${o}/policies/preview`, {
        method: "POST",
        body: namespace === undefined ? { policy, images } : { policy, images, namespace },
        signal,
      }),
    /** What the changes would deny among running workloads and recent admissions. */
    impact: (changes: readonly ImpactChange[], signal?: AbortSignal) =>
      client.request<ImpactResponse>(`${o}/impact`, {
        method: "POST",
        body: { changes },
        ...(signal === undefined ? {} : { signal }),
      }),
    insights: async (groupBy: string, since?: string) => {
      const { body } = await client.request<Insights>(
        `${o}/insights${toQuery({ groupBy, since })}`,
      );
      return body?.items ?? [];
    },
    violations: (filter: Readonly<Record<string, string | undefined>>) =>
      client.request<ViolationList>(
        `${o}/insights/violations${toQuery({ ...filter, limit: 100 })}`,
      ),
    /** Current compliance (lib/insights.ts reads the answers defensively). */
    compliance: async (filter: Readonly<Record<string, string | undefined>>) =>
      (await client.request<Compliance>(`${o}/compliance${toQuery(filter)}`)).body,
    failingWorkloads: async (filter: Readonly<Record<string, string | undefined>>) =>
      (
        await client.request<FailingWorkloadList>(
          `${o}/compliance/failing${toQuery({ ...filter, limit: 100 })}`,
        )
      ).body,
    complianceTrend: async (
      days: number,
      by: string,
      filter: Readonly<Record<string, string | undefined>> = {},
    ) =>
      (
        await client.request<ComplianceTrend>(
          `${o}/compliance/trend${toQuery({ ...filter, days, by })}`,
        )
      ).body,
    violationsDaily: async (
      days: number,
      by: string,
      filter: Readonly<Record<string, string | undefined>> = {},
    ) =>
      (
        await client.request<ViolationsDaily>(
          `${o}/violations/daily${toQuery({ ...filter, days, by })}`,
        )
      ).body,
    /** A list endpoint's CSV export (`?format=csv`), e.g. `compliance` or `insights/violations`. */
    csv: async (list: string, filter: Readonly<Record<string, string | undefined>>) =>
      (
        await client.request<string>(`${o}/${list}${toQuery({ ...filter, format: "csv" })}`, {
          as: "text",
        })
      ).body,
    tokens: async (): Promise<readonly ApiToken[]> => {
      const { body } = await client.request<TokenList>(`${o}/tokens`);
      return body?.items ?? [];
    },
    createToken: (
      name: string,
      role: TokenRequest["spec"]["role"],
      workspaces: readonly string[],
    ) =>
      client.request<TokenCreated>(`${o}/tokens`, {
        method: "POST",
        body: { metadata: { name }, spec: { role, workspaces } } satisfies TokenRequest,
      }),
    revokeToken: (name: string) =>
      client.request<undefined>(`${o}/tokens/${seg(name)}`, { method: "DELETE" }),
    rotateToken: (name: string) =>
      client.request<TokenCreated>(`${o}/tokens/${seg(name)}/rotate`, { method: "POST" }),
    /** Tokens of no organization (role admin): only an admin sees them. */
    adminTokens: async (): Promise<readonly ApiToken[]> => {
      const { body } = await client.request<TokenList>("/tokens");
      return body?.items ?? [];
    },
    revokeAdminToken: (name: string) =>
      client.request<undefined>(`/tokens/${seg(name)}`, { method: "DELETE" }),
    rotateAdminToken: (name: string) =>
      client.request<TokenCreated>(`/tokens/${seg(name)}/rotate`, { method: "POST" }),
    audit: (cont?: string) =>
      client.request<AuditList>(`${o}/audit${toQuery({ limit: 50, continue: cont })}`),
  };
}

export type Api = ReturnType<typeof createApi>;

import type { Selectable } from "kysely";
import type {
  AttachmentRow,
  AuditEntry,
  ClusterRow,
  NamespaceRow,
  ObjectMeta,
  OrganizationRow,
  PolicyRow,
  Role,
  TokenRow,
  ViolationRecord,
  WorkspaceRow,
} from "../../core/fleet/store.js";
import type { Database, ObjectColumns } from "./schema.js";

// Ids come back as numbers from SQLite and as strings from PostgreSQL's bigserial, so every
// number goes through Number().
type Row<T extends keyof Database> = Selectable<Database[T]>;

/** Absent fields stay absent (not `undefined` keys), so objects compare and print cleanly. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== null && v !== undefined),
  ) as T;
}

export function toMeta(row: Omit<ObjectColumns, "description">): ObjectMeta {
  return {
    name: row.name,
    uid: row.uid,
    resourceVersion: String(row.resource_version),
    creationTimestamp: row.created_at,
    updatedAt: row.updated_at,
    createdBy: row.created_by,
    updatedBy: row.updated_by,
  };
}

function toSpec(row: { description: string | null }): { description?: string } {
  return row.description === null ? {} : { description: row.description };
}

export function toOrganization(row: Row<"organizations">): OrganizationRow {
  return { metadata: toMeta(row), spec: toSpec(row), revision: Number(row.revision) };
}

export function toWorkspace(row: Row<"workspaces">): WorkspaceRow {
  return { organization: row.organization, metadata: toMeta(row), spec: toSpec(row) };
}

export function toCluster(row: Row<"clusters">): ClusterRow {
  return {
    organization: row.organization,
    metadata: toMeta(row),
    spec: toSpec(row),
    status: defined({
      lastSeen: row.last_seen,
      agentVersion: row.agent_version,
      kubernetesVersion: row.kubernetes_version,
      deliveredRevision: row.delivered_revision,
      appliedRevision: row.applied_revision,
      deliveredDigest: row.delivered_digest,
      appliedDigest: row.applied_digest,
    }) as ClusterRow["status"],
  };
}

export function toNamespace(row: Row<"namespaces">): NamespaceRow {
  return {
    organization: row.organization,
    cluster: row.cluster,
    name: row.name,
    labels: JSON.parse(row.labels) as Record<string, string>,
  };
}

export function toAttachment(row: Row<"attachments">): AttachmentRow {
  return {
    organization: row.organization,
    workspace: row.workspace,
    cluster: row.cluster,
    namespace: row.namespace,
    attachedAt: row.attached_at,
    attachedBy: row.attached_by,
  };
}

export function toScope(row: Row<"policies">): PolicyRow["scope"] {
  if (row.scope_kind === "workspace")
    return { kind: "workspace", workspace: row.scope_workspace ?? "" };
  if (row.scope_kind === "namespace") {
    const namespace = row.scope_namespace ?? "";
    return row.scope_cluster === null
      ? { kind: "namespace", namespace }
      : { kind: "namespace", cluster: row.scope_cluster, namespace };
  }
  return { kind: "organization" };
}

/** The scope as the four columns that store it. */
export function scopeColumns(scope: PolicyRow["scope"]) {
  return {
    scope_kind: scope.kind,
    scope_workspace: scope.kind === "workspace" ? scope.workspace : null,
    scope_cluster: scope.kind === "namespace" ? (scope.cluster ?? null) : null,
    scope_namespace: scope.kind === "namespace" ? scope.namespace : null,
  };
}

export function toPolicy(row: Row<"policies">): PolicyRow {
  return {
    organization: row.organization,
    metadata: toMeta(row),
    document: JSON.parse(row.document) as Record<string, unknown>,
    scope: toScope(row),
  };
}

export function toToken(row: Row<"tokens">): TokenRow {
  return {
    id: row.id,
    organization: row.organization ?? undefined,
    name: row.name,
    role: row.role as Role,
    workspaces: JSON.parse(row.workspaces) as string[],
    cluster: row.cluster ?? undefined,
    secretHash: row.secret_hash,
    createdAt: row.created_at,
    createdBy: row.created_by,
    revokedAt: row.revoked_at ?? undefined,
    lastUsedAt: row.last_used_at ?? undefined,
  };
}

/** What the audit log keeps of a token: never its id's secret half nor its hash. */
export function toAuditedToken(token: TokenRow) {
  return defined({
    name: token.name,
    role: token.role,
    organization: token.organization,
    workspaces: token.workspaces,
    cluster: token.cluster,
    revokedAt: token.revokedAt,
  });
}

function parseJson(text: string | null): unknown {
  return text === null ? undefined : JSON.parse(text);
}

export function toAuditEntry(row: Row<"audit">): AuditEntry {
  return {
    id: Number(row.id),
    time: row.time,
    actor: { token: row.actor_token, role: row.actor_role as Role },
    action: row.action as AuditEntry["action"],
    kind: row.kind,
    name: row.name,
    organization: row.organization ?? undefined,
    workspace: row.workspace ?? undefined,
    before: parseJson(row.before),
    after: parseJson(row.after),
  };
}

export function toViolation(row: Row<"violations">): ViolationRecord {
  return defined({
    id: Number(row.id),
    organization: row.organization,
    cluster: row.cluster,
    time: row.time,
    source: row.source as ViolationRecord["source"],
    operation: row.operation,
    namespace: row.namespace,
    kind: row.kind,
    name: row.name,
    container: row.container,
    image: row.image,
    normalizedImage: row.normalized_image,
    policy: row.policy,
    action: row.action as ViolationRecord["action"],
    code: row.code,
    message: row.message,
    outcome: row.outcome,
    ownerKind: row.owner_kind,
    ownerName: row.owner_name,
    count: Number(row.count),
    firstSeen: row.first_seen ?? row.time,
    lastSeen: row.time,
  }) as ViolationRecord;
}

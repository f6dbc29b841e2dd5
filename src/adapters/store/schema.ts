import type { Generated } from "kysely";

/**
 * The tables as the query layer sees them. JSON columns are text in both dialects and times
 * are RFC 3339 UTC strings (`toISOString()`), so one set of queries serves SQLite and
 * PostgreSQL and times compare as strings.
 */
export interface Database {
  customs_migrations: { version: number; name: string; applied_at: string };
  organizations: ObjectColumns & { revision: number };
  workspaces: ObjectColumns & { organization: string };
  clusters: ObjectColumns & {
    organization: string;
    last_seen: string | null;
    agent_version: string | null;
    kubernetes_version: string | null;
    delivered_revision: string | null;
    applied_revision: string | null;
    /** Since schema version 3. */
    delivered_digest: string | null;
    applied_digest: string | null;
  };
  /** Since schema version 3: the keys bundles are signed with, one per generation. */
  bundle_keys: {
    generation: number;
    id: string;
    algorithm: string;
    public_key: string;
    private_key: string;
    created_at: string;
    not_after: string | null;
    endorsement: string | null;
  };
  namespaces: { organization: string; cluster: string; name: string; labels: string };
  attachments: {
    organization: string;
    workspace: string;
    cluster: string;
    namespace: string;
    attached_at: string;
    attached_by: string;
  };
  policy_exceptions: Omit<ObjectColumns, "description"> & {
    organization: string;
    document: string;
    scope_kind: string;
    scope_workspace: string | null;
    scope_cluster: string | null;
    scope_namespace: string | null;
  };
  policies: Omit<ObjectColumns, "description"> & {
    organization: string;
    document: string;
    scope_kind: string;
    scope_workspace: string | null;
    scope_cluster: string | null;
    scope_namespace: string | null;
  };
  tokens: {
    id: string;
    organization: string | null;
    name: string;
    role: string;
    workspaces: string;
    cluster: string | null;
    secret_hash: string;
    created_at: string;
    created_by: string;
    revoked_at: string | null;
    /** Since schema version 2. */
    last_used_at: string | null;
  };
  audit: {
    id: Generated<number>;
    time: string;
    actor_token: string;
    actor_role: string;
    action: string;
    kind: string;
    name: string;
    organization: string | null;
    workspace: string | null;
    before: string | null;
    after: string | null;
  };
  /** Since schema version 3. */
  sessions: {
    id_hash: string;
    organization: string;
    subject: string;
    username: string;
    groups: string;
    csrf_token: string;
    created_at: string;
    last_seen_at: string;
    expires_at: string;
  };
  /** Since schema version 3. */
  sign_ins: {
    id_hash: string;
    state: string;
    nonce: string;
    code_verifier: string;
    return_to: string;
    created_at: string;
    expires_at: string;
  };
  violations: {
    id: Generated<number>;
    organization: string;
    cluster: string;
    time: string;
    source: string;
    operation: string | null;
    namespace: string;
    kind: string;
    name: string;
    container: string;
    image: string;
    normalized_image: string | null;
    policy: string;
    action: string;
    code: string;
    message: string;
    /** Since schema version 6 (NULL only in rows older than it, for dedupe_key). */
    outcome: string | null;
    owner_kind: string | null;
    owner_name: string | null;
    first_seen: string | null;
    dedupe_key: string | null;
    count: Generated<number>;
  };
  /** Since schema version 6: each cluster's last inventory report. */
  inventory: {
    organization: string;
    cluster: string;
    revision: number;
    /** Grows with every report of the cluster (parsed documents are cached by it). */
    generation: number;
    generated_at: string;
    received_at: string;
    workloads: number;
    failing: number;
    warning: number;
    /** JSON: the report's workloads. */
    document: string;
  };
  /** Since schema version 6: the day's last counts per cluster, namespace and policy ("" = all). */
  compliance_daily: {
    organization: string;
    day: string;
    cluster: string;
    namespace: string;
    policy: string;
    workloads: number;
    failing: number;
    warning: number;
  };
}

/** Columns every named object has (ObjectMeta plus a description). */
export interface ObjectColumns {
  name: string;
  uid: string;
  description: string | null;
  resource_version: number;
  created_at: string;
  updated_at: string;
  created_by: string;
  updated_by: string;
}

import { type CreateTableBuilder, type Kysely, sql } from "kysely";
import type { Dialect } from "./migrations.js";

// biome-ignore lint/suspicious/noExplicitAny: tables are created before they have a type
type Db = Kysely<any>;
// biome-ignore lint/suspicious/noExplicitAny: see above
type Table = CreateTableBuilder<any, any>;

/** Text columns in order; NOT NULL unless `nullable` (SQLite even lets key columns be NULL). */
export function texts(table: Table, names: readonly string[], nullable = false): Table {
  return names.reduce(
    (t, name) => t.addColumn(name, "text", (c) => (nullable ? c : c.notNull())),
    table,
  );
}

/** name, uid, description, resource_version and the four metadata columns. */
function objectColumns(table: Table): Table {
  return texts(texts(texts(table, ["name", "uid"]), ["description"], true), [
    "created_at",
    "updated_at",
    "created_by",
    "updated_by",
  ]).addColumn("resource_version", "integer", (c) => c.notNull());
}

/** A foreign key whose rows go when their parent goes. */
function belongsTo(
  table: Table,
  name: string,
  columns: string[],
  parent: string,
  keys: string[],
): Table {
  return table.addForeignKeyConstraint(name, columns, parent, keys, (c) => c.onDelete("cascade"));
}

/** An object named inside an organization: key (organization, name), gone with it. */
export function namedInOrganization(db: Db, name: string): Table {
  const table = objectColumns(texts(db.schema.createTable(name), ["organization"]));
  return belongsTo(table, `${name}_org_fk`, ["organization"], "organizations", [
    "name",
  ]).addPrimaryKeyConstraint(`${name}_pk`, ["organization", "name"]);
}

/**
 * The one dialect difference: an id that only grows. SQLite's AUTOINCREMENT (not a plain
 * rowid) never reuses the id of a deleted row, so paging by id after pruning stays exact.
 */
function idColumn(table: Table, dialect: Dialect): Table {
  return dialect === "postgres"
    ? table.addColumn("id", "bigserial", (c) => c.primaryKey())
    : table.addColumn("id", "integer", (c) => c.primaryKey().autoIncrement());
}

export async function index(db: Db, name: string, table: string, columns: string[]): Promise<void> {
  await db.schema.createIndex(name).on(table).columns(columns).execute();
}

export async function initialSchema(db: Db, dialect: Dialect): Promise<void> {
  await objectColumns(db.schema.createTable("organizations"))
    .addColumn("revision", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("organizations_pk", ["name"])
    .execute();
  await namedInOrganization(db, "workspaces").execute();
  await texts(namedInOrganization(db, "clusters"), statusColumns, true).execute();

  const cluster = ["organization", "cluster"];
  const clusterKey = ["organization", "name"];
  await belongsTo(
    texts(db.schema.createTable("namespaces"), ["organization", "cluster", "name", "labels"]),
    "namespaces_cluster_fk",
    cluster,
    "clusters",
    clusterKey,
  )
    .addPrimaryKeyConstraint("namespaces_pk", ["organization", "cluster", "name"])
    .execute();

  // The primary key is the rule "a namespace is in at most one workspace".
  const attachments = texts(db.schema.createTable("attachments"), [
    ...["organization", "workspace", "cluster", "namespace", "attached_at", "attached_by"],
  ]).addPrimaryKeyConstraint("attachments_pk", ["organization", "cluster", "namespace"]);
  const workspace = ["organization", "workspace"];
  await belongsTo(
    belongsTo(attachments, "attachments_workspace_fk", workspace, "workspaces", clusterKey),
    "attachments_cluster_fk",
    cluster,
    "clusters",
    clusterKey,
  ).execute();
  await index(db, "attachments_workspace", "attachments", workspace);

  const policies = texts(namedInOrganization(db, "policies"), ["document", "scope_kind"]);
  await texts(policies, ["scope_workspace", "scope_cluster", "scope_namespace"], true).execute();
  await index(db, "policies_workspace", "policies", ["organization", "scope_workspace"]);

  await tokensTable(db);
  await auditTable(db, dialect);
  await violationsTable(db, dialect);
}

const statusColumns = [
  "last_seen",
  "agent_version",
  "kubernetes_version",
  "delivered_revision",
  "applied_revision",
];

async function tokensTable(db: Db): Promise<void> {
  const table = db.schema
    .createTable("tokens")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization", "text", (c) =>
      c.references("organizations.name").onDelete("cascade"),
    );
  const required = texts(table, ["name", "role", "workspaces"]);
  const withCluster = texts(required, ["cluster"], true);
  await texts(
    texts(withCluster, ["secret_hash", "created_at", "created_by"]),
    ["revoked_at"],
    true,
  ).execute();
  // Names are unique among live tokens of one organization (or of none: coalesce, since
  // NULLs never collide in a unique index); a revoked token's name may be used again.
  await db.schema
    .createIndex("tokens_name")
    .on("tokens")
    .unique()
    .expression(sql`coalesce(organization, ''), name`)
    .where(sql.ref("revoked_at"), "is", null)
    .execute();
}

async function auditTable(db: Db, dialect: Dialect): Promise<void> {
  const table = texts(idColumn(db.schema.createTable("audit"), dialect), [
    ...["time", "actor_token", "actor_role", "action", "kind", "name"],
  ]);
  await texts(table, ["organization", "workspace", "before", "after"], true).execute();
  await index(db, "audit_org", "audit", ["organization", "id"]);
}

async function violationsTable(db: Db, dialect: Dialect): Promise<void> {
  const table = idColumn(db.schema.createTable("violations"), dialect).addColumn(
    "organization",
    "text",
    (c) => c.notNull().references("organizations.name").onDelete("cascade"),
  );
  const head = texts(texts(table, ["cluster", "time", "source"]), ["operation"], true);
  const body = texts(head, ["namespace", "kind", "name", "container", "image"]);
  const tail = texts(texts(body, ["normalized_image"], true), [
    "policy",
    "action",
    "code",
    "message",
  ]);
  await tail.execute();
  // Newest-first paging per organization, the filters and group-bys, and retention by time.
  await index(db, "violations_org_id", "violations", ["organization", "id"]);
  await index(db, "violations_org_namespace", "violations", [
    "organization",
    "cluster",
    "namespace",
  ]);
  await index(db, "violations_org_policy", "violations", ["organization", "policy"]);
  await index(db, "violations_org_image", "violations", ["organization", "image"]);
  await index(db, "violations_org_time", "violations", ["organization", "time"]);
  await index(db, "violations_time", "violations", ["time"]);
}

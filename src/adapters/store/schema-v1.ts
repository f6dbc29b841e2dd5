import { type CreateTableBuilder, type Kysely, sql } from "kysely";
import type { Dialect } from "./migrations.js";

// biome-ignore lint/suspicious/noExplicitAny: tables are created before they have a type
type Db = Kysely<any>;
// biome-ignore lint/suspicious/noExplicitAny: see above
type Table = CreateTableBuilder<any, any>;

/** name, uid, description, resource_version and the four metadata columns. */
function objectColumns(table: Table): Table {
  return table
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("uid", "text", (c) => c.notNull())
    .addColumn("description", "text")
    .addColumn("resource_version", "integer", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.notNull())
    .addColumn("updated_by", "text", (c) => c.notNull());
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

const cascade = { onDelete: "cascade" } as const;

export async function initialSchema(db: Db, dialect: Dialect): Promise<void> {
  await objectColumns(db.schema.createTable("organizations"))
    .addColumn("revision", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("organizations_pk", ["name"])
    .execute();

  await objectColumns(db.schema.createTable("workspaces").addColumn("organization", "text"))
    .addPrimaryKeyConstraint("workspaces_pk", ["organization", "name"])
    .addForeignKeyConstraint(
      "workspaces_org_fk",
      ["organization"],
      "organizations",
      ["name"],
      (c) => c.onDelete(cascade.onDelete),
    )
    .execute();

  await objectColumns(db.schema.createTable("clusters").addColumn("organization", "text"))
    .addColumn("last_seen", "text")
    .addColumn("agent_version", "text")
    .addColumn("kubernetes_version", "text")
    .addColumn("delivered_revision", "text")
    .addColumn("applied_revision", "text")
    .addPrimaryKeyConstraint("clusters_pk", ["organization", "name"])
    .addForeignKeyConstraint("clusters_org_fk", ["organization"], "organizations", ["name"], (c) =>
      c.onDelete(cascade.onDelete),
    )
    .execute();

  await db.schema
    .createTable("namespaces")
    .addColumn("organization", "text", (c) => c.notNull())
    .addColumn("cluster", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("labels", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("namespaces_pk", ["organization", "cluster", "name"])
    .addForeignKeyConstraint(
      "namespaces_cluster_fk",
      ["organization", "cluster"],
      "clusters",
      ["organization", "name"],
      (c) => c.onDelete(cascade.onDelete),
    )
    .execute();

  // The primary key is the rule "a namespace is in at most one workspace".
  await db.schema
    .createTable("attachments")
    .addColumn("organization", "text", (c) => c.notNull())
    .addColumn("workspace", "text", (c) => c.notNull())
    .addColumn("cluster", "text", (c) => c.notNull())
    .addColumn("namespace", "text", (c) => c.notNull())
    .addColumn("attached_at", "text", (c) => c.notNull())
    .addColumn("attached_by", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("attachments_pk", ["organization", "cluster", "namespace"])
    .addForeignKeyConstraint(
      "attachments_workspace_fk",
      ["organization", "workspace"],
      "workspaces",
      ["organization", "name"],
      (c) => c.onDelete(cascade.onDelete),
    )
    .addForeignKeyConstraint(
      "attachments_cluster_fk",
      ["organization", "cluster"],
      "clusters",
      ["organization", "name"],
      (c) => c.onDelete(cascade.onDelete),
    )
    .execute();
  await db.schema
    .createIndex("attachments_workspace")
    .on("attachments")
    .columns(["organization", "workspace"])
    .execute();

  await objectColumns(db.schema.createTable("policies").addColumn("organization", "text"))
    .addColumn("document", "text", (c) => c.notNull())
    .addColumn("scope_kind", "text", (c) => c.notNull())
    .addColumn("scope_workspace", "text")
    .addColumn("scope_cluster", "text")
    .addColumn("scope_namespace", "text")
    .addPrimaryKeyConstraint("policies_pk", ["organization", "name"])
    .addForeignKeyConstraint("policies_org_fk", ["organization"], "organizations", ["name"], (c) =>
      c.onDelete(cascade.onDelete),
    )
    .execute();
  await db.schema
    .createIndex("policies_workspace")
    .on("policies")
    .columns(["organization", "scope_workspace"])
    .execute();

  await db.schema
    .createTable("tokens")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization", "text", (c) =>
      c.references("organizations.name").onDelete(cascade.onDelete),
    )
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("role", "text", (c) => c.notNull())
    .addColumn("workspaces", "text", (c) => c.notNull())
    .addColumn("cluster", "text")
    .addColumn("secret_hash", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.notNull())
    .addColumn("revoked_at", "text")
    .execute();
  // Names are unique among live tokens of one organization (or of none: coalesce, since
  // NULLs never collide in a unique index); a revoked token's name may be used again.
  await db.schema
    .createIndex("tokens_name")
    .on("tokens")
    .unique()
    .expression(sqlCoalesceOrgName)
    .where(sql.ref("revoked_at"), "is", null)
    .execute();

  await idColumn(db.schema.createTable("audit"), dialect)
    .addColumn("time", "text", (c) => c.notNull())
    .addColumn("actor_token", "text", (c) => c.notNull())
    .addColumn("actor_role", "text", (c) => c.notNull())
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("organization", "text")
    .addColumn("workspace", "text")
    .addColumn("before", "text")
    .addColumn("after", "text")
    .execute();
  await db.schema.createIndex("audit_org").on("audit").columns(["organization", "id"]).execute();

  await violationsTable(db, dialect);
}

const sqlCoalesceOrgName = sql`coalesce(organization, ''), name`;

async function violationsTable(db: Db, dialect: Dialect): Promise<void> {
  await idColumn(db.schema.createTable("violations"), dialect)
    .addColumn("organization", "text", (c) =>
      c.notNull().references("organizations.name").onDelete(cascade.onDelete),
    )
    .addColumn("cluster", "text", (c) => c.notNull())
    .addColumn("time", "text", (c) => c.notNull())
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("operation", "text")
    .addColumn("namespace", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("container", "text", (c) => c.notNull())
    .addColumn("image", "text", (c) => c.notNull())
    .addColumn("normalized_image", "text")
    .addColumn("policy", "text", (c) => c.notNull())
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("code", "text", (c) => c.notNull())
    .addColumn("message", "text", (c) => c.notNull())
    .execute();
  // Newest-first paging per organization, the filters and group-bys, and retention by time.
  const indexes: [string, string[]][] = [
    ["violations_org_id", ["organization", "id"]],
    ["violations_org_namespace", ["organization", "cluster", "namespace"]],
    ["violations_org_policy", ["organization", "policy"]],
    ["violations_org_image", ["organization", "image"]],
    ["violations_org_time", ["organization", "time"]],
    ["violations_time", ["time"]],
  ];
  for (const [name, columns] of indexes) {
    await db.schema.createIndex(name).on("violations").columns(columns).execute();
  }
}

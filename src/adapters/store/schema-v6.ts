import { type Kysely, sql } from "kysely";
import { index, texts } from "./schema-v1.js";

/**
 * Schema version 6: the fleet's state next to its event stream (docs/control-plane.md,
 * Inventory and compliance).
 *
 * - `inventory`: one row per (organization, cluster) holding the agent's last report as one
 *   JSON document, with its counts. A report replaces the cluster's whole inventory, so one
 *   row makes the replacement a single upsert (no delete of a hundred rows and insert of a
 *   hundred more), and compliance reads at most one row per cluster (1,000 rows for 1,000
 *   clusters). It goes with its cluster (foreign key, cascade). `generation` grows with every
 *   report, so that a replica keeps parsed documents and reads again only those that changed.
 * - `compliance_daily`: the day's last known counts per (cluster, namespace, policy), with
 *   policy "" for the namespace as a whole; upserted when a report arrives. Namespaces are
 *   kept so that workspace roles see the trend of their own namespaces only.
 * - `violations` becomes deduplicated: one row per (cluster, source, outcome, namespace,
 *   owner, policy, code, image, UTC day) with a count. `dedupe_key` is a sha256 of those
 *   fields (an image may be 4,096 characters: too long for a PostgreSQL index entry); rows
 *   stored before this version keep a NULL key, which never conflicts, and count 1.
 */
// biome-ignore lint/suspicious/noExplicitAny: tables are created before they have a type
export async function inventoryTables(db: Kysely<any>): Promise<void> {
  const inventory = texts(db.schema.createTable("inventory"), [
    "organization",
    "cluster",
    "generated_at",
    "received_at",
    "document",
  ]);
  await inventory
    .addColumn("revision", "bigint", (c) => c.notNull())
    .addColumn("generation", "bigint", (c) => c.notNull())
    .addColumn("workloads", "integer", (c) => c.notNull())
    .addColumn("failing", "integer", (c) => c.notNull())
    .addColumn("warning", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("inventory_pk", ["organization", "cluster"])
    .addForeignKeyConstraint(
      "inventory_cluster_fk",
      ["organization", "cluster"],
      "clusters",
      ["organization", "name"],
      (c) => c.onDelete("cascade"),
    )
    .execute();

  const daily = texts(db.schema.createTable("compliance_daily"), [
    "organization",
    "day",
    "cluster",
    "namespace",
    "policy",
  ]);
  await daily
    .addColumn("workloads", "integer", (c) => c.notNull())
    .addColumn("failing", "integer", (c) => c.notNull())
    .addColumn("warning", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("compliance_daily_pk", [
      "organization",
      "day",
      "cluster",
      "namespace",
      "policy",
    ])
    .addForeignKeyConstraint(
      "compliance_daily_org_fk",
      ["organization"],
      "organizations",
      ["name"],
      (c) => c.onDelete("cascade"),
    )
    .execute();

  for (const column of ["outcome", "owner_kind", "owner_name", "first_seen", "dedupe_key"]) {
    await db.schema.alterTable("violations").addColumn(column, "text").execute();
  }
  await db.schema
    .alterTable("violations")
    .addColumn("count", "integer", (c) => c.notNull().defaultTo(1))
    .execute();
  // Records stored before: what the admission did follows from the action alone then.
  await sql`update violations set
      outcome = case action when 'deny' then 'denied' when 'warn' then 'warned' else 'audited' end,
      owner_kind = kind, owner_name = name, first_seen = time`.execute(db);
  await db.schema
    .createIndex("violations_dedupe")
    .on("violations")
    .columns(["organization", "dedupe_key"])
    .unique()
    .execute();
  await index(db, "compliance_daily_cluster", "compliance_daily", ["organization", "cluster"]);
}

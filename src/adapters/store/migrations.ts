import { type Kysely, sql } from "kysely";
import { CustomsError } from "../../core/errors.js";
import type { Database } from "./schema.js";
import { initialSchema } from "./schema-v1.js";
import { sessionTables } from "./schema-v3.js";
import { exceptionTables } from "./schema-v5.js";
import { inventoryTables } from "./schema-v6.js";

export type Dialect = "sqlite" | "postgres";

/**
 * One schema change. Migrations are append-only: a published one never changes, a new
 * version is added after it. `up` gets the plain schema builder (tables it creates are not
 * in `Database` yet, hence `Kysely<any>`).
 */
interface Migration {
  readonly version: number;
  readonly name: string;
  // biome-ignore lint/suspicious/noExplicitAny: the schema before this migration has no type
  up(db: Kysely<any>, dialect: Dialect): Promise<void>;
}

// Any constant works; every replica uses the same one so their migrations run one at a time.
const MIGRATION_LOCK = 7_462_019_341;

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: "initial schema", up: initialSchema },
  {
    version: 2,
    name: "token last use",
    up: async (db) => {
      await db.schema.alterTable("tokens").addColumn("last_used_at", "text").execute();
    },
  },
  {
    version: 3,
    name: "bundle signing keys and verified digests",
    up: async (db) => {
      // One row per key generation: the primary key makes two replicas that generate the
      // first key (or rotate) at the same moment collide, so only one key of a generation exists.
      await db.schema
        .createTable("bundle_keys")
        .addColumn("generation", "integer", (c) => c.primaryKey())
        .addColumn("id", "text", (c) => c.notNull().unique())
        .addColumn("algorithm", "text", (c) => c.notNull())
        .addColumn("public_key", "text", (c) => c.notNull())
        .addColumn("private_key", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("not_after", "text")
        .addColumn("endorsement", "text")
        .execute();
      await db.schema.alterTable("clusters").addColumn("delivered_digest", "text").execute();
      await db.schema.alterTable("clusters").addColumn("applied_digest", "text").execute();
    },
  },
  { version: 4, name: "sign-in sessions", up: sessionTables },
  { version: 5, name: "image policy exceptions", up: exceptionTables },
  {
    version: 6,
    name: "inventory, compliance history and deduplicated events",
    up: inventoryTables,
  },
];

/** The newest schema this build knows. */
export const SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

/**
 * Applies missing migrations, each in its own transaction. The transaction first takes a
 * lock (PostgreSQL: an advisory transaction lock; SQLite: `begin immediate`), then reads the
 * applied version, so replicas starting together apply each migration once and the others
 * see it done. A database newer than this build is refused rather than half understood.
 */
export async function migrate(db: Kysely<Database>, dialect: Dialect): Promise<void> {
  for (;;) {
    const applied = await db.transaction().execute(async (trx) => {
      if (dialect === "postgres")
        await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK})`.execute(trx);
      await trx.schema
        .createTable("customs_migrations")
        .ifNotExists()
        .addColumn("version", "integer", (c) => c.primaryKey())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("applied_at", "text", (c) => c.notNull())
        .execute();
      const row = await trx
        .selectFrom("customs_migrations")
        .select((eb) => eb.fn.max("version").as("version"))
        .executeTakeFirst();
      const current = Number(row?.version ?? 0);
      if (current > SCHEMA_VERSION) {
        throw new CustomsError(
          "STORE_SCHEMA_NEWER",
          `the database schema is version ${current}, newer than this build knows (${SCHEMA_VERSION}); run a newer Customs`,
        );
      }
      const next = MIGRATIONS.find((m) => m.version > current);
      if (next === undefined) return false;
      await next.up(trx, dialect);
      await trx
        .insertInto("customs_migrations")
        .values({ version: next.version, name: next.name, applied_at: new Date().toISOString() })
        .execute();
      return true;
    });
    if (!applied) return;
  }
}

import type { Kysely } from "kysely";

/**
 * Schema version 3: OpenID Connect sign-in. `sessions` are the console's cookie sessions,
 * `sign_ins` the sign-ins under way (state, nonce, PKCE verifier). Both are keyed by the
 * sha256 of a random id only the browser holds, and live in the database so that every
 * replica behind a load balancer knows them. No foreign key: a session of an organization
 * that is deleted simply sees nothing (its requests are 404s) until it ends.
 */
// biome-ignore lint/suspicious/noExplicitAny: tables are created before they have a type
export async function sessionTables(db: Kysely<any>): Promise<void> {
  const text = (name: string) => (t: ReturnType<typeof db.schema.createTable>) =>
    t.addColumn(name, "text", (c) => c.notNull());
  let sessions = db.schema
    .createTable("sessions")
    .addColumn("id_hash", "text", (c) => c.primaryKey());
  for (const name of [
    "organization",
    "subject",
    "username",
    "groups",
    "csrf_token",
    "created_at",
    "last_seen_at",
    "expires_at",
  ])
    sessions = text(name)(sessions);
  await sessions.execute();
  await db.schema.createIndex("sessions_expires").on("sessions").column("expires_at").execute();
  let signIns = db.schema
    .createTable("sign_ins")
    .addColumn("id_hash", "text", (c) => c.primaryKey());
  for (const name of ["state", "nonce", "code_verifier", "return_to", "created_at", "expires_at"])
    signIns = text(name)(signIns);
  await signIns.execute();
  await db.schema.createIndex("sign_ins_expires").on("sign_ins").column("expires_at").execute();
}

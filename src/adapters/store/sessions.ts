import type { Selectable } from "kysely";
import type { SessionRow, SignInRow } from "../../core/fleet/store.js";
import { read, type StoreContext } from "./context.js";
import type { Database } from "./schema.js";

function toSession(row: Selectable<Database["sessions"]>): SessionRow {
  const groups = JSON.parse(row.groups) as unknown;
  return {
    idHash: row.id_hash,
    organization: row.organization,
    subject: row.subject,
    username: row.username,
    groups: Array.isArray(groups) ? groups.map(String) : [],
    csrfToken: row.csrf_token,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
  };
}

export async function createSession(context: StoreContext, s: SessionRow): Promise<void> {
  await read(undefined, () =>
    context.db
      .insertInto("sessions")
      .values({
        id_hash: s.idHash,
        organization: s.organization,
        subject: s.subject,
        username: s.username,
        groups: JSON.stringify(s.groups),
        csrf_token: s.csrfToken,
        created_at: s.createdAt,
        last_seen_at: s.lastSeenAt,
        expires_at: s.expiresAt,
      })
      .execute(),
  );
}

export async function findSession(
  context: StoreContext,
  idHash: string,
): Promise<SessionRow | undefined> {
  const row = await read(undefined, () =>
    context.db.selectFrom("sessions").selectAll().where("id_hash", "=", idHash).executeTakeFirst(),
  );
  return row === undefined ? undefined : toSession(row);
}

export async function touchSession(
  context: StoreContext,
  idHash: string,
  time: string,
): Promise<void> {
  await read(undefined, () =>
    context.db
      .updateTable("sessions")
      .set({ last_seen_at: time })
      .where("id_hash", "=", idHash)
      .execute(),
  );
}

export async function deleteSession(context: StoreContext, idHash: string): Promise<void> {
  await read(undefined, () =>
    context.db.deleteFrom("sessions").where("id_hash", "=", idHash).execute(),
  );
}

export async function createSignIn(context: StoreContext, s: SignInRow): Promise<void> {
  await read(undefined, () =>
    context.db
      .insertInto("sign_ins")
      .values({
        id_hash: s.idHash,
        state: s.state,
        nonce: s.nonce,
        code_verifier: s.codeVerifier,
        return_to: s.returnTo,
        created_at: s.createdAt,
        expires_at: s.expiresAt,
      })
      .execute(),
  );
}

/**
 * Deletes the row and returns what was deleted, in one statement (`delete … returning`, which
 * SQLite has since 3.35): of two requests with the same sign-in, only one gets it.
 */
export async function takeSignIn(
  context: StoreContext,
  idHash: string,
): Promise<SignInRow | undefined> {
  const row = await read(undefined, () =>
    context.db
      .deleteFrom("sign_ins")
      .where("id_hash", "=", idHash)
      .returningAll()
      .executeTakeFirst(),
  );
  if (row === undefined) return undefined;
  return {
    idHash: row.id_hash,
    state: row.state,
    nonce: row.nonce,
    codeVerifier: row.code_verifier,
    returnTo: row.return_to,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

export async function pruneSessions(context: StoreContext, before: string): Promise<number> {
  return read(undefined, async () => {
    const sessions = await context.db
      .deleteFrom("sessions")
      .where("expires_at", "<", before)
      .executeTakeFirst();
    const signIns = await context.db
      .deleteFrom("sign_ins")
      .where("expires_at", "<", before)
      .executeTakeFirst();
    return Number(sessions.numDeletedRows) + Number(signIns.numDeletedRows);
  });
}

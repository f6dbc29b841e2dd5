import { randomUUID } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import { CustomsError } from "../../core/errors.js";
import type { Actor, AuditEntry, Precondition } from "../../core/fleet/store.js";
import { type Subject, toStoreError } from "./failures.js";
import type { Dialect } from "./migrations.js";
import type { Database } from "./schema.js";

export type Trx = Transaction<Database>;

/** What every query module needs: the database, its dialect and the clock. */
export interface StoreContext {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  readonly now: () => Date;
}

function timestamp(context: StoreContext): string {
  return context.now().toISOString();
}

export function newUid(): string {
  return randomUUID();
}

/** One audit record, written inside the change's transaction. */
export interface AuditRecord {
  readonly actor: Actor;
  readonly action: AuditEntry["action"];
  readonly kind: string;
  readonly name: string;
  readonly workspace?: string | undefined;
  readonly before?: unknown;
  readonly after?: unknown;
}

async function writeAudit(
  trx: Trx,
  time: string,
  organization: string | undefined,
  record: AuditRecord,
): Promise<void> {
  await trx
    .insertInto("audit")
    .values({
      time,
      actor_token: record.actor.token,
      actor_role: record.actor.role,
      action: record.action,
      kind: record.kind,
      name: record.name,
      organization: organization ?? null,
      workspace: record.workspace ?? null,
      before: record.before === undefined ? null : JSON.stringify(record.before),
      after: record.after === undefined ? null : JSON.stringify(record.after),
    })
    .execute();
}

/** A change inside one organization: its transaction, its time and its next revision. */
export interface Change {
  readonly trx: Trx;
  readonly organization: string;
  readonly time: string;
  /** The revision this change gives the organization; also the changed object's resourceVersion. */
  readonly revision: number;
  audit(record: AuditRecord): Promise<void>;
}

/**
 * Runs `body` in one transaction with the organization's row locked (PostgreSQL: `for
 * update`; SQLite: the transaction is `begin immediate`), so changes of one organization
 * are serialized and the revision counter never skips or repeats. The revision is bumped
 * exactly when the change wrote an audit record: a change nobody made is never delivered.
 */
export async function inOrganization<T>(
  context: StoreContext,
  organization: string,
  subject: Subject,
  body: (change: Change) => Promise<T>,
): Promise<T> {
  try {
    return await context.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom("organizations")
        .select("revision")
        .where("name", "=", organization)
        .$if(context.dialect === "postgres", (q) => q.forUpdate())
        .executeTakeFirst();
      if (row === undefined) {
        throw new CustomsError("STORE_NOT_FOUND", `organization "${organization}" not found`);
      }
      const revision = Number(row.revision) + 1;
      const time = timestamp(context);
      let audited = false;
      const result = await body({
        trx,
        organization,
        time,
        revision,
        audit: async (record) => {
          audited = true;
          await writeAudit(trx, time, organization, record);
        },
      });
      if (audited) {
        await trx
          .updateTable("organizations")
          .set({ revision })
          .where("name", "=", organization)
          .execute();
      }
      return result;
    });
  } catch (error) {
    throw toStoreError(error, subject);
  }
}

/** What a change outside any organization's revision has: its transaction, time and audit. */
export type PlainChange = Pick<Change, "trx" | "time" | "audit">;

/**
 * A change that bumps no organization's revision (a new organization has nothing to lock yet;
 * an admin token or a bundle key belongs to none): one transaction with its audit entries,
 * filed under `organization` when it names one.
 */
export async function outsideOrganization<T>(
  context: StoreContext,
  organization: string | undefined,
  subject: Subject,
  body: (change: PlainChange) => Promise<T>,
): Promise<T> {
  try {
    return await context.db.transaction().execute(async (trx) => {
      const time = timestamp(context);
      return body({ trx, time, audit: (record) => writeAudit(trx, time, organization, record) });
    });
  } catch (error) {
    throw toStoreError(error, subject);
  }
}

/** Reads outside a change still map driver errors (a database that is down, say). */
export async function read<T>(subject: Subject | undefined, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw toStoreError(error, subject);
  }
}

export function notFound(subject: Subject): CustomsError {
  return new CustomsError("STORE_NOT_FOUND", `${subject.kind} "${subject.name}" not found`);
}

/**
 * The precondition against the row read under the lock: missing is STORE_NOT_FOUND, another
 * resourceVersion STORE_CONFLICT naming the current one (the caller re-reads and retries).
 */
export function checkPrecondition<R extends { resource_version: number }>(
  subject: Subject,
  row: R | undefined,
  pre: Precondition,
): R {
  if (row === undefined) throw notFound(subject);
  const current = String(row.resource_version);
  if (pre.resourceVersion !== current) {
    throw new CustomsError(
      "STORE_CONFLICT",
      `${subject.kind} "${subject.name}" has changed: its resourceVersion is ${current}, not ${pre.resourceVersion}`,
    );
  }
  return row;
}

/** An UPDATE/DELETE guarded by `resource_version = ?` must touch exactly one row. */
export function expectOneRow(
  subject: Subject,
  result: { numUpdatedRows?: bigint; numDeletedRows?: bigint },
): void {
  const n = result.numUpdatedRows ?? result.numDeletedRows ?? 0n;
  if (n !== 1n) {
    throw new CustomsError(
      "STORE_CONFLICT",
      `${subject.kind} "${subject.name}" changed concurrently; read it again`,
    );
  }
}

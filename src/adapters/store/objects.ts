import { type Selectable, type SelectQueryBuilder, sql, type Updateable } from "kysely";
import { CustomsError } from "../../core/errors.js";
import type { Actor, PageRequest, Precondition } from "../../core/fleet/store.js";
import {
  type Change,
  checkPrecondition,
  expectOneRow,
  inOrganization,
  notFound,
  read,
  type StoreContext,
  type Trx,
} from "./context.js";
import type { Subject } from "./failures.js";
import { pageSize } from "./paging.js";
import type { Database } from "./schema.js";

/** Tables of objects named inside an organization: the same key (organization, name). */
export type NamedTable = "workspaces" | "clusters" | "policies" | "policy_exceptions";
type Row<T extends NamedTable> = Selectable<Database[T]>;
type Db = Trx | StoreContext["db"];

/** Keyset paging by name: after the cursor, in name order, one more row than shown. */
export function pagedByName<TB extends keyof Database, O>(
  query: SelectQueryBuilder<Database, TB, O>,
  page: PageRequest,
): SelectQueryBuilder<Database, TB, O> {
  return query
    .$if(page.after !== undefined, (q) => q.where(sql.ref("name"), ">", page.after ?? ""))
    .orderBy(sql.ref("name"))
    .limit(pageSize(page) + 1);
}

// Typed through one member of the union: the three tables share the columns used here.
export function selectNamed<T extends NamedTable>(
  db: Db,
  table: T,
  org: string,
  name: string,
): Promise<Row<T> | undefined> {
  return db
    .selectFrom(table as "workspaces")
    .selectAll()
    .where("organization", "=", org)
    .where("name", "=", name)
    .executeTakeFirst() as Promise<Row<T> | undefined>;
}

export async function getNamed<T extends NamedTable, R>(
  context: StoreContext,
  table: T,
  subject: Subject,
  org: string,
  map: (row: Row<T>) => R,
): Promise<R> {
  const row = await read(subject, () => selectNamed(context.db, table, org, subject.name));
  if (row === undefined) throw notFound(subject);
  return map(row);
}

/**
 * `UPDATE … WHERE resource_version = <read under the lock>`; the new resourceVersion is the
 * change's revision. Returns the row as stored.
 */
export async function updateNamed<T extends NamedTable>(
  change: Change,
  table: T,
  subject: Subject,
  before: { resource_version: number },
  set: Updateable<Database[T]>,
  actor: string,
): Promise<Row<T>> {
  const result = await change.trx
    .updateTable(table as "workspaces")
    .set({
      ...(set as Updateable<Database["workspaces"]>),
      resource_version: change.revision,
      updated_at: change.time,
      updated_by: actor,
    })
    .where("organization", "=", change.organization)
    .where("name", "=", subject.name)
    .where("resource_version", "=", before.resource_version)
    .executeTakeFirst();
  expectOneRow(subject, result);
  const row = await selectNamed(change.trx, table, change.organization, subject.name);
  if (row === undefined) throw notFound(subject);
  return row;
}

async function deleteNamed(
  change: Change,
  table: NamedTable,
  subject: Subject,
  before: { resource_version: number },
): Promise<void> {
  const result = await change.trx
    .deleteFrom(table as "workspaces")
    .where("organization", "=", change.organization)
    .where("name", "=", subject.name)
    .where("resource_version", "=", before.resource_version)
    .executeTakeFirst();
  expectOneRow(subject, result);
}

/**
 * DELETE of a named object under the organization's lock, once the caller's resourceVersion
 * matches, with its audit entry. `describe` runs first in the same transaction (a refusal, or
 * what the foreign keys do not cascade) and gives what the entry keeps and its workspace.
 */
export async function deleteChecked<T extends NamedTable>(
  context: StoreContext,
  actor: Actor,
  org: string,
  table: T,
  subject: Subject,
  pre: Precondition,
  describe: (change: Change, row: Row<T>) => Promise<{ before: unknown; workspace?: string }>,
): Promise<void> {
  await inOrganization(context, org, subject, async (change) => {
    const row = await selectChecked(change, table, subject, pre);
    const { before, workspace } = await describe(change, row);
    await deleteNamed(change, table, subject, row as { resource_version: number });
    const { kind, name } = subject;
    await change.audit({ actor, action: "delete", kind, name, workspace, before });
  });
}

/** The columns a new named object starts with: its revision is its first resourceVersion. */
export function newObjectColumns(change: Change, name: string, actor: string, uid: string) {
  return {
    organization: change.organization,
    name,
    uid,
    resource_version: change.revision,
    created_at: change.time,
    updated_at: change.time,
    created_by: actor,
    updated_by: actor,
  };
}

/** The row under the organization's lock, checked against the caller's resourceVersion. */
export async function selectChecked<T extends NamedTable>(
  change: Change,
  table: T,
  subject: Subject,
  pre: Precondition,
): Promise<Row<T>> {
  const row = await selectNamed(change.trx, table, change.organization, subject.name);
  // Every named table has resource_version; the generic row type cannot show it.
  checkPrecondition(subject, row as { resource_version: number } | undefined, pre);
  return row as Row<T>;
}

/** STORE_NOT_FOUND unless the named object exists (`path` says which field named it). */
export async function requireNamed(
  change: Change,
  table: NamedTable,
  subject: Subject,
  path?: string,
): Promise<void> {
  const row = await selectNamed(change.trx, table, change.organization, subject.name);
  if (row === undefined) {
    throw new CustomsError("STORE_NOT_FOUND", `${subject.kind} "${subject.name}" not found`, path);
  }
}

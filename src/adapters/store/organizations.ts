import type {
  Actor,
  OrganizationRow,
  Page,
  PageRequest,
  Precondition,
} from "../../core/fleet/store.js";
import {
  type Change,
  checkPrecondition,
  expectOneRow,
  inOrganization,
  newUid,
  notFound,
  outsideOrganization,
  read,
  type StoreContext,
  type Trx,
} from "./context.js";
import type { Subject } from "./failures.js";
import { pagedByName } from "./objects.js";
import { toPage } from "./paging.js";
import { toOrganization } from "./rows.js";

const KIND = "Organization";

function selectOrganization(db: Trx | StoreContext["db"], name: string) {
  return db.selectFrom("organizations").selectAll().where("name", "=", name).executeTakeFirst();
}

export async function revisions(context: StoreContext): Promise<ReadonlyMap<string, number>> {
  const rows = await read(undefined, () =>
    context.db.selectFrom("organizations").select(["name", "revision"]).execute(),
  );
  return new Map(rows.map((r) => [r.name, Number(r.revision)]));
}

export async function listOrganizations(
  context: StoreContext,
  page: PageRequest,
  only?: readonly string[],
): Promise<Page<OrganizationRow>> {
  if (only !== undefined && only.length === 0) return { items: [], next: undefined };
  const rows = await read(undefined, () =>
    context.db
      .selectFrom("organizations")
      .selectAll()
      .$if(only !== undefined, (q) => q.where("name", "in", only ?? []))
      .$call((q) => pagedByName(q, page))
      .execute(),
  );
  return toPage(rows, page, toOrganization, (r) => r.name);
}

export async function getOrganization(
  context: StoreContext,
  name: string,
): Promise<OrganizationRow> {
  const subject = { kind: KIND, name };
  const row = await read(subject, () => selectOrganization(context.db, name));
  if (row === undefined) throw notFound(subject);
  return toOrganization(row);
}

/** A new organization starts at revision 1, which is also its first resourceVersion. */
export function createOrganization(
  context: StoreContext,
  actor: Actor,
  name: string,
  spec: OrganizationRow["spec"],
): Promise<OrganizationRow> {
  return outsideOrganization(context, name, { kind: KIND, name }, async ({ trx, time, audit }) => {
    const row = {
      name,
      uid: newUid(),
      description: spec.description ?? null,
      resource_version: 1,
      revision: 1,
      created_at: time,
      updated_at: time,
      created_by: actor.token,
      updated_by: actor.token,
    };
    await trx.insertInto("organizations").values(row).execute();
    const after = toOrganization(row);
    await audit({ actor, action: "create", kind: KIND, name, after });
    return after;
  });
}

/** The organization's row under its own lock, checked against the caller's resourceVersion. */
async function selectChecked(change: Change, subject: Subject, pre: Precondition) {
  return checkPrecondition(subject, await selectOrganization(change.trx, subject.name), pre);
}

export async function updateOrganization(
  context: StoreContext,
  actor: Actor,
  name: string,
  spec: OrganizationRow["spec"],
  pre: Precondition,
): Promise<OrganizationRow> {
  const subject = { kind: KIND, name };
  return inOrganization(context, name, subject, async (change) => {
    const before = await selectChecked(change, subject, pre);
    const result = await change.trx
      .updateTable("organizations")
      .set({
        description: spec.description ?? null,
        resource_version: change.revision,
        revision: change.revision,
        updated_at: change.time,
        updated_by: actor.token,
      })
      .where("name", "=", name)
      .where("resource_version", "=", before.resource_version)
      .executeTakeFirst();
    expectOneRow(subject, result);
    const after = toOrganization((await selectOrganization(change.trx, name)) ?? before);
    await change.audit({
      actor,
      action: "update",
      kind: KIND,
      name,
      before: toOrganization(before),
      after,
    });
    return after;
  });
}

/** Foreign keys cascade to everything inside; the audit log keeps the deletion. */
export async function deleteOrganization(
  context: StoreContext,
  actor: Actor,
  name: string,
  pre: Precondition,
): Promise<void> {
  const subject = { kind: KIND, name };
  await inOrganization(context, name, subject, async (change) => {
    const before = await selectChecked(change, subject, pre);
    const result = await change.trx
      .deleteFrom("organizations")
      .where("name", "=", name)
      .where("resource_version", "=", before.resource_version)
      .executeTakeFirst();
    expectOneRow(subject, result);
    await change.audit({
      actor,
      action: "delete",
      kind: KIND,
      name,
      before: toOrganization(before),
    });
  });
}

import { CustomsError } from "../../core/errors.js";
import type {
  Actor,
  Page,
  PageRequest,
  Precondition,
  WorkspaceRow,
} from "../../core/fleet/store.js";
import {
  checkPrecondition,
  expectOneRow,
  inOrganization,
  newUid,
  notFound,
  read,
  type StoreContext,
  type Trx,
} from "./context.js";
import { pageSize, toPage } from "./paging.js";
import { toWorkspace } from "./rows.js";

const KIND = "Workspace";

function selectWorkspace(trx: Trx, org: string, name: string) {
  return trx
    .selectFrom("workspaces")
    .selectAll()
    .where("organization", "=", org)
    .where("name", "=", name)
    .executeTakeFirst();
}

export async function listWorkspaces(
  context: StoreContext,
  org: string,
  page: PageRequest,
  only?: readonly string[],
): Promise<Page<WorkspaceRow>> {
  if (only !== undefined && only.length === 0) return { items: [], next: undefined };
  const rows = await read(undefined, () =>
    context.db
      .selectFrom("workspaces")
      .selectAll()
      .where("organization", "=", org)
      .$if(only !== undefined, (q) => q.where("name", "in", only ?? []))
      .$if(page.after !== undefined, (q) => q.where("name", ">", page.after ?? ""))
      .orderBy("name")
      .limit(pageSize(page) + 1)
      .execute(),
  );
  return toPage(rows, page, toWorkspace, (r) => r.name);
}

export async function getWorkspace(
  context: StoreContext,
  org: string,
  name: string,
): Promise<WorkspaceRow> {
  const subject = { kind: KIND, name };
  const row = await read(subject, () =>
    context.db
      .selectFrom("workspaces")
      .selectAll()
      .where("organization", "=", org)
      .where("name", "=", name)
      .executeTakeFirst(),
  );
  if (row === undefined) throw notFound(subject);
  return toWorkspace(row);
}

export async function createWorkspace(
  context: StoreContext,
  actor: Actor,
  org: string,
  name: string,
  spec: WorkspaceRow["spec"],
): Promise<WorkspaceRow> {
  return inOrganization(context, org, { kind: KIND, name }, async (change) => {
    const row = {
      organization: org,
      name,
      uid: newUid(),
      description: spec.description ?? null,
      resource_version: change.revision,
      created_at: change.time,
      updated_at: change.time,
      created_by: actor.token,
      updated_by: actor.token,
    };
    await change.trx.insertInto("workspaces").values(row).execute();
    const after = toWorkspace(row);
    await change.audit({ actor, action: "create", kind: KIND, name, workspace: name, after });
    return after;
  });
}

export async function updateWorkspace(
  context: StoreContext,
  actor: Actor,
  org: string,
  name: string,
  spec: WorkspaceRow["spec"],
  pre: Precondition,
): Promise<WorkspaceRow> {
  const subject = { kind: KIND, name };
  return inOrganization(context, org, subject, async (change) => {
    const before = checkPrecondition(subject, await selectWorkspace(change.trx, org, name), pre);
    const result = await change.trx
      .updateTable("workspaces")
      .set({
        description: spec.description ?? null,
        resource_version: change.revision,
        updated_at: change.time,
        updated_by: actor.token,
      })
      .where("organization", "=", org)
      .where("name", "=", name)
      .where("resource_version", "=", before.resource_version)
      .executeTakeFirst();
    expectOneRow(subject, result);
    const after = toWorkspace((await selectWorkspace(change.trx, org, name)) ?? before);
    await change.audit({
      actor,
      action: "update",
      kind: KIND,
      name,
      workspace: name,
      before: toWorkspace(before),
      after,
    });
    return after;
  });
}

/** Policies scoped to the workspace keep it; its attachments go with it (foreign key). */
export async function deleteWorkspace(
  context: StoreContext,
  actor: Actor,
  org: string,
  name: string,
  pre: Precondition,
): Promise<void> {
  const subject = { kind: KIND, name };
  await inOrganization(context, org, subject, async (change) => {
    const before = checkPrecondition(subject, await selectWorkspace(change.trx, org, name), pre);
    const scoped = await change.trx
      .selectFrom("policies")
      .select("name")
      .where("organization", "=", org)
      .where("scope_workspace", "=", name)
      .orderBy("name")
      .execute();
    if (scoped.length > 0) {
      const names = scoped.map((p) => `"${p.name}"`).join(", ");
      throw new CustomsError(
        "STORE_CONFLICT",
        `workspace "${name}" still has policies scoped to it: ${names}; delete or move them first`,
      );
    }
    const result = await change.trx
      .deleteFrom("workspaces")
      .where("organization", "=", org)
      .where("name", "=", name)
      .where("resource_version", "=", before.resource_version)
      .executeTakeFirst();
    expectOneRow(subject, result);
    await change.audit({
      actor,
      action: "delete",
      kind: KIND,
      name,
      workspace: name,
      before: toWorkspace(before),
    });
  });
}

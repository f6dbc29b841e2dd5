import { CustomsError } from "../../core/errors.js";
import type {
  Actor,
  Page,
  PageRequest,
  Precondition,
  WorkspaceRow,
} from "../../core/fleet/store.js";
import { inOrganization, newUid, read, type StoreContext } from "./context.js";
import {
  deleteChecked,
  getNamed,
  newObjectColumns,
  pagedByName,
  selectChecked,
  updateNamed,
} from "./objects.js";
import { toPage } from "./paging.js";
import { toWorkspace } from "./rows.js";

const KIND = "Workspace";

export async function listWorkspaces(
  context: StoreContext,
  org: string,
  page: PageRequest,
  only?: readonly string[],
): Promise<Page<WorkspaceRow>> {
  if (only !== undefined && only.length === 0) return { items: [], next: undefined };
  const rows = await read(undefined, () =>
    pagedByName(
      context.db
        .selectFrom("workspaces")
        .selectAll()
        .where("organization", "=", org)
        .$if(only !== undefined, (q) => q.where("name", "in", only ?? [])),
      page,
    ).execute(),
  );
  return toPage(rows, page, toWorkspace, (r) => r.name);
}

export function getWorkspace(
  context: StoreContext,
  org: string,
  name: string,
): Promise<WorkspaceRow> {
  return getNamed(context, "workspaces", { kind: KIND, name }, org, toWorkspace);
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
      ...newObjectColumns(change, name, actor.token, newUid()),
      description: spec.description ?? null,
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
    const before = await selectChecked(change, "workspaces", subject, pre);
    const set = { description: spec.description ?? null };
    const after = toWorkspace(
      await updateNamed(change, "workspaces", subject, before, set, actor.token),
    );
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
  await deleteChecked(context, actor, org, "workspaces", subject, pre, async (change, before) => {
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
    return { before: toWorkspace(before), workspace: name };
  });
}

/**
 * ImagePolicyExceptions in the control plane's database: stored and audited exactly as
 * policies are (policies.ts), in the table `policy_exceptions`.
 */
import type { ExpressionBuilder } from "kysely";
import { CustomsError } from "../../core/errors.js";
import type {
  Actor,
  ExceptionRow,
  Page,
  PageRequest,
  PolicyFilter,
  Precondition,
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
import { auditWorkspace } from "./policies.js";
import { scopeColumns, toPolicy } from "./rows.js";
import type { Database } from "./schema.js";

const KIND = "ImagePolicyException";
const TABLE = "policy_exceptions";

function nameOf(document: Readonly<Record<string, unknown>>): string {
  const metadata = document.metadata as { name?: unknown } | undefined;
  if (typeof metadata?.name !== "string" || metadata.name === "") {
    throw new CustomsError("POLICY_INVALID", "the exception has no metadata.name", "metadata.name");
  }
  return metadata.name;
}

/** Workspace roles see exceptions of their workspaces and of namespaces attached to them. */
function inWorkspaces(workspaces: readonly string[]) {
  return (eb: ExpressionBuilder<Database, typeof TABLE>) =>
    eb.or([
      eb("policy_exceptions.scope_workspace", "in", workspaces),
      eb.exists(
        eb
          .selectFrom("attachments")
          .select("attachments.namespace")
          .whereRef("attachments.organization", "=", "policy_exceptions.organization")
          .whereRef("attachments.namespace", "=", "policy_exceptions.scope_namespace")
          .where("attachments.workspace", "in", workspaces)
          .where((inner) =>
            inner.or([
              inner("policy_exceptions.scope_cluster", "is", null),
              inner("attachments.cluster", "=", inner.ref("policy_exceptions.scope_cluster")),
            ]),
          ),
      ),
    ]);
}

export async function listExceptions(
  context: StoreContext,
  org: string,
  page: PageRequest,
  filter: Pick<PolicyFilter, "visibleTo"> = {},
): Promise<Page<ExceptionRow>> {
  const rows = await read(undefined, () =>
    context.db
      .selectFrom(TABLE)
      .selectAll()
      .where("organization", "=", org)
      .$if(filter.visibleTo !== undefined, (q) =>
        q.where((eb) =>
          eb.or([eb("scope_kind", "=", "organization"), inWorkspaces(filter.visibleTo ?? [])(eb)]),
        ),
      )
      .$call((q) => pagedByName(q, page))
      .execute(),
  );
  return toPage(rows, page, toPolicy, (r) => r.name);
}

export async function allExceptions(
  context: StoreContext,
  org: string,
): Promise<readonly ExceptionRow[]> {
  const rows = await read(undefined, () =>
    context.db
      .selectFrom(TABLE)
      .selectAll()
      .where("organization", "=", org)
      .orderBy("name")
      .execute(),
  );
  return rows.map(toPolicy);
}

export function getException(
  context: StoreContext,
  org: string,
  name: string,
): Promise<ExceptionRow> {
  return getNamed(context, TABLE, { kind: KIND, name }, org, toPolicy);
}

export async function createException(
  context: StoreContext,
  actor: Actor,
  org: string,
  document: Readonly<Record<string, unknown>>,
  scope: ExceptionRow["scope"],
): Promise<ExceptionRow> {
  const name = nameOf(document);
  return inOrganization(context, org, { kind: KIND, name }, async (change) => {
    const workspace = await auditWorkspace(change, scope);
    const row = {
      ...newObjectColumns(change, name, actor.token, newUid()),
      document: JSON.stringify(document),
      ...scopeColumns(scope),
    };
    await change.trx.insertInto(TABLE).values(row).execute();
    const after = toPolicy(row);
    await change.audit({ actor, action: "create", kind: KIND, name, workspace, after });
    return after;
  });
}

export async function updateException(
  context: StoreContext,
  actor: Actor,
  org: string,
  document: Readonly<Record<string, unknown>>,
  scope: ExceptionRow["scope"],
  pre: Precondition,
): Promise<ExceptionRow> {
  const name = nameOf(document);
  const subject = { kind: KIND, name };
  return inOrganization(context, org, subject, async (change) => {
    const before = await selectChecked(change, TABLE, subject, pre);
    const workspace = await auditWorkspace(change, scope);
    const set = { document: JSON.stringify(document), ...scopeColumns(scope) };
    const after = toPolicy(await updateNamed(change, TABLE, subject, before, set, actor.token));
    const audit = { actor, action: "update" as const, kind: KIND, name, workspace };
    await change.audit({ ...audit, before: toPolicy(before), after });
    return after;
  });
}

export async function deleteException(
  context: StoreContext,
  actor: Actor,
  org: string,
  name: string,
  pre: Precondition,
): Promise<void> {
  const subject = { kind: KIND, name };
  await deleteChecked(context, actor, org, TABLE, subject, pre, async (change, row) => {
    const before = toPolicy(row);
    const workspace = await auditWorkspace(change, before.scope).catch(() => undefined);
    return { before, workspace };
  });
}

import type { ExpressionBuilder } from "kysely";
import { CustomsError } from "../../core/errors.js";
import type {
  Actor,
  Page,
  PageRequest,
  PolicyFilter,
  PolicyRow,
  Precondition,
} from "../../core/fleet/store.js";
import { type Change, inOrganization, newUid, read, type StoreContext } from "./context.js";
import {
  deleteChecked,
  getNamed,
  newObjectColumns,
  pagedByName,
  requireNamed,
  selectChecked,
  updateNamed,
} from "./objects.js";
import { toPage } from "./paging.js";
import { scopeColumns, toPolicy } from "./rows.js";
import type { Database } from "./schema.js";

const KIND = "ImagePolicy";

function nameOf(document: Readonly<Record<string, unknown>>): string {
  const metadata = document.metadata as { name?: unknown } | undefined;
  if (typeof metadata?.name !== "string" || metadata.name === "") {
    throw new CustomsError("POLICY_INVALID", "the policy has no metadata.name", "metadata.name");
  }
  return metadata.name;
}

/** Workspace roles see policies of their workspaces and of namespaces attached to them. */
function inWorkspaces(workspaces: readonly string[]) {
  return (eb: ExpressionBuilder<Database, "policies">) =>
    eb.or([
      eb("policies.scope_workspace", "in", workspaces),
      eb.exists(
        eb
          .selectFrom("attachments")
          .select("attachments.namespace")
          .whereRef("attachments.organization", "=", "policies.organization")
          .whereRef("attachments.namespace", "=", "policies.scope_namespace")
          .where("attachments.workspace", "in", workspaces)
          .where((inner) =>
            inner.or([
              inner("policies.scope_cluster", "is", null),
              inner("attachments.cluster", "=", inner.ref("policies.scope_cluster")),
            ]),
          ),
      ),
    ]);
}

export async function listPolicies(
  context: StoreContext,
  org: string,
  page: PageRequest,
  filter: PolicyFilter = {},
): Promise<Page<PolicyRow>> {
  const workspaces =
    filter.workspace === undefined && filter.workspaces === undefined
      ? undefined
      : [
          ...(filter.workspaces ?? []),
          ...(filter.workspace === undefined ? [] : [filter.workspace]),
        ];
  if (workspaces !== undefined && workspaces.length === 0) return { items: [], next: undefined };
  const rows = await read(undefined, () =>
    context.db
      .selectFrom("policies")
      .selectAll()
      .where("organization", "=", org)
      .$if(filter.scope !== undefined, (q) => q.where("scope_kind", "=", filter.scope ?? ""))
      .$if(workspaces !== undefined, (q) => q.where(inWorkspaces(workspaces ?? [])))
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

export async function allPolicies(
  context: StoreContext,
  org: string,
): Promise<readonly PolicyRow[]> {
  const rows = await read(undefined, () =>
    context.db
      .selectFrom("policies")
      .selectAll()
      .where("organization", "=", org)
      .orderBy("name")
      .execute(),
  );
  return rows.map(toPolicy);
}

export function getPolicy(context: StoreContext, org: string, name: string): Promise<PolicyRow> {
  return getNamed(context, "policies", { kind: KIND, name }, org, toPolicy);
}

/**
 * The workspace the audit entry belongs to: the scope's workspace, or the one workspace the
 * scoped namespace is attached to (so workspace admins see changes to their namespaces).
 */
export async function auditWorkspace(
  change: Change,
  scope: PolicyRow["scope"],
): Promise<string | undefined> {
  if (scope.kind === "workspace") {
    const subject = { kind: "Workspace", name: scope.workspace };
    await requireNamed(change, "workspaces", subject, "spec.workspace");
    return scope.workspace;
  }
  if (scope.kind !== "namespace") return undefined;
  const rows = await change.trx
    .selectFrom("attachments")
    .select("workspace")
    .distinct()
    .where("organization", "=", change.organization)
    .where("namespace", "=", scope.namespace)
    .$if(scope.cluster !== undefined, (q) => q.where("cluster", "=", scope.cluster ?? ""))
    .execute();
  return rows.length === 1 ? rows[0]?.workspace : undefined;
}

export async function createPolicy(
  context: StoreContext,
  actor: Actor,
  org: string,
  document: Readonly<Record<string, unknown>>,
  scope: PolicyRow["scope"],
): Promise<PolicyRow> {
  const name = nameOf(document);
  return inOrganization(context, org, { kind: KIND, name }, async (change) => {
    const workspace = await auditWorkspace(change, scope);
    const row = {
      ...newObjectColumns(change, name, actor.token, newUid()),
      document: JSON.stringify(document),
      ...scopeColumns(scope),
    };
    await change.trx.insertInto("policies").values(row).execute();
    const after = toPolicy(row);
    await change.audit({ actor, action: "create", kind: KIND, name, workspace, after });
    return after;
  });
}

export async function updatePolicy(
  context: StoreContext,
  actor: Actor,
  org: string,
  document: Readonly<Record<string, unknown>>,
  scope: PolicyRow["scope"],
  pre: Precondition,
): Promise<PolicyRow> {
  const name = nameOf(document);
  const subject = { kind: KIND, name };
  return inOrganization(context, org, subject, async (change) => {
    const before = await selectChecked(change, "policies", subject, pre);
    const workspace = await auditWorkspace(change, scope);
    const set = { document: JSON.stringify(document), ...scopeColumns(scope) };
    const after = toPolicy(
      await updateNamed(change, "policies", subject, before, set, actor.token),
    );
    await change.audit({
      actor,
      action: "update",
      kind: KIND,
      name,
      workspace,
      before: toPolicy(before),
      after,
    });
    return after;
  });
}

export async function deletePolicy(
  context: StoreContext,
  actor: Actor,
  org: string,
  name: string,
  pre: Precondition,
): Promise<void> {
  const subject = { kind: KIND, name };
  await deleteChecked(context, actor, org, "policies", subject, pre, async (change, row) => {
    const before = toPolicy(row);
    const workspace = await auditWorkspace(change, before.scope).catch(() => undefined);
    return { before, workspace };
  });
}

import type { ExpressionBuilder } from "kysely";
import { CustomsError } from "../../core/errors.js";
import type { Actor, AttachmentRow, NamespaceRow } from "../../core/fleet/store.js";
import {
  type Change,
  inOrganization,
  notFound,
  read,
  type StoreContext,
  type Trx,
} from "./context.js";
import { requireNamed } from "./objects.js";
import { toAttachment, toNamespace } from "./rows.js";
import type { Database } from "./schema.js";

type Reported = { name: string; labels: Readonly<Record<string, string>> };

export async function listNamespaces(
  context: StoreContext,
  org: string,
  cluster?: string,
): Promise<readonly NamespaceRow[]> {
  const rows = await read(undefined, () =>
    context.db
      .selectFrom("namespaces")
      .selectAll()
      .where("organization", "=", org)
      .$if(cluster !== undefined, (q) => q.where("cluster", "=", cluster ?? ""))
      .orderBy("cluster")
      .orderBy("name")
      .execute(),
  );
  return rows.map(toNamespace);
}

/** Labels with sorted keys, so equal sets give equal JSON whatever order the agent sent. */
function canonical(namespaces: readonly Reported[]): Reported[] {
  const byName = new Map<string, Reported>();
  for (const ns of namespaces) {
    const labels = Object.fromEntries(
      Object.entries(ns.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    byName.set(ns.name, { name: ns.name, labels });
  }
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

// Rows per INSERT: well under SQLite's and PostgreSQL's limits on bound parameters.
const CHUNK = 500;

/**
 * The agent sends its full set; only a different set is a change (audited as
 * `ClusterNamespaces`, revision bumped), so an agent repeating itself wakes nobody.
 */
export async function replaceNamespaces(
  context: StoreContext,
  actor: Actor,
  org: string,
  cluster: string,
  namespaces: readonly Reported[],
): Promise<boolean> {
  const next = canonical(namespaces);
  return inOrganization(
    context,
    org,
    { kind: "ClusterNamespaces", name: cluster },
    async (change) => {
      const { trx } = change;
      await requireNamed(change, "clusters", { kind: "Cluster", name: cluster });
      const current = await trx
        .selectFrom("namespaces")
        .selectAll()
        .where("organization", "=", org)
        .where("cluster", "=", cluster)
        .execute();
      const before = canonical(current.map(toNamespace));
      if (JSON.stringify(before) === JSON.stringify(next)) return false;
      await trx
        .deleteFrom("namespaces")
        .where("organization", "=", org)
        .where("cluster", "=", cluster)
        .execute();
      for (let i = 0; i < next.length; i += CHUNK) {
        const values = next.slice(i, i + CHUNK).map((ns) => ({
          organization: org,
          cluster,
          name: ns.name,
          labels: JSON.stringify(ns.labels),
        }));
        await trx.insertInto("namespaces").values(values).execute();
      }
      await change.audit({
        actor,
        action: "report",
        kind: "ClusterNamespaces",
        name: cluster,
        before: { cluster, namespaces: before },
        after: { cluster, namespaces: next },
      });
      return true;
    },
  );
}

export async function listAttachments(
  context: StoreContext,
  org: string,
  filter: { workspace?: string; cluster?: string },
): Promise<readonly AttachmentRow[]> {
  const rows = await read(undefined, () =>
    context.db
      .selectFrom("attachments")
      .selectAll()
      .where("organization", "=", org)
      .$if(filter.workspace !== undefined, (q) => q.where("workspace", "=", filter.workspace ?? ""))
      .$if(filter.cluster !== undefined, (q) => q.where("cluster", "=", filter.cluster ?? ""))
      .orderBy("cluster")
      .orderBy("namespace")
      .execute(),
  );
  return rows.map(toAttachment);
}

/** One attachment's key: a namespace of a cluster is attached to one workspace at most. */
function attachmentKey(org: string, cluster: string, namespace: string) {
  return (eb: ExpressionBuilder<Database, "attachments">) =>
    eb.and({ organization: org, cluster, namespace });
}

function selectAttachment(trx: Trx, org: string, cluster: string, namespace: string) {
  return trx
    .selectFrom("attachments")
    .selectAll()
    .where(attachmentKey(org, cluster, namespace))
    .executeTakeFirst();
}

type AttachmentColumns = NonNullable<Awaited<ReturnType<typeof selectAttachment>>>;

/**
 * Attaching and reclaiming: both need the workspace and the cluster, and decide on who holds
 * the namespace now (`existing`) and the row that attaches it to `workspace` at this change.
 */
function changeAttachment(
  context: StoreContext,
  actor: Actor,
  org: string,
  target: { workspace: string; cluster: string; namespace: string },
  apply: (
    change: Change,
    existing: AttachmentColumns | undefined,
    row: AttachmentColumns,
  ) => Promise<AttachmentRow>,
): Promise<AttachmentRow> {
  const { workspace, cluster, namespace } = target;
  const name = `${cluster}/${namespace}`;
  return inOrganization(context, org, { kind: "NamespaceAttachment", name }, async (change) => {
    await requireNamed(change, "workspaces", { kind: "Workspace", name: workspace });
    await requireNamed(change, "clusters", { kind: "Cluster", name: cluster });
    const existing = await selectAttachment(change.trx, org, cluster, namespace);
    const row = {
      organization: org,
      workspace,
      cluster,
      namespace,
      attached_at: change.time,
      attached_by: actor.token,
    };
    return apply(change, existing, row);
  });
}

/**
 * Attaching again to the same workspace returns the existing attachment (PUT is idempotent;
 * nothing changed, so nothing is audited). Another workspace holding it is STORE_ATTACHED;
 * the message does not name it, since the caller may not be allowed to see it.
 */
export function attach(
  context: StoreContext,
  actor: Actor,
  org: string,
  workspace: string,
  cluster: string,
  namespace: string,
): Promise<AttachmentRow> {
  const target = { workspace, cluster, namespace };
  return changeAttachment(context, actor, org, target, async (change, existing, row) => {
    const name = `${cluster}/${namespace}`;
    if (existing !== undefined) {
      if (existing.workspace === workspace) return toAttachment(existing);
      throw new CustomsError(
        "STORE_ATTACHED",
        `namespace ${name} is attached to another workspace; an organization admin, or the admin of the workspace its customs.dev/workspace label names, can reclaim it`,
      );
    }
    await change.trx.insertInto("attachments").values(row).execute();
    const after = toAttachment(row);
    await change.audit({
      actor,
      action: "attach",
      kind: "NamespaceAttachment",
      name,
      workspace,
      after,
    });
    return after;
  });
}

/**
 * Moves the attachment to `workspace` in one transaction. One audit entry per workspace
 * concerned (`reclaim`, before and after), since each workspace admin sees only entries of
 * its own workspaces and both must learn where the namespace went.
 */
export function reclaim(
  context: StoreContext,
  actor: Actor,
  org: string,
  workspace: string,
  cluster: string,
  namespace: string,
): Promise<AttachmentRow> {
  const target = { workspace, cluster, namespace };
  return changeAttachment(context, actor, org, target, async (change, existing, row) => {
    if (existing?.workspace === workspace) return toAttachment(existing);
    if (existing === undefined) await change.trx.insertInto("attachments").values(row).execute();
    else {
      await change.trx
        .updateTable("attachments")
        .set({ workspace, attached_at: row.attached_at, attached_by: row.attached_by })
        .where(attachmentKey(org, cluster, namespace))
        .execute();
    }
    const before = existing === undefined ? undefined : toAttachment(existing);
    const after = toAttachment(row);
    const record = {
      actor,
      action: "reclaim",
      kind: "NamespaceAttachment",
      name: `${cluster}/${namespace}`,
      before,
      after,
    } as const;
    await change.audit({ ...record, workspace });
    if (before !== undefined) await change.audit({ ...record, workspace: before.workspace });
    return after;
  });
}

export async function detach(
  context: StoreContext,
  actor: Actor,
  org: string,
  workspace: string,
  cluster: string,
  namespace: string,
): Promise<void> {
  const name = `${cluster}/${namespace}`;
  const subject = { kind: "NamespaceAttachment", name };
  await inOrganization(context, org, subject, async (change) => {
    const existing = await selectAttachment(change.trx, org, cluster, namespace);
    if (existing === undefined || existing.workspace !== workspace) throw notFound(subject);
    await change.trx
      .deleteFrom("attachments")
      .where(attachmentKey(org, cluster, namespace))
      .execute();
    await change.audit({
      actor,
      action: "detach",
      kind: "NamespaceAttachment",
      name,
      workspace,
      before: toAttachment(existing),
    });
  });
}

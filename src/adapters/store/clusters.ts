import type {
  Actor,
  ClusterRow,
  ClusterStatus,
  Page,
  PageRequest,
  Precondition,
} from "../../core/fleet/store.js";
import { inOrganization, newUid, notFound, read, type StoreContext } from "./context.js";
import { deleteChecked, getNamed, newObjectColumns, pagedByName, selectNamed } from "./objects.js";
import { toPage } from "./paging.js";
import { toCluster } from "./rows.js";

const KIND = "Cluster";

export async function listClusters(
  context: StoreContext,
  org: string,
  page: PageRequest,
): Promise<Page<ClusterRow>> {
  const rows = await read(undefined, () =>
    pagedByName(
      context.db.selectFrom("clusters").selectAll().where("organization", "=", org),
      page,
    ).execute(),
  );
  return toPage(rows, page, toCluster, (r) => r.name);
}

export function getCluster(context: StoreContext, org: string, name: string): Promise<ClusterRow> {
  return getNamed(context, "clusters", { kind: KIND, name }, org, toCluster);
}

export async function createCluster(
  context: StoreContext,
  actor: Actor,
  org: string,
  name: string,
  spec: ClusterRow["spec"],
): Promise<ClusterRow> {
  return inOrganization(context, org, { kind: KIND, name }, async (change) => {
    const row = {
      ...newObjectColumns(change, name, actor.token, newUid()),
      description: spec.description ?? null,
      last_seen: null,
      agent_version: null,
      kubernetes_version: null,
      delivered_revision: null,
      applied_revision: null,
      delivered_digest: null,
      applied_digest: null,
    };
    await change.trx.insertInto("clusters").values(row).execute();
    const after = toCluster(row);
    await change.audit({ actor, action: "create", kind: KIND, name, after });
    return after;
  });
}

/**
 * Its reported namespaces and attachments go with it (foreign keys) and its agent tokens
 * are revoked in the same transaction; its violation records stay until retention drops them.
 */
export async function deleteCluster(
  context: StoreContext,
  actor: Actor,
  org: string,
  name: string,
  pre: Precondition,
): Promise<void> {
  const subject = { kind: KIND, name };
  await deleteChecked(context, actor, org, "clusters", subject, pre, async (change, before) => {
    await change.trx
      .updateTable("tokens")
      .set({ revoked_at: change.time })
      .where("organization", "=", org)
      .where("cluster", "=", name)
      .where("revoked_at", "is", null)
      .execute();
    return { before: toCluster(before) };
  });
}

/** Only the fields given change; a heartbeat is not a change people made (no audit, no revision). */
export async function updateClusterStatus(
  context: StoreContext,
  org: string,
  name: string,
  status: ClusterStatus,
): Promise<void> {
  const subject = { kind: KIND, name };
  const set = Object.fromEntries(
    Object.entries({
      last_seen: status.lastSeen,
      agent_version: status.agentVersion,
      kubernetes_version: status.kubernetesVersion,
      delivered_revision: status.deliveredRevision,
      applied_revision: status.appliedRevision,
      delivered_digest: status.deliveredDigest,
      applied_digest: status.appliedDigest,
    }).filter(([, v]) => v !== undefined),
  );
  const result = await read(subject, () =>
    Object.keys(set).length === 0
      ? selectNamed(context.db, "clusters", org, name).then((r) => ({
          numUpdatedRows: r ? 1n : 0n,
        }))
      : context.db
          .updateTable("clusters")
          .set(set)
          .where("organization", "=", org)
          .where("name", "=", name)
          .executeTakeFirst(),
  );
  if (result.numUpdatedRows !== 1n) throw notFound(subject);
}

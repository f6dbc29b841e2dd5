import { sql } from "kysely";
import {
  type ClusterWorkload,
  type InventoryReport,
  type InventoryWorkload,
  namespaceCounts,
  workloadVerdict,
} from "../../core/fleet/inventory.js";
import type {
  ComplianceDayRow,
  InventoryClusterRow,
  InventoryFilter,
} from "../../core/fleet/store.js";
import { notFound, read, type StoreContext } from "./context.js";
import { toStoreError } from "./failures.js";

const CHUNK = 200;

/**
 * One upsert of the cluster's row (the report is one JSON document: replacing it is one
 * statement) and the day's history rows of that cluster, replaced in the same transaction.
 * A cluster that does not exist (deleted while its agent was sending) is STORE_NOT_FOUND
 * through the foreign key.
 */
export async function putInventory(
  context: StoreContext,
  org: string,
  cluster: string,
  report: InventoryReport,
): Promise<void> {
  const now = context.now().toISOString();
  const day = now.slice(0, 10);
  let failing = 0;
  let warning = 0;
  for (const w of report.workloads) {
    const v = workloadVerdict(w);
    if (v === "fail") failing++;
    else if (v === "warn") warning++;
  }
  const row = {
    organization: org,
    cluster,
    revision: report.revision,
    generation: 1,
    generated_at: new Date(report.generatedAt).toISOString(),
    received_at: now,
    workloads: report.workloads.length,
    failing,
    warning,
    document: JSON.stringify(report.workloads),
  };
  const history = namespaceCounts(report.workloads).map((c) => ({
    organization: org,
    day,
    cluster,
    ...c,
  }));
  try {
    await context.db.transaction().execute(async (trx) => {
      const exists = await trx
        .selectFrom("clusters")
        .select("name")
        .where("organization", "=", org)
        .where("name", "=", cluster)
        .executeTakeFirst();
      if (exists === undefined) {
        throw notFound({ kind: "Cluster", name: cluster });
      }
      await trx
        .insertInto("inventory")
        .values(row)
        .onConflict((oc) =>
          oc.columns(["organization", "cluster"]).doUpdateSet({
            revision: row.revision,
            generation: sql<number>`inventory.generation + 1`,
            generated_at: row.generated_at,
            received_at: row.received_at,
            workloads: row.workloads,
            failing: row.failing,
            warning: row.warning,
            document: row.document,
          }),
        )
        .execute();
      // The day keeps the last report's counts: a namespace that emptied today is gone from it.
      await trx
        .deleteFrom("compliance_daily")
        .where("organization", "=", org)
        .where("day", "=", day)
        .where("cluster", "=", cluster)
        .execute();
      for (let i = 0; i < history.length; i += CHUNK) {
        await trx
          .insertInto("compliance_daily")
          .values(history.slice(i, i + CHUNK))
          .execute();
      }
    });
  } catch (error) {
    throw toStoreError(error, { kind: "Cluster", name: cluster });
  }
}

/** (cluster, namespace) pairs attached to one of `workspaces`, as "cluster\0namespace" keys. */
async function attachedNamespaces(
  context: StoreContext,
  org: string,
  workspaces: readonly string[],
): Promise<Set<string>> {
  if (workspaces.length === 0) return new Set();
  const rows = await context.db
    .selectFrom("attachments")
    .select(["cluster", "namespace"])
    .where("organization", "=", org)
    .where("workspace", "in", workspaces)
    .execute();
  return new Set(rows.map((r) => `${r.cluster}\u0000${r.namespace}`));
}

/** The filter as a predicate on one workload of one cluster. */
async function workloadFilter(
  context: StoreContext,
  org: string,
  filter: InventoryFilter,
): Promise<(cluster: string, namespace: string) => boolean> {
  const attached =
    filter.workspaces === undefined
      ? undefined
      : await attachedNamespaces(context, org, filter.workspaces);
  const namespaces = filter.namespaces === undefined ? undefined : new Set(filter.namespaces);
  return (cluster, namespace) =>
    (namespaces === undefined || namespaces.has(namespace)) &&
    (attached === undefined || attached.has(`${cluster}\u0000${namespace}`));
}

/**
 * Parsed reports by organization and cluster, with the generation they were read at. Reading
 * the fleet then costs one small query of generations and parses only the reports that
 * changed since: 1,000 clusters' documents are 40 MB of JSON to parse otherwise, on every
 * compliance query. Per store (one per process), so every replica checks the database's
 * generation and never serves a report older than what it reads there.
 */
type Parsed = { generation: number; workloads: readonly InventoryWorkload[] };
const parsedReports = new WeakMap<StoreContext, Map<string, Map<string, Parsed>>>();
const IN_LIST = 500;

async function currentReports(
  context: StoreContext,
  org: string,
  clusters: readonly string[] | undefined,
): Promise<[string, readonly InventoryWorkload[]][]> {
  let byOrg = parsedReports.get(context);
  if (byOrg === undefined) {
    byOrg = new Map();
    parsedReports.set(context, byOrg);
  }
  const cache = byOrg.get(org) ?? new Map<string, Parsed>();
  byOrg.set(org, cache);
  const rows = await context.db
    .selectFrom("inventory")
    .select(["cluster", "generation"])
    .where("organization", "=", org)
    .$if(clusters !== undefined, (q) => q.where("cluster", "in", clusters ?? []))
    .orderBy("cluster")
    .execute();
  const stale = rows.filter((r) => cache.get(r.cluster)?.generation !== Number(r.generation));
  for (let i = 0; i < stale.length; i += IN_LIST) {
    const names = stale.slice(i, i + IN_LIST).map((r) => r.cluster);
    const docs = await context.db
      .selectFrom("inventory")
      .select(["cluster", "generation", "document"])
      .where("organization", "=", org)
      .where("cluster", "in", names)
      .execute();
    for (const d of docs) {
      // Stored only after validation (src/core/fleet/inventory.ts): the document is trusted.
      const workloads = JSON.parse(d.document) as InventoryWorkload[];
      cache.set(d.cluster, { generation: Number(d.generation), workloads });
    }
  }
  if (clusters === undefined) {
    // Clusters deleted since: their reports leave the cache too.
    const present = new Set(rows.map((r) => r.cluster));
    for (const name of cache.keys()) if (!present.has(name)) cache.delete(name);
  }
  return rows.flatMap((r) => {
    const parsed = cache.get(r.cluster);
    return parsed === undefined
      ? []
      : [[r.cluster, parsed.workloads] as [string, readonly InventoryWorkload[]]];
  });
}

export async function listInventory(
  context: StoreContext,
  org: string,
  filter: InventoryFilter = {},
): Promise<readonly ClusterWorkload[]> {
  return read(undefined, async () => {
    if (filter.clusters?.length === 0) return [];
    const keep = await workloadFilter(context, org, filter);
    const out: ClusterWorkload[] = [];
    for (const [cluster, workloads] of await currentReports(context, org, filter.clusters)) {
      for (const workload of workloads) {
        if (keep(cluster, workload.namespace)) out.push({ cluster, workload });
      }
    }
    return out;
  });
}

export async function inventoryClusters(
  context: StoreContext,
  org: string,
): Promise<readonly InventoryClusterRow[]> {
  const rows = await read(undefined, () =>
    context.db
      .selectFrom("inventory")
      .select([
        "cluster",
        "revision",
        "generated_at",
        "received_at",
        "workloads",
        "failing",
        "warning",
      ])
      .where("organization", "=", org)
      .orderBy("cluster")
      .execute(),
  );
  return rows.map((r) => ({
    cluster: r.cluster,
    revision: Number(r.revision),
    generatedAt: r.generated_at,
    receivedAt: r.received_at,
    workloads: Number(r.workloads),
    failing: Number(r.failing),
    warning: Number(r.warning),
  }));
}

export async function complianceHistory(
  context: StoreContext,
  org: string,
  since: string,
  filter: InventoryFilter = {},
): Promise<readonly ComplianceDayRow[]> {
  return read(undefined, async () => {
    if (filter.clusters?.length === 0) return [];
    const keep = await workloadFilter(context, org, filter);
    const rows = await context.db
      .selectFrom("compliance_daily")
      .select(["day", "cluster", "namespace", "policy", "workloads", "failing", "warning"])
      .where("organization", "=", org)
      .where("day", ">=", since)
      .$if(filter.clusters !== undefined, (q) => q.where("cluster", "in", filter.clusters ?? []))
      .orderBy("day")
      .orderBy("cluster")
      .orderBy("namespace")
      .orderBy("policy")
      .execute();
    return rows
      .filter((r) => keep(r.cluster, r.namespace))
      .map((r) => ({
        day: r.day,
        cluster: r.cluster,
        namespace: r.namespace,
        policy: r.policy,
        workloads: Number(r.workloads),
        failing: Number(r.failing),
        warning: Number(r.warning),
      }));
  });
}

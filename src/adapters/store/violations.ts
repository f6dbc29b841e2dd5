import { createHash } from "node:crypto";
import { type ExpressionBuilder, type Insertable, type SelectQueryBuilder, sql } from "kysely";
import type {
  DailyCount,
  GroupCount,
  Page,
  PageRequest,
  ViolationFilter,
  ViolationRecord,
} from "../../core/fleet/store.js";
import { read, type StoreContext } from "./context.js";
import { toStoreError } from "./failures.js";
import { idCursor, pageSize, toPage } from "./paging.js";
import { toViolation } from "./rows.js";
import type { Database } from "./schema.js";

/**
 * Times are kept as `toISOString()` text so that they compare as strings; a time that does
 * not parse is recorded as the time of arrival rather than dropping the record.
 */
function toStoredTime(time: string, fallback: Date): string {
  const parsed = new Date(time);
  return Number.isNaN(parsed.getTime()) ? fallback.toISOString() : parsed.toISOString();
}

const CHUNK = 200;

const OUTCOME_OF_ACTION = { deny: "denied", warn: "warned", audit: "audited" } as const;

/**
 * The fields that make two events one row (docs/control-plane.md, Events): the same
 * cluster, source, outcome, namespace, owner, policy, code and image on the same UTC day.
 * Hashed, because an image may be longer than an index entry may be.
 */
function dedupeKey(cluster: string, r: ViolationRecord, time: string): string {
  const fields = [
    cluster,
    r.source,
    r.outcome ?? OUTCOME_OF_ACTION[r.action],
    r.namespace,
    r.ownerKind ?? r.kind,
    r.ownerName ?? r.name,
    r.policy,
    r.code,
    r.image,
    time.slice(0, 10),
  ];
  return createHash("sha256").update(JSON.stringify(fields)).digest("hex");
}

type ViolationInsert = Insertable<Database["violations"]>;

/**
 * Agents' reports: not audited, no revision bump (nothing to deliver changed). Events are
 * deduplicated: records of one key are summed in the batch first (PostgreSQL refuses to
 * update one row twice in a statement), then upserted, adding their counts to the day's row.
 */
export async function addViolations(
  context: StoreContext,
  records: readonly ViolationRecord[],
): Promise<void> {
  if (records.length === 0) return;
  const now = context.now();
  const merged = new Map<string, ViolationInsert & { count: number; time: string }>();
  for (const r of records) {
    const time = toStoredTime(r.lastSeen ?? r.time, now);
    const firstSeen = r.firstSeen === undefined ? time : toStoredTime(r.firstSeen, now);
    const key = dedupeKey(r.cluster, r, time);
    const count = r.count ?? 1;
    const id = `${r.organization}\u0000${key}`;
    const seen = merged.get(id);
    if (seen !== undefined) {
      seen.count += count;
      if (time > seen.time) Object.assign(seen, { time, message: r.message, name: r.name });
      if (firstSeen < (seen.first_seen ?? time)) seen.first_seen = firstSeen;
      continue;
    }
    merged.set(id, {
      organization: r.organization,
      cluster: r.cluster,
      time,
      source: r.source,
      operation: r.operation ?? null,
      namespace: r.namespace,
      kind: r.kind,
      name: r.name,
      container: r.container,
      image: r.image,
      normalized_image: r.normalizedImage ?? null,
      policy: r.policy,
      action: r.action,
      code: r.code,
      message: r.message,
      outcome: r.outcome ?? OUTCOME_OF_ACTION[r.action],
      owner_kind: r.ownerKind ?? r.kind,
      owner_name: r.ownerName ?? r.name,
      first_seen: firstSeen,
      dedupe_key: key,
      count,
    });
  }
  const rows = [...merged.values()];
  try {
    await context.db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += CHUNK) {
        await trx
          .insertInto("violations")
          .values(rows.slice(i, i + CHUNK))
          .onConflict((oc) =>
            oc.columns(["organization", "dedupe_key"]).doUpdateSet({
              count: sql<number>`violations.count + excluded.count`,
              time: sql<string>`case when excluded.time > violations.time then excluded.time else violations.time end`,
              first_seen: sql<string>`case when excluded.first_seen < violations.first_seen then excluded.first_seen else violations.first_seen end`,
              message: sql<string>`case when excluded.time > violations.time then excluded.message else violations.message end`,
              name: sql<string>`case when excluded.time > violations.time then excluded.name else violations.name end`,
            }),
          )
          .execute();
      }
    });
  } catch (error) {
    throw toStoreError(error, { kind: "Organization", name: records[0]?.organization ?? "" });
  }
}

type ViolationQuery<O> = SelectQueryBuilder<Database, "violations", O>;

/** The filter as WHERE clauses; `workspaces` means "attached to one of them" (none: nothing). */
function filtered<O>(
  query: ViolationQuery<O>,
  org: string,
  filter: ViolationFilter,
): ViolationQuery<O> {
  const since = filter.since === undefined ? undefined : toStoredTime(filter.since, new Date(0));
  const workspaces = filter.workspaces;
  return query
    .where("violations.organization", "=", org)
    .$if(filter.cluster !== undefined, (q) =>
      q.where("violations.cluster", "=", filter.cluster ?? ""),
    )
    .$if(filter.namespace !== undefined, (q) =>
      q.where("violations.namespace", "=", filter.namespace ?? ""),
    )
    .$if(filter.policy !== undefined, (q) => q.where("violations.policy", "=", filter.policy ?? ""))
    .$if(filter.image !== undefined, (q) =>
      q.where((eb) =>
        eb.or([
          eb("violations.image", "=", filter.image ?? ""),
          eb("violations.normalized_image", "=", filter.image ?? ""),
        ]),
      ),
    )
    .$if(since !== undefined, (q) => q.where("violations.time", ">=", since ?? ""))
    .$if(workspaces !== undefined, (q) =>
      workspaces?.length === 0
        ? q.where(sql<boolean>`1 = 0`)
        : q.where((eb) => attachedTo(eb, workspaces ?? [])),
    );
}

function attachedTo(eb: ExpressionBuilder<Database, "violations">, workspaces: readonly string[]) {
  return eb.exists(
    eb
      .selectFrom("attachments")
      .select("attachments.namespace")
      .whereRef("attachments.organization", "=", "violations.organization")
      .whereRef("attachments.cluster", "=", "violations.cluster")
      .whereRef("attachments.namespace", "=", "violations.namespace")
      .where("attachments.workspace", "in", workspaces),
  );
}

export async function listViolations(
  context: StoreContext,
  org: string,
  filter: ViolationFilter,
  page: PageRequest,
): Promise<Page<ViolationRecord>> {
  const after = idCursor(page);
  const rows = await read(undefined, () =>
    filtered(context.db.selectFrom("violations").selectAll(), org, filter)
      .$if(after !== undefined, (q) => q.where("violations.id", "<", after ?? 0))
      .orderBy("violations.id", "desc")
      .limit(pageSize(page) + 1)
      .execute(),
  );
  return toPage(rows, page, toViolation, (r) => String(r.id));
}

const GROUP_COLUMNS = {
  cluster: ["violations.cluster"],
  namespace: ["violations.cluster", "violations.namespace"],
  policy: ["violations.policy"],
  image: ["violations.image"],
} as const;

/**
 * Counts per group, computed by the database. Namespaces are per cluster, so their key is
 * `cluster/namespace`. Largest groups first, then by key.
 */
export async function countViolations(
  context: StoreContext,
  org: string,
  groupBy: "cluster" | "namespace" | "policy" | "image",
  filter: ViolationFilter,
): Promise<readonly GroupCount[]> {
  const columns = GROUP_COLUMNS[groupBy];
  const rows = await read(undefined, () =>
    filtered(
      // Grouped columns are constant within a group; max() reads them in one typed select
      // whatever the grouping.
      context.db
        .selectFrom("violations")
        .select((eb) => [
          eb.fn.max("violations.cluster").as("cluster"),
          eb.fn.max("violations.namespace").as("namespace"),
          eb.fn.max("violations.policy").as("policy"),
          eb.fn.max("violations.image").as("image"),
          // A row is one deduplicated event: what happened is its count.
          eb.fn
            .sum("violations.count")
            .as("count"),
          eb.fn
            .sum(
              eb
                .case()
                .when("violations.action", "=", "deny")
                .then(eb.ref("violations.count"))
                .else(0)
                .end(),
            )
            .as("deny"),
          eb.fn
            .sum(
              eb
                .case()
                .when("violations.action", "=", "warn")
                .then(eb.ref("violations.count"))
                .else(0)
                .end(),
            )
            .as("warn"),
          eb.fn
            .sum(
              eb
                .case()
                .when("violations.action", "=", "audit")
                .then(eb.ref("violations.count"))
                .else(0)
                .end(),
            )
            .as("audit"),
          eb.fn.max("violations.time").as("lastSeen"),
        ]),
      org,
      filter,
    )
      .groupBy([...columns])
      .execute(),
  );
  const counts = rows.map((r) => ({
    key: groupBy === "namespace" ? `${r.cluster}/${r.namespace}` : String(r[groupBy]),
    count: Number(r.count),
    deny: Number(r.deny),
    warn: Number(r.warn),
    audit: Number(r.audit),
    lastSeen: String(r.lastSeen),
  }));
  return counts.sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Retention: drops records older than `before`; returns how many went. */
export async function pruneViolations(context: StoreContext, before: string): Promise<number> {
  const cutoff = toStoredTime(before, new Date(0));
  const result = await read(undefined, () =>
    context.db.deleteFrom("violations").where("time", "<", cutoff).executeTakeFirst(),
  );
  return Number(result.numDeletedRows);
}

/**
 * Events per UTC day and cluster or policy since `since` (YYYY-MM-DD): sums of counts, by
 * outcome. The day is that of the row's first event (a row never spans two days).
 */
export async function dailyViolations(
  context: StoreContext,
  org: string,
  by: "cluster" | "policy",
  since: string,
  filter: ViolationFilter,
): Promise<readonly DailyCount[]> {
  const day = sql<string>`substr(coalesce(violations.first_seen, violations.time), 1, 10)`;
  const column = by === "cluster" ? "violations.cluster" : "violations.policy";
  const of = (outcome: string) =>
    sql<number>`sum(case when violations.outcome = ${outcome} then violations.count else 0 end)`;
  const rows = await read(undefined, () =>
    filtered(
      context.db
        .selectFrom("violations")
        .select((eb) => [
          day.as("day"),
          eb.ref(column).as("key"),
          eb.fn.sum("violations.count").as("count"),
          of("denied").as("denied"),
          of("warned").as("warned"),
          of("audited").as("audited"),
        ]),
      org,
      { ...filter, since },
    )
      .groupBy([day, column])
      .orderBy(day)
      .orderBy(column)
      .execute(),
  );
  return rows.map((r) => ({
    day: String(r.day),
    key: String(r.key),
    count: Number(r.count),
    denied: Number(r.denied),
    warned: Number(r.warned),
    audited: Number(r.audited),
  }));
}

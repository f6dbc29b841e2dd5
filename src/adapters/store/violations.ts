import { type ExpressionBuilder, type SelectQueryBuilder, sql } from "kysely";
import type {
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

/** Agents' reports: not audited, no revision bump (nothing to deliver changed). */
export async function addViolations(
  context: StoreContext,
  records: readonly ViolationRecord[],
): Promise<void> {
  if (records.length === 0) return;
  const now = context.now();
  const rows = records.map((r) => ({
    organization: r.organization,
    cluster: r.cluster,
    time: toStoredTime(r.time, now),
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
  }));
  try {
    await context.db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += CHUNK) {
        await trx
          .insertInto("violations")
          .values(rows.slice(i, i + CHUNK))
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
          eb.fn.countAll().as("count"),
          eb.fn
            .sum(eb.case().when("violations.action", "=", "deny").then(1).else(0).end())
            .as("deny"),
          eb.fn
            .sum(eb.case().when("violations.action", "=", "warn").then(1).else(0).end())
            .as("warn"),
          eb.fn
            .sum(eb.case().when("violations.action", "=", "audit").then(1).else(0).end())
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

import { CustomsError } from "../../core/errors.js";
import { ApiError } from "../../core/fleet/api-error.js";
import { type Principal, workspaceFilter } from "../../core/fleet/authorize.js";
import { type CsvCell, toCsv } from "../../core/fleet/csv.js";
import {
  aggregateCompliance,
  type ClusterWorkload,
  COMPLIANCE_GROUP_BY,
  type ComplianceGroupBy,
  compliantPercent,
  failingWorkloads,
  type InventoryWorkload,
  validateInventoryReport,
} from "../../core/fleet/inventory.js";
import type {
  InventoryFilter,
  Page,
  PageRequest,
  ViolationRecord,
} from "../../core/fleet/store.js";
import type { Json } from "./bodies.js";
import { agentOf } from "./clusters.js";
import { type FleetContext, requireOrganization } from "./context.js";
import { toViolationFilter } from "./records.js";

/**
 * `PUT /api/v1/agent/inventory`: the cluster's whole inventory. Validated as a whole and
 * stored as a whole (a snapshot is never applied in part): too many workloads is 413 naming
 * the limit, any malformed field 400 naming its path (`workloads[17].containers[0].image`).
 */
export async function reportInventory(ctx: FleetContext, p: Principal, body: Json): Promise<void> {
  const { org, cluster } = agentOf(p);
  const checked = validateInventoryReport(body);
  if (!checked.ok) {
    const text = checked.issues.map((d) => `${d.path || "(body)"}: ${d.message}`).join("; ");
    if (checked.limit) throw new CustomsError("BODY_TOO_LARGE", text);
    throw new ApiError("API_BAD_REQUEST", `the inventory report is refused: ${text}`, {
      details: checked.issues,
    });
  }
  await ctx.store.putInventory(org, cluster, checked.report);
  await ctx.store.updateClusterStatus(org, cluster, { lastSeen: ctx.now().toISOString() });
}

function bad(path: string, message: string): ApiError {
  return new ApiError("API_INVALID", `${path} ${message}`, { details: [{ path, message }] });
}

function oneOf<T extends string>(
  query: URLSearchParams,
  key: string,
  values: readonly T[],
  fallback: T,
): T {
  const v = query.get(key) ?? fallback;
  if (!(values as readonly string[]).includes(v))
    throw bad(key, `must be one of ${values.join(", ")}`);
  return v as T;
}

const MAX_DAYS = 366;

function daysOf(query: URLSearchParams): number {
  const text = query.get("days");
  const days = text === null ? 30 : Number(text);
  if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS)
    throw bad("days", `must be 1 to ${MAX_DAYS}`);
  return days;
}

/** The first UTC day of a window of `days` days ending today. */
function firstDay(now: Date, days: number): string {
  return new Date(now.getTime() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
}

/** What the caller may read: workspace roles only their workspaces' namespaces. */
function scopeOf(p: Principal, org: string, query: URLSearchParams): InventoryFilter {
  requireOrganization(p, org);
  const cluster = query.get("cluster");
  const namespace = query.get("namespace");
  const workspaces = workspaceFilter(p, org);
  return {
    ...(cluster === null || cluster === "" ? {} : { clusters: [cluster] }),
    ...(namespace === null || namespace === "" ? {} : { namespaces: [namespace] }),
    ...(workspaces === undefined ? {} : { workspaces }),
  };
}

/** `?policy=`: only that policy's results count, and only workloads it applies to. */
function forPolicy(
  rows: readonly ClusterWorkload[],
  policy: string | null,
): readonly ClusterWorkload[] {
  if (policy === null || policy === "") return rows;
  const out: ClusterWorkload[] = [];
  for (const row of rows) {
    const results = row.workload.results.filter((r) => r.policy === policy);
    if (results.length > 0)
      out.push({ cluster: row.cluster, workload: { ...row.workload, results } });
  }
  return out;
}

async function policyNames(ctx: FleetContext, org: string): Promise<Set<string>> {
  return new Set((await ctx.store.allPolicies(org)).map((p) => p.metadata.name));
}

/**
 * A policy whose name is in records but no longer in the organization is marked on read:
 * marks always tell the present (a policy created again under its name is not "deleted").
 */
export async function markDeleted<T extends { policy?: string | undefined }>(
  ctx: FleetContext,
  org: string,
  items: readonly T[],
): Promise<(T & { policyDeleted?: boolean })[]> {
  if (!items.some((i) => i.policy !== undefined && i.policy !== "")) return [...items];
  const names = await policyNames(ctx, org);
  return items.map((i) =>
    i.policy !== undefined && i.policy !== "" && !names.has(i.policy)
      ? { ...i, policyDeleted: true }
      : i,
  );
}

/** The oldest receipt among the reports the rows come from: the numbers are at least that fresh. */
async function asOfRows(ctx: FleetContext, org: string, rows: readonly ClusterWorkload[]) {
  const clusters = new Set(rows.map((r) => r.cluster));
  const reports = (await ctx.store.inventoryClusters(org)).filter((c) => clusters.has(c.cluster));
  if (reports.length === 0) return null;
  return reports.reduce(
    (min, r) => (r.receivedAt < min ? r.receivedAt : min),
    reports[0]?.receivedAt ?? "",
  );
}

/** `GET …/compliance`: current compliance grouped by one dimension. */
export async function compliance(
  ctx: FleetContext,
  p: Principal,
  org: string,
  query: URLSearchParams,
) {
  const groupBy = oneOf<ComplianceGroupBy>(query, "groupBy", COMPLIANCE_GROUP_BY, "cluster");
  const filter = scopeOf(p, org, query);
  const rows = forPolicy(await ctx.store.listInventory(org, filter), query.get("policy"));
  let workspaceOf: ((cluster: string, namespace: string) => string | undefined) | undefined;
  if (groupBy === "workspace") {
    const attachments = await ctx.store.listAttachments(org, {});
    const map = new Map(attachments.map((a) => [`${a.cluster}\u0000${a.namespace}`, a.workspace]));
    workspaceOf = (cluster, namespace) => map.get(`${cluster}\u0000${namespace}`);
  }
  const summary = aggregateCompliance(rows, groupBy, workspaceOf);
  const groups =
    groupBy === "policy" ? await markDeleted(ctx, org, summary.groups) : summary.groups;
  return { groupBy, groups, total: summary.total, asOf: await asOfRows(ctx, org, rows) };
}

export interface FailingItem {
  readonly cluster: string;
  readonly namespace: string;
  readonly kind: string;
  readonly name: string;
  readonly containers: InventoryWorkload["containers"];
  readonly results: readonly (InventoryWorkload["results"][number] & { policyDeleted?: boolean })[];
}

function failingKey(i: { cluster: string; namespace: string; kind: string; name: string }): string {
  return JSON.stringify([i.cluster, i.namespace, i.kind, i.name]);
}

/** `GET …/compliance/failing`: failing workloads with their failing results, paged by key. */
export async function listFailing(
  ctx: FleetContext,
  p: Principal,
  org: string,
  query: URLSearchParams,
  page: PageRequest,
): Promise<Page<FailingItem>> {
  const filter = scopeOf(p, org, query);
  const rows = failingWorkloads(
    forPolicy(await ctx.store.listInventory(org, filter), query.get("policy")),
  );
  const items = rows
    .map(({ cluster, workload: w }) => ({
      cluster,
      namespace: w.namespace,
      kind: w.kind,
      name: w.name,
      containers: w.containers,
      results: w.results,
    }))
    .sort((a, b) => {
      const x = failingKey(a);
      const y = failingKey(b);
      return x < y ? -1 : x > y ? 1 : 0;
    });
  const start =
    page.after === undefined ? 0 : items.findIndex((i) => failingKey(i) > (page.after ?? ""));
  const shown = start < 0 ? [] : items.slice(start, start + page.limit);
  const names = await policyNames(ctx, org);
  const last = shown[shown.length - 1];
  return {
    items: shown.map((i) => ({
      ...i,
      results: i.results.map((r) => (names.has(r.policy) ? r : { ...r, policyDeleted: true })),
    })),
    next:
      start >= 0 && start + page.limit < items.length && last !== undefined
        ? failingKey(last)
        : undefined,
  };
}

type TrendPoint = {
  day: string;
  workloads: number;
  failing: number;
  warning: number;
  compliantPercent: number;
};

/** `GET …/compliance/trend?days=30&by=cluster|policy`: the daily compliance per key and in total. */
export async function complianceTrend(
  ctx: FleetContext,
  p: Principal,
  org: string,
  query: URLSearchParams,
) {
  const by = oneOf(query, "by", ["cluster", "policy"] as const, "cluster");
  const days = daysOf(query);
  const filter = scopeOf(p, org, query);
  const policy = query.get("policy");
  const history = await ctx.store.complianceHistory(org, firstDay(ctx.now(), days), filter);
  const series = new Map<string, Map<string, TrendPoint>>();
  const total = new Map<string, TrendPoint>();
  const add = (
    into: Map<string, TrendPoint>,
    day: string,
    r: { workloads: number; failing: number; warning: number },
  ) => {
    const point = into.get(day) ?? {
      day,
      workloads: 0,
      failing: 0,
      warning: 0,
      compliantPercent: 100,
    };
    point.workloads += r.workloads;
    point.failing += r.failing;
    point.warning += r.warning;
    point.compliantPercent = compliantPercent(point.workloads, point.failing);
    into.set(day, point);
  };
  // Policy "" rows are each namespace as a whole: the total and the clusters are sums of
  // them (a workload failing two policies counts once); by policy, the per-policy rows. With
  // ?policy=, only that policy's rows count everywhere.
  const onePolicy = policy !== null && policy !== "";
  for (const r of history) {
    if (onePolicy ? r.policy !== policy : by === "cluster" && r.policy !== "") continue;
    if (onePolicy || r.policy === "") add(total, r.day, r);
    if (!onePolicy && by === "policy" && r.policy === "") continue;
    const key = by === "cluster" ? r.cluster : r.policy;
    const points = series.get(key) ?? new Map<string, TrendPoint>();
    add(points, r.day, r);
    series.set(key, points);
  }
  const keys = [...series.keys()].sort();
  const list = keys.map((key) => ({
    key,
    ...(by === "policy" ? { policy: key } : {}),
    points: [...(series.get(key)?.values() ?? [])],
  }));
  const marked = by === "policy" ? await markDeleted(ctx, org, list) : list;
  return {
    by,
    days,
    series: marked.map(({ policy: _p, ...rest }) => rest),
    total: [...total.values()],
  };
}

/** `GET …/violations/daily?days=30&by=cluster|policy`: events per UTC day from the event stream. */
export async function dailyViolations(
  ctx: FleetContext,
  p: Principal,
  org: string,
  query: URLSearchParams,
) {
  requireOrganization(p, org);
  const by = oneOf(query, "by", ["cluster", "policy"] as const, "cluster");
  const days = daysOf(query);
  const rows = await ctx.store.dailyViolations(
    org,
    by,
    firstDay(ctx.now(), days),
    toViolationFilter(p, org, query),
  );
  const series = new Map<
    string,
    { day: string; count: number; denied: number; warned: number; audited: number }[]
  >();
  for (const { key, ...point } of rows) {
    const points = series.get(key) ?? [];
    points.push(point);
    series.set(key, points);
  }
  const list = [...series.entries()].map(([key, points]) => ({
    key,
    policy: by === "policy" ? key : undefined,
    points,
  }));
  const marked = by === "policy" ? await markDeleted(ctx, org, list) : list;
  return { by, days, series: marked.map(({ policy: _p, ...rest }) => rest) };
}

// ---------------------------------------------------------------------------------------
// CSV

export function wantsCsv(query: URLSearchParams): boolean {
  const format = query.get("format");
  if (format === null || format === "json") return false;
  if (format === "csv") return true;
  throw bad("format", "must be json or csv");
}

export function complianceCsv(result: Awaited<ReturnType<typeof compliance>>): string {
  const keys = ["cluster", "workspace", "namespace", "kind", "name", "policy"] as const;
  const used = keys.filter((k) =>
    result.groups.some((g) => (g as unknown as Record<string, unknown>)[k] !== undefined),
  );
  const header = [
    ...used,
    "workloads",
    "failing",
    "warning",
    "compliantPercent",
    ...(result.groupBy === "policy" ? ["policyDeleted"] : []),
  ];
  return toCsv(
    header,
    result.groups.map((g) => {
      const r = g as unknown as Record<string, unknown>;
      return [
        ...used.map((k) => r[k] as CsvCell),
        g.workloads,
        g.failing,
        g.warning,
        g.compliantPercent,
        ...(result.groupBy === "policy" ? [r.policyDeleted === true] : []),
      ];
    }),
  );
}

/** One line per failing result (a workload failing two policies is two lines). */
export function failingCsv(items: readonly FailingItem[]): string {
  const rows: CsvCell[][] = [];
  for (const i of items) {
    for (const r of i.results) {
      rows.push([
        i.cluster,
        i.namespace,
        i.kind,
        i.name,
        r.policy,
        r.policyDeleted === true,
        r.code,
        r.container,
        r.image,
        r.message,
      ]);
    }
  }
  return toCsv(
    [
      "cluster",
      "namespace",
      "kind",
      "name",
      "policy",
      "policyDeleted",
      "code",
      "container",
      "image",
      "message",
    ],
    rows,
  );
}

export function violationsCsv(items: readonly ViolationRecord[]): string {
  return toCsv(
    [
      "firstSeen",
      "lastSeen",
      "count",
      "cluster",
      "source",
      "outcome",
      "namespace",
      "ownerKind",
      "ownerName",
      "kind",
      "name",
      "container",
      "image",
      "policy",
      "policyDeleted",
      "action",
      "code",
      "message",
    ],
    items.map((v) => [
      v.firstSeen ?? v.time,
      v.lastSeen ?? v.time,
      v.count ?? 1,
      v.cluster,
      v.source,
      v.outcome,
      v.namespace,
      v.ownerKind ?? v.kind,
      v.ownerName ?? v.name,
      v.kind,
      v.name,
      v.container,
      v.image,
      v.policy,
      v.policyDeleted === true,
      v.action,
      v.code,
      v.message,
    ]),
  );
}

/** Trend and daily series as one line per (key, day). */
export function seriesCsv(
  by: string,
  series: readonly {
    key: string;
    policyDeleted?: boolean;
    points: readonly Record<string, string | number>[];
  }[],
  columns: readonly string[],
): string {
  const rows: CsvCell[][] = [];
  for (const s of series) {
    for (const point of s.points)
      rows.push([s.key, s.policyDeleted === true, ...columns.map((c) => point[c])]);
  }
  return toCsv([by, "policyDeleted", ...columns], rows);
}

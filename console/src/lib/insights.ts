/**
 * Insights as state: the control plane's current compliance of the fleet (by cluster,
 * workspace, namespace, workload or policy), the failing workloads, daily series for the plots,
 * and the deduplicated event stream. Answers are read defensively (a missing field is a zero or
 * an empty text, never a crash), and the plots' geometry is computed here, without React, so
 * that it is tested as data.
 */

export const COMPLIANCE_GROUPS = [
  "cluster",
  "workspace",
  "namespace",
  "workload",
  "policy",
] as const;
export type ComplianceGroupBy = (typeof COMPLIANCE_GROUPS)[number];

export interface ComplianceCounts {
  readonly workloads: number;
  readonly failing: number;
  readonly warning: number;
  /** 0–100; 100 when there is no workload (nothing is failing). */
  readonly compliantPercent: number;
}

export interface ComplianceGroup extends ComplianceCounts {
  /** The group's words: `prod`, `prod/payments`, `prod/payments/Deployment/api`, a policy. */
  readonly label: string;
  /** The policy group's policy was deleted (its results are from before). */
  readonly deleted: boolean;
}

export interface ComplianceSummary {
  readonly groups: readonly ComplianceGroup[];
  readonly total: ComplianceCounts;
  readonly asOf: string | undefined;
}

export interface FailingResult {
  readonly policy: string;
  readonly result: string;
  readonly code: string;
  readonly message: string;
  readonly container: string;
  readonly image: string;
  /** The policy was deleted since the agent's last report. */
  readonly policyDeleted: boolean;
}

export interface FailingWorkload {
  readonly cluster: string;
  readonly namespace: string;
  readonly kind: string;
  readonly name: string;
  readonly images: readonly string[];
  readonly results: readonly FailingResult[];
}

/** Days (oldest first) and, per key (a cluster or a policy), one value a day. */
export interface DailySeries {
  readonly days: readonly string[];
  /** `null`: no value that day (a gap in a line; nothing in a bar). */
  readonly series: readonly {
    readonly key: string;
    readonly values: readonly (number | null)[];
  }[];
  /** Keys that are deleted policies (shown marked in the legend). */
  readonly deleted?: readonly string[];
}

/** One deduplicated event: one row per workload, policy and outcome, with its count. */
export interface InsightEvent {
  readonly id: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly source: string;
  readonly outcome: string;
  readonly ownerKind: string;
  readonly ownerName: string;
  readonly kind: string;
  readonly name: string;
  readonly container: string;
  readonly image: string;
  readonly policy: string;
  readonly policyDeleted: boolean;
  readonly action: string;
  readonly message: string;
  readonly count: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const text = (v: unknown): string =>
  typeof v === "string" ? v : typeof v === "number" ? String(v) : "";
const count = (v: unknown): number =>
  typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : 0;

/** The items of a list answer: `{items: [...]}`, `{groups: [...]}` or a bare array. */
function itemsOf(body: unknown, ...names: string[]): unknown[] {
  if (Array.isArray(body)) return body;
  if (!isRecord(body)) return [];
  for (const name of names) {
    const v = body[name];
    if (Array.isArray(v)) return v;
  }
  return [];
}

function toCounts(raw: Record<string, unknown>): ComplianceCounts {
  const workloads = count(raw.workloads ?? raw.total);
  const failing = count(raw.failing);
  const warning = count(raw.warning);
  const given = raw.compliantPercent;
  const compliantPercent =
    typeof given === "number" && Number.isFinite(given)
      ? Math.min(100, Math.max(0, given))
      : workloads === 0
        ? 100
        : (100 * (workloads - failing)) / workloads;
  return { workloads, failing, warning, compliantPercent };
}

const LABEL_PARTS = ["cluster", "workspace", "namespace", "kind", "name", "policy"] as const;

/** A group's key may be a string or the fields it groups by: `{cluster, namespace}`. */
function toGroupLabel(raw: Record<string, unknown>): string {
  const key = raw.key;
  if (typeof key === "string") return key;
  const from = isRecord(key) ? key : raw;
  return LABEL_PARTS.map((k) => text(from[k]))
    .filter((s) => s !== "")
    .join("/");
}

export function toComplianceSummary(body: unknown): ComplianceSummary {
  const groups = itemsOf(body, "groups", "items")
    .filter(isRecord)
    .map((g) => ({
      label: toGroupLabel(g),
      deleted: g.policyDeleted === true || g.deleted === true,
      ...toCounts(g),
    }));
  const raw = isRecord(body) ? body : {};
  const total = isRecord(raw.total)
    ? toCounts(raw.total)
    : toCounts({
        workloads: groups.reduce((n, g) => n + g.workloads, 0),
        failing: groups.reduce((n, g) => n + g.failing, 0),
        warning: groups.reduce((n, g) => n + g.warning, 0),
      });
  const asOf = text(raw.asOf);
  return { groups, total, asOf: asOf === "" ? undefined : asOf };
}

function toResult(raw: unknown): FailingResult | undefined {
  if (!isRecord(raw)) return undefined;
  return {
    policy: text(raw.policy),
    result: text(raw.result) || "fail",
    code: text(raw.code),
    message: text(raw.message),
    container: text(raw.container),
    image: text(raw.image),
    policyDeleted: raw.policyDeleted === true,
  };
}

export function toFailingWorkloads(body: unknown): FailingWorkload[] {
  return itemsOf(body, "items", "workloads")
    .filter(isRecord)
    .map((w) => {
      const owner = isRecord(w.owner) ? w.owner : isRecord(w.workload) ? w.workload : w;
      const results = itemsOf(w.results ?? w.failing, "items")
        .map(toResult)
        .filter((r): r is FailingResult => r !== undefined);
      const containers = itemsOf(w.containers, "items").filter(isRecord);
      const images = [
        ...new Set([
          ...containers.map((c) => text(c.image)),
          ...itemsOf(w.images, "items").map(text),
          ...results.map((r) => r.image),
        ]),
      ].filter((s) => s !== "");
      return {
        cluster: text(w.cluster),
        namespace: text(w.namespace ?? owner.namespace),
        kind: text(owner.kind ?? w.ownerKind),
        name: text(owner.name ?? w.ownerName),
        images,
        results,
      };
    });
}

/**
 * A daily series answer as days × keys. Accepted shapes: `{days, series: [{key, values}]}`,
 * `{series: [{key, points: [{day, value|count|compliantPercent}]}]}` and
 * `{items: [{day, key, count|value|compliantPercent}]}`. Missing days are zero; `range` adds
 * days that have no value at all (see toDayRange).
 */
/**
 * The `days` days up to and including `today` (YYYY-MM-DD, UTC), oldest first: the plots show
 * every day of the range, also those without a value.
 */
export function toDayRange(today: string, days: number): string[] {
  const end = Date.parse(`${today}T00:00:00Z`);
  if (Number.isNaN(end) || days <= 0) return [];
  return Array.from({ length: Math.min(days, 366) }, (_, i) =>
    new Date(end - (days - 1 - i) * 86_400_000).toISOString().slice(0, 10),
  );
}

export function toDailySeries(
  body: unknown,
  range: readonly string[] = [],
  /** A day without a value: 0 (counts) or null (a percentage nobody measured). */
  missing: "zero" | "gap" = "zero",
): DailySeries {
  const raw = isRecord(body) ? body : {};
  const points: { day: string; key: string; value: number }[] = [];
  const pointValue = (p: Record<string, unknown>) =>
    count(p.value ?? p.count ?? p.violations ?? p.compliantPercent);
  const givenDays = Array.isArray(raw.days) ? raw.days.map(text) : [];
  const deleted = new Set<string>();
  for (const s of itemsOf(raw.series, "items").filter(isRecord)) {
    const key = text(s.key ?? s.name);
    if (s.policyDeleted === true) deleted.add(key);
    if (Array.isArray(s.values)) {
      s.values.forEach((v, i) => {
        const day = givenDays[i];
        if (day !== undefined) points.push({ day, key, value: count(v) });
      });
    }
    for (const p of itemsOf(s.points, "items").filter(isRecord)) {
      points.push({ day: text(p.day ?? p.date), key, value: pointValue(p) });
    }
  }
  for (const p of itemsOf(raw.items, "items").filter(isRecord)) {
    points.push({
      day: text(p.day ?? p.date),
      key: text(p.key ?? p.cluster ?? p.policy),
      value: pointValue(p),
    });
  }
  const days = [...new Set([...range, ...givenDays, ...points.map((p) => p.day)])]
    .filter((d) => d !== "")
    .sort();
  const keys = [...new Set(points.map((p) => p.key))].sort();
  const index = new Map(days.map((d, i) => [d, i]));
  const series = keys.map((key) => {
    const values: (number | null)[] = days.map(() => (missing === "zero" ? 0 : null));
    for (const p of points) {
      const i = index.get(p.day);
      if (p.key === key && i !== undefined) values[i] = (values[i] ?? 0) + p.value;
    }
    return { key, values };
  });
  return deleted.size === 0 ? { days, series } : { days, series, deleted: [...deleted].sort() };
}

/** Events newest first (by last seen; RFC 3339 times in UTC compare as text). */
export function toInsightEvents(body: unknown): InsightEvent[] {
  return readEvents(body).sort((a, b) =>
    a.lastSeen < b.lastSeen ? 1 : a.lastSeen > b.lastSeen ? -1 : 0,
  );
}

function readEvents(body: unknown): InsightEvent[] {
  return itemsOf(body, "items")
    .filter(isRecord)
    .map((v, i) => {
      const owner = isRecord(v.owner) ? v.owner : {};
      const action = text(v.action);
      const time = text(v.time);
      return {
        id: text(v.id) || String(i),
        cluster: text(v.cluster),
        namespace: text(v.namespace),
        source: text(v.source) || "admission",
        outcome: text(v.outcome) || toOutcome(action),
        ownerKind: text(v.ownerKind ?? owner.kind) || text(v.kind),
        ownerName: text(v.ownerName ?? owner.name) || text(v.name),
        kind: text(v.kind),
        name: text(v.name),
        container: text(v.container),
        image: text(v.image),
        policy: text(v.policy),
        policyDeleted: v.policyDeleted === true,
        action,
        message: text(v.message),
        count: Math.max(1, count(v.count)),
        firstSeen: text(v.firstSeen) || time,
        lastSeen: text(v.lastSeen) || time,
      };
    });
}

/** The outcome an action leads to, for records written before outcomes were stored. */
function toOutcome(action: string): string {
  if (action === "deny") return "denied";
  if (action === "warn") return "warned";
  return action === "audit" ? "audited" : "";
}

/** `42.9 %` with one decimal, `100 %` and `0 %` without. */
export function toPercentText(p: number): string {
  const rounded = Math.round(p * 10) / 10;
  return `${Number.isInteger(rounded) ? rounded.toFixed(0) : rounded.toFixed(1)} %`;
}

// The plots' geometry (viewBox units).

export interface PlotBox {
  readonly width: number;
  readonly height: number;
  /** Room on the left for the axis labels, below for the days. */
  readonly left: number;
  readonly bottom: number;
  readonly top: number;
}

export const PLOT: PlotBox = { width: 640, height: 220, left: 40, bottom: 24, top: 8 };

export interface Bar {
  readonly day: string;
  readonly key: string;
  readonly value: number;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** A round upper bound for an axis (1, 2, 5 × 10^n) at or above `max`. */
export function toAxisMax(max: number): number {
  if (max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

/**
 * Stacked bars: one column a day, one segment per key with a value (zeros draw nothing), keys
 * stacked in order from the axis up; heights are proportional to the axis maximum.
 */
export function toStackedBars(
  data: DailySeries,
  box: PlotBox = PLOT,
): { bars: Bar[]; max: number } {
  const totals = data.days.map((_, i) => data.series.reduce((n, s) => n + (s.values[i] ?? 0), 0));
  const max = toAxisMax(Math.max(0, ...totals));
  const inner = box.height - box.top - box.bottom;
  const slot = data.days.length === 0 ? 0 : (box.width - box.left) / data.days.length;
  const width = Math.max(1, slot * 0.7);
  const bars: Bar[] = [];
  data.days.forEach((day, i) => {
    let base = box.height - box.bottom;
    for (const s of data.series) {
      const value = s.values[i] ?? 0;
      if (value <= 0) continue;
      const height = (value / max) * inner;
      base -= height;
      bars.push({
        day,
        key: s.key,
        value,
        x: box.left + i * slot + (slot - width) / 2,
        y: base,
        width,
        height,
      });
    }
  });
  return { bars, max };
}

export interface LinePoint {
  readonly day: string;
  readonly value: number;
  readonly x: number;
  readonly y: number;
}

/**
 * One line per key over a 0–100 % axis: a point a day with a value, x at the middle of the
 * day's slot; `segments` are the runs of consecutive days with values (a gap breaks the line).
 */
export function toLines(
  data: DailySeries,
  box: PlotBox = PLOT,
): { key: string; points: LinePoint[]; segments: LinePoint[][] }[] {
  const inner = box.height - box.top - box.bottom;
  const slot = data.days.length === 0 ? 0 : (box.width - box.left) / data.days.length;
  return data.series.map((s) => {
    const points: LinePoint[] = [];
    const segments: LinePoint[][] = [];
    let run: LinePoint[] = [];
    data.days.forEach((day, i) => {
      const raw = s.values[i];
      if (raw === null || raw === undefined) {
        if (run.length > 0) segments.push(run);
        run = [];
        return;
      }
      const value = Math.min(100, Math.max(0, raw));
      const point = {
        day,
        value,
        x: box.left + i * slot + slot / 2,
        y: box.top + inner * (1 - value / 100),
      };
      points.push(point);
      run.push(point);
    });
    if (run.length > 0) segments.push(run);
    return { key: s.key, points, segments };
  });
}

/** A CSV file name for an export: `customs-compliance-cluster-2026-12-07.csv`. */
export function toCsvFileName(what: string, day: string): string {
  return `customs-${what.replace(/[^a-z0-9-]+/gi, "-").toLowerCase()}-${day}.csv`;
}

import { ApiError, type IssueDetail } from "../../core/fleet/api-error.js";
import type { Principal } from "../../core/fleet/authorize.js";
import type { ClusterStatus, ViolationOutcome, ViolationRecord } from "../../core/fleet/store.js";
import { ACTIONS, isDnsLabel, isLabelKey, isLabelValue } from "../../core/policy/index.js";
import { VIOLATION_SOURCES, VIOLATION_TEXT_FIELDS } from "../../core/schema/index.js";
import { isObject, type Json } from "./bodies.js";
import { agentOf } from "./clusters.js";
import { actorOf, type FleetContext } from "./context.js";
import type { DeliveredBundle } from "./delivery.js";

export const MAX_WAIT_SECONDS = 60;
export const MAX_REPORT_BATCH = 1000;

function invalid(details: IssueDetail[]): ApiError {
  return new ApiError("API_INVALID", details.map((d) => `${d.path}: ${d.message}`).join("; "), {
    details: details.slice(0, 50),
  });
}

function optionalString(body: Json, key: string, details: IssueDetail[]): string | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  if (typeof v !== "string" || v.length > 256) {
    details.push({ path: key, message: "must be a string of at most 256 characters" });
    return undefined;
  }
  return v;
}

/**
 * Refreshes lastSeen (and whatever else the request tells). The store sets only the fields
 * given, so concurrent requests of one agent (a poll and a report) never undo each other.
 */
async function heartbeat(ctx: FleetContext, org: string, cluster: string, extra: ClusterStatus) {
  await ctx.store.updateClusterStatus(org, cluster, {
    ...extra,
    lastSeen: ctx.now().toISOString(),
  });
}

/** Step 1: `{agentVersion, kubernetesVersion?}` → `{cluster, organization}`. */
export async function registerAgent(ctx: FleetContext, p: Principal, body: Json) {
  const { org, cluster } = agentOf(p);
  const details: IssueDetail[] = [];
  const agentVersion = optionalString(body, "agentVersion", details);
  const kubernetesVersion = optionalString(body, "kubernetesVersion", details);
  if (details.length > 0) throw invalid(details);
  await heartbeat(ctx, org, cluster, {
    ...(agentVersion === undefined ? {} : { agentVersion }),
    ...(kubernetesVersion === undefined ? {} : { kubernetesVersion }),
  });
  return { cluster, organization: org };
}

function parseLabels(value: unknown, path: string, details: IssueDetail[]) {
  if (value === undefined) return {};
  if (!isObject(value)) {
    details.push({ path, message: "must be an object of strings" });
    return {};
  }
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "string" || !isLabelKey(k) || !isLabelValue(v)) {
      details.push({ path: `${path}.${k}`, message: "not a valid label" });
    } else labels[k] = v;
  }
  return labels;
}

/** Step 2: the cluster's full set of namespaces. */
export async function reportNamespaces(ctx: FleetContext, p: Principal, body: Json) {
  const { org, cluster } = agentOf(p);
  const list = body.namespaces;
  const details: IssueDetail[] = [];
  if (!Array.isArray(list)) throw invalid([{ path: "namespaces", message: "must be a list" }]);
  const seen = new Set<string>();
  const namespaces = list.flatMap((n: unknown, i) => {
    const path = `namespaces[${i}]`;
    if (!isObject(n) || typeof n.name !== "string" || !isDnsLabel(n.name)) {
      details.push({ path: `${path}.name`, message: "must be a namespace name" });
      return [];
    }
    if (seen.has(n.name)) details.push({ path: `${path}.name`, message: "listed twice" });
    seen.add(n.name);
    return [{ name: n.name, labels: parseLabels(n.labels, `${path}.labels`, details) }];
  });
  if (details.length > 0) throw invalid(details);
  const changed = await ctx.store.replaceNamespaces(actorOf(p), org, cluster, namespaces);
  await heartbeat(ctx, org, cluster, {});
  if (changed) {
    await ctx.hub.reported(
      org,
      cluster,
      namespaces.map((n) => ({ organization: org, cluster, ...n })),
    );
  }
  return { changed };
}

/** Step 3: the long poll; undefined means 304 (nothing new within `wait`). */
export async function pollPolicies(
  ctx: FleetContext,
  p: Principal,
  etag: string | undefined,
  waitText: string | undefined,
  signal?: AbortSignal,
): Promise<DeliveredBundle | undefined> {
  const { org, cluster } = agentOf(p);
  const wait = waitText === undefined ? 0 : Number(waitText);
  if (!Number.isInteger(wait) || wait < 0 || wait > MAX_WAIT_SECONDS) {
    throw invalid([{ path: "wait", message: `must be 0 to ${MAX_WAIT_SECONDS} seconds` }]);
  }
  // A bundle answered at once costs one status write (lastSeen with deliveredRevision), not
  // two: after a change, every affected agent comes back for its new bundle at once.
  let delivered = await ctx.hub.wait(org, cluster, etag, 0, signal);
  if (delivered === undefined && wait > 0 && signal?.aborted !== true) {
    await heartbeat(ctx, org, cluster, {});
    delivered = await ctx.hub.wait(org, cluster, etag, wait * 1000, signal);
    if (delivered === undefined) {
      // Unchanged: the agent's ETag is the current bundle's. Recorded as delivered, so that
      // "in sync" compares what the agent verified with what it should enforce now.
      const gone = (s: AbortSignal | undefined) => s?.aborted === true;
      if (etag !== undefined && !gone(signal))
        await heartbeat(ctx, org, cluster, { deliveredDigest: etag });
      return undefined;
    }
  }
  const sent = delivered !== undefined && signal?.aborted !== true;
  await heartbeat(
    ctx,
    org,
    cluster,
    sent && delivered
      ? { deliveredRevision: String(delivered.bundle.revision), deliveredDigest: delivered.etag }
      : etag !== undefined && delivered === undefined
        ? { deliveredDigest: etag }
        : {},
  );
  return delivered;
}

// What a report may hold is declared once, in the API's schema (src/core/schema).
const SOURCES = VIOLATION_SOURCES;

function parseViolation(
  v: unknown,
  path: string,
  where: { org: string; cluster: string },
  details: IssueDetail[],
): ViolationRecord | undefined {
  if (!isObject(v)) {
    details.push({ path, message: "must be an object" });
    return undefined;
  }
  // NUL: PostgreSQL cannot store it in text; refused on SQLite too, so both answer alike.
  const bad = VIOLATION_TEXT_FIELDS.filter(
    (k) => typeof v[k] !== "string" || (v[k] as string).length > 4096 || hasNul(v[k] as string),
  );
  if (!SOURCES.includes(v.source as never)) bad.push("source");
  if (!ACTIONS.includes(v.action as never)) bad.push("action");
  if (typeof v.time === "string" && Number.isNaN(Date.parse(v.time))) bad.push("time");
  if (v.outcome !== undefined && !OUTCOMES.includes(v.outcome as never)) bad.push("outcome");
  const count = v.count;
  if (count !== undefined && (!Number.isSafeInteger(count) || (count as number) < 1))
    bad.push("count");
  if (
    v.firstSeen !== undefined &&
    (typeof v.firstSeen !== "string" || Number.isNaN(Date.parse(v.firstSeen)))
  )
    bad.push("firstSeen");
  for (const k of ["operation", "normalizedImage", "ownerKind", "ownerName"]) {
    const o = v[k];
    if (o !== undefined && (typeof o !== "string" || o.length > 4096 || hasNul(o))) bad.push(k);
  }
  for (const k of bad) details.push({ path: `${path}.${k}`, message: "missing or invalid" });
  if (bad.length > 0) return undefined;
  const s = (k: string) => v[k] as string;
  return {
    organization: where.org,
    cluster: where.cluster,
    time: new Date(s("time")).toISOString(),
    source: v.source as ViolationRecord["source"],
    ...(v.operation === undefined ? {} : { operation: s("operation") }),
    namespace: s("namespace"),
    kind: s("kind"),
    name: s("name"),
    container: s("container"),
    image: s("image"),
    ...(v.normalizedImage === undefined ? {} : { normalizedImage: s("normalizedImage") }),
    policy: s("policy"),
    action: v.action as ViolationRecord["action"],
    code: s("code"),
    message: s("message"),
    ...(v.outcome === undefined ? {} : { outcome: v.outcome as ViolationOutcome }),
    ...(v.ownerKind === undefined ? {} : { ownerKind: s("ownerKind") }),
    ...(v.ownerName === undefined ? {} : { ownerName: s("ownerName") }),
    ...(count === undefined ? {} : { count: count as number }),
    ...(v.firstSeen === undefined ? {} : { firstSeen: new Date(s("firstSeen")).toISOString() }),
  };
}

const OUTCOMES: readonly ViolationOutcome[] = ["denied", "warned", "audited"];

function hasNul(text: string): boolean {
  return text.includes("\u0000");
}

/**
 * Step 5: violations found by the agent, and the revision it applied. Each record is checked
 * on its own: a bad one is refused alone and named in `rejected` (`{index, details}`), the
 * others are stored. Refusing the whole batch would have the agent send it again forever (or
 * drop the good records with it).
 */
export async function reportViolations(ctx: FleetContext, p: Principal, body: Json) {
  const where = agentOf(p);
  const list = body.violations ?? [];
  const details: IssueDetail[] = [];
  if (!Array.isArray(list)) throw invalid([{ path: "violations", message: "must be a list" }]);
  if (list.length > MAX_REPORT_BATCH) {
    throw invalid([{ path: "violations", message: `at most ${MAX_REPORT_BATCH} per batch` }]);
  }
  const applied = body.appliedRevision;
  const badText = typeof applied === "string" && (applied.length > 64 || hasNul(applied));
  if (
    (applied !== undefined && typeof applied !== "string" && typeof applied !== "number") ||
    badText
  ) {
    details.push({ path: "appliedRevision", message: "must be a revision" });
  }
  const digest = body.appliedDigest;
  if (digest !== undefined && (typeof digest !== "string" || !/^"[A-Za-z0-9_-]{43}"$/.test(digest)))
    details.push({ path: "appliedDigest", message: "must be a bundle ETag" });
  if (details.length > 0) throw invalid(details);
  const records: ViolationRecord[] = [];
  const rejected: { index: number; details: IssueDetail[] }[] = [];
  list.forEach((v, index) => {
    const problems: IssueDetail[] = [];
    const record = parseViolation(v, `violations[${index}]`, where, problems);
    if (record !== undefined) records.push(record);
    else rejected.push({ index, details: problems.slice(0, 20) });
  });
  if (records.length > 0) await ctx.store.addViolations(records);
  await heartbeat(ctx, where.org, where.cluster, {
    ...(applied === undefined ? {} : { appliedRevision: String(applied) }),
    ...(typeof digest === "string" ? { appliedDigest: digest } : {}),
  });
  if (rejected.length > 0) return { accepted: records.length, rejected };
  return { accepted: records.length };
}

/**
 * The measured part of the fleet benchmark: policy changes through the API, each timed until
 * every agent whose bundle holds the policy has received the new bundle; and, at the same
 * time, steady API traffic (list, get, create, update) whose latency is recorded.
 */
import { type Client, call, expectCall, now, quantile, type Reply, sleep } from "./fleet-http.js";
import {
  affectedClusters,
  type FleetSize,
  IDLE_WORKSPACE,
  type PolicySeed,
  policyDocument,
  type Scope,
} from "./fleet-model.js";
import { ORG } from "./fleet-seed.js";

const POLICIES = `/api/v1/organizations/${ORG}/policies`;

export interface Deliveries {
  /** Whether the cluster's agent holds a bundle (is connected). */
  holdsBundle(cluster: string): boolean;
  /** When each cluster first received a bundle holding change `mark`. */
  seen(mark: number): ReadonlyMap<string, number>;
  /** Bundles received between `from` and `to` by clusters outside `affected`. */
  othersWoken(from: number, to: number, affected: ReadonlySet<string>): number;
}

export interface ChangeResult {
  readonly n: number;
  readonly kind: Scope["kind"];
  readonly policy: string;
  readonly affected: number;
  readonly delivered: number;
  readonly putMs: number;
  /** Per affected agent: ms from sending the PUT to receiving the bundle. */
  readonly latencies: readonly number[];
  readonly othersWoken: number;
}

/** The resourceVersion of an answer: its ETag, else the body's metadata. */
function versionOf(reply: Reply): string {
  const etag = reply.headers.etag;
  if (typeof etag === "string" && etag !== "") return etag.replace(/^W\//, "");
  const body = JSON.parse(reply.text) as { metadata?: { resourceVersion?: string } };
  return `"${body.metadata?.resourceVersion ?? ""}"`;
}

// Most changes are a team's (workspace), some one namespace's, some organization-wide.
const KINDS: readonly Scope["kind"][] = [
  "workspace",
  "workspace",
  "namespace",
  "workspace",
  "organization",
];

export async function runChanges(
  admin: Client,
  size: FleetSize,
  seeds: readonly PolicySeed[],
  deliveries: Deliveries,
  count: number,
  timeoutMs: number,
  budgetMs: number,
  log: (line: string) => void,
): Promise<ChangeResult[]> {
  const results: ChangeResult[] = [];
  const budgetEnd = Date.now() + budgetMs;
  // A change is started only while the budget lasts, so the run ends in bounded time.
  for (let n = 1; n <= count && Date.now() < budgetEnd; n++) {
    const kind = KINDS[(n - 1) % KINDS.length] as Scope["kind"];
    const ofKind = seeds.filter((s) => s.scope.kind === kind);
    const seed = ofKind[(n * 37) % ofKind.length] as PolicySeed;
    // Agents the control plane never served cannot be waited for; they count as not connected.
    const affected = affectedClusters(size, seed.scope).filter((c) => deliveries.holdsBundle(c));
    let started = 0;
    let put: Reply;
    try {
      const current = await expectCall(admin, "GET", `${POLICIES}/${seed.name}`);
      started = now();
      put = await expectCall(
        admin,
        "PUT",
        `${POLICIES}/${seed.name}`,
        policyDocument(seed, n),
        [200],
        { "if-match": versionOf(current) },
      );
    } catch (error) {
      // An overloaded control plane is a result, not the end of the run.
      const failed = { n, kind, policy: seed.name, affected: affected.length, delivered: 0 };
      results.push({ ...failed, putMs: Number.NaN, latencies: [], othersWoken: 0 });
      log(`change ${n} (${kind} ${seed.name}) failed: ${String(error).slice(0, 200)}`);
      continue;
    }
    const deadline = Date.now() + timeoutMs;
    while (deliveries.seen(n).size < affected.length && Date.now() < deadline) await sleep(20);
    const finished = now();
    // Leave time for any unneeded wake-up to show before counting them.
    await sleep(1000);
    const seen = deliveries.seen(n);
    const latencies = affected.flatMap((c) => {
      const at = seen.get(c);
      return at === undefined ? [] : [at - started];
    });
    const result: ChangeResult = {
      n,
      kind,
      policy: seed.name,
      affected: affected.length,
      delivered: latencies.length,
      putMs: put.ms,
      latencies,
      othersWoken: deliveries.othersWoken(started, finished + 1000, new Set(affected)),
    };
    results.push(result);
    log(
      `change ${n} (${kind} ${seed.name}): ${result.delivered}/${result.affected} agents, ` +
        `p50 ${quantile(latencies, 0.5).toFixed(0)} ms, max ${quantile(latencies, 1).toFixed(0)} ms`,
    );
  }
  return results;
}

export type Operation = "list" | "get" | "create" | "update";

export interface OperationStats {
  readonly count: number;
  readonly errors: number;
  readonly latencies: number[];
}

/**
 * Steady API traffic from `clients` concurrent callers until stopped, each pausing `pauseMs`
 * after every round: list a page of policies, get one, create and update policies in a workspace without namespaces (so that this traffic
 * wakes no agent and the delivery figures stay those of the measured changes).
 */
export function startApiLoad(
  admin: Client,
  seeds: readonly PolicySeed[],
  clients: number,
  pauseMs: number,
): { stop(): Promise<Map<Operation, OperationStats>> } {
  const stats = new Map<Operation, OperationStats>(
    (["list", "get", "create", "update"] as const).map((op) => [
      op,
      { count: 0, errors: 0, latencies: [] },
    ]),
  );
  let running = true;
  let made = 0;
  const record = (op: Operation, reply: Reply | undefined, ok: readonly number[]) => {
    const s = stats.get(op) as { count: number; errors: number; latencies: number[] };
    s.count++;
    if (reply === undefined || !ok.includes(reply.status)) s.errors++;
    else s.latencies.push(reply.ms);
  };
  const loop = async (id: number) => {
    for (let i = 0; running; i++) {
      const seed = seeds[(i * 131 + id * 17) % seeds.length] as PolicySeed;
      const listed = await call(admin, "GET", `${POLICIES}?limit=100`).catch(() => undefined);
      record("list", listed, [200]);
      const got = await call(admin, "GET", `${POLICIES}/${seed.name}`).catch(() => undefined);
      record("get", got, [200]);
      const idle: PolicySeed = {
        name: `idle-${id}-${made++}`,
        scope: { kind: "workspace", workspace: IDLE_WORKSPACE },
        variant: i % 4,
      };
      const created = await call(admin, "POST", POLICIES, policyDocument(idle)).catch(
        () => undefined,
      );
      record("create", created, [200, 201]);
      if (created === undefined || created.status >= 300) continue;
      const updated = await call(
        admin,
        "PUT",
        `${POLICIES}/${idle.name}`,
        policyDocument({ ...idle, variant: (idle.variant + 1) % 4 }),
        { "if-match": versionOf(created) },
      ).catch(() => undefined);
      record("update", updated, [200]);
      // A paced loop: people and pipelines, not a flood (every write rebuilds bundles).
      await sleep(pauseMs);
    }
  };
  const loops = Array.from({ length: clients }, (_, id) => loop(id));
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return stats;
    },
  };
}

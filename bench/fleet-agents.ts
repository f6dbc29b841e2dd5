/**
 * Simulated agents for the fleet benchmark, run in a worker process forked by bench/fleet.ts.
 * Each does what `customs agent` does on the wire (docs/control-plane.md, Agent protocol):
 * register, report its namespaces, then hold a long poll for its bundle on its own keep-alive
 * HTTPS connection and report the applied revision after each new bundle. It does not compile
 * the bundle: the benchmark measures the control plane's delivery, not the agent's engine.
 *
 * It tells the parent (IPC) when it has registered and, for every 200, which change marks
 * (bench/fleet-model.ts changeMark) it saw for the first time and when.
 */
import { type Client, call, expectCall, newClient, now, pool, sleep } from "./fleet-http.js";

export interface AgentSpec {
  readonly cluster: string;
  readonly token: string;
  readonly namespaces: readonly string[];
}

export type ToWorker =
  | { type: "start"; base: string; ca: string; agents: AgentSpec[]; concurrency: number }
  | { type: "stop" };

export type FromWorker =
  | { type: "registered"; cluster: string }
  | { type: "bundle"; cluster: string; at: number; bytes: number; marks: number[] }
  | { type: "error"; cluster: string; message: string }
  | { type: "stats"; polls: number; notModified: number; errors: number };

const WAIT_SECONDS = 60;
let stopping = false;
const clients: Client[] = [];
const stats = { polls: 0, notModified: 0, errors: 0 };

function tell(message: FromWorker): void {
  process.send?.(message);
}

async function retrying<T>(spec: AgentSpec, what: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await what();
    } catch (error) {
      stats.errors++;
      tell({ type: "error", cluster: spec.cluster, message: String(error) });
      if (stopping || attempt >= 10) throw error;
      await sleep(500 * attempt);
    }
  }
}

async function connect(spec: AgentSpec, base: string, ca: string): Promise<Client> {
  const client = newClient(base, ca, spec.token, 1);
  clients.push(client);
  await retrying(spec, () =>
    expectCall(client, "POST", "/api/v1/agent/register", {
      agentVersion: "bench",
      kubernetesVersion: "v1.37.1",
    }),
  );
  await retrying(spec, () =>
    expectCall(client, "PUT", "/api/v1/agent/namespaces", {
      namespaces: spec.namespaces.map((name) => ({ name, labels: {} })),
    }),
  );
  tell({ type: "registered", cluster: spec.cluster });
  return client;
}

async function poll(spec: AgentSpec, client: Client): Promise<void> {
  let etag: string | undefined;
  const seen = new Set<number>();
  while (!stopping) {
    try {
      const reply = await call(
        client,
        "GET",
        `/api/v1/agent/policies?wait=${WAIT_SECONDS}`,
        undefined,
        etag === undefined ? {} : { "if-none-match": etag },
        (WAIT_SECONDS + 15) * 1000,
      );
      const at = now();
      stats.polls++;
      if (reply.status === 304) {
        stats.notModified++;
        continue;
      }
      if (reply.status !== 200) throw new Error(`policies: ${reply.status} ${reply.text}`);
      etag = String(reply.headers.etag ?? "");
      const marks: number[] = [];
      for (const m of reply.text.matchAll(/bench\/mark-(\d+)/g)) {
        const n = Number(m[1]);
        if (!seen.has(n)) {
          seen.add(n);
          marks.push(n);
        }
      }
      tell({ type: "bundle", cluster: spec.cluster, at, bytes: reply.text.length, marks });
      const bundle = JSON.parse(reply.text) as { revision?: unknown };
      await call(client, "POST", "/api/v1/agent/reports", {
        appliedRevision: String(bundle.revision ?? ""),
        violations: [],
      });
    } catch (error) {
      if (stopping) return;
      stats.errors++;
      tell({ type: "error", cluster: spec.cluster, message: String(error) });
      await sleep(1000);
    }
  }
}

async function start(message: Extract<ToWorker, { type: "start" }>): Promise<void> {
  // Connect with bounded concurrency (a fleet does not restart all at once), then each agent
  // keeps polling on its own.
  await pool(message.agents, message.concurrency, async (spec) => {
    const client = await connect(spec, message.base, message.ca);
    void poll(spec, client);
  });
}

process.on("message", (message: ToWorker) => {
  if (message.type === "start") {
    start(message).catch((error: unknown) => {
      tell({ type: "error", cluster: "*", message: String(error) });
    });
  } else if (message.type === "stop") {
    stopping = true;
    tell({ type: "stats", ...stats });
    for (const client of clients) client.agent.destroy();
    setTimeout(() => process.exit(0), 200);
  }
});
process.on("disconnect", () => process.exit(0));

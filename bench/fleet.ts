/**
 * `npm run bench:fleet`: the control plane at fleet scale. A real `customs serve control-plane`
 * (spawned, SQLite) holds 1 organization, 1,000 clusters, 10,000 namespaces attached across
 * 500 workspaces and 5,000 policies; 1,000 simulated agents in worker processes
 * (bench/fleet-agents.ts) register, report their namespaces and hold long polls over HTTPS
 * keep-alive. Then N policy changes go through the API, each timed until every affected agent
 * has the new bundle, while steady API traffic measures list/get/create/update latency.
 * Loopback only; bounded in size and time (BENCH_MAX_SECONDS); writes its section of
 * bench/RESULTS.md. Smaller runs: BENCH_CLUSTERS, BENCH_WORKSPACES, BENCH_POLICIES,
 * BENCH_CHANGES, BENCH_AGENT_WORKERS, BENCH_DATABASE (a database URL instead of SQLite).
 */
import { type ChildProcess, fork } from "node:child_process";
import { join } from "node:path";
import type { AgentSpec, FromWorker, ToWorker } from "./fleet-agents.js";
import { type Deliveries, runChanges, startApiLoad } from "./fleet-changes.js";
import { newClient, sleep } from "./fleet-http.js";
import { clusterName, type FleetSize, namespaceName, policySeeds } from "./fleet-model.js";
import { type PhaseMemory, reportSection } from "./fleet-report.js";
import { seedFleet } from "./fleet-seed.js";
import { type ControlPlane, startControlPlane } from "./fleet-server.js";
import { writeResultsSection } from "./results.js";

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const size: FleetSize = {
  clusters: env("BENCH_CLUSTERS", 1000),
  namespacesPerCluster: 10,
  workspaces: env("BENCH_WORKSPACES", 500),
  policies: env("BENCH_POLICIES", 5000),
};
const CHANGES = env("BENCH_CHANGES", 20);
const WORKERS = env("BENCH_AGENT_WORKERS", 2);
const MAX_SECONDS = env("BENCH_MAX_SECONDS", 1200);
const API_CLIENTS = env("BENCH_API_CLIENTS", 2);
const API_PAUSE_MS = 500;
const CHANGE_TIMEOUT_MS = 60_000;
const CONNECT_SECONDS = env("BENCH_CONNECT_SECONDS", 300);
const CHANGES_SECONDS = env("BENCH_CHANGES_SECONDS", 300);

const log = (line: string) => process.stderr.write(`[fleet ${new Date().toISOString()}] ${line}\n`);

class Tracker implements Deliveries {
  readonly registered = new Set<string>();
  readonly firstBundle = new Set<string>();
  readonly marks = new Map<number, Map<string, number>>();
  readonly bundles: { cluster: string; at: number }[] = [];
  readonly errors: string[] = [];
  errorCount = 0;
  polls = 0;
  notModified = 0;

  on(message: FromWorker): void {
    if (message.type === "registered") this.registered.add(message.cluster);
    else if (message.type === "bundle") {
      this.firstBundle.add(message.cluster);
      this.bundles.push({ cluster: message.cluster, at: message.at });
      for (const mark of message.marks) {
        const seen = this.marks.get(mark) ?? new Map<string, number>();
        this.marks.set(mark, seen);
        if (!seen.has(message.cluster)) seen.set(message.cluster, message.at);
      }
    } else if (message.type === "error") {
      this.errorCount++;
      if (this.errors.length < 5) this.errors.push(`${message.cluster}: ${message.message}`);
    } else {
      this.polls += message.polls;
      this.notModified += message.notModified;
    }
  }

  holdsBundle(cluster: string): boolean {
    return this.firstBundle.has(cluster);
  }

  seen(mark: number): ReadonlyMap<string, number> {
    return this.marks.get(mark) ?? new Map();
  }

  othersWoken(from: number, to: number, affected: ReadonlySet<string>): number {
    return this.bundles.filter((b) => b.at >= from && b.at <= to && !affected.has(b.cluster))
      .length;
  }
}

/** Waits until `done()` or `timeoutMs`; returns the seconds waited. */
async function waitUntil(done: () => boolean, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (!done() && performance.now() - started < timeoutMs) await sleep(50);
  return (performance.now() - started) / 1000;
}

function startAgents(server: ControlPlane, tokens: Map<string, string>, tracker: Tracker) {
  const workers: ChildProcess[] = [];
  for (let w = 0; w < WORKERS; w++) {
    const agents: AgentSpec[] = [];
    for (let i = w; i < size.clusters; i += WORKERS) {
      const cluster = clusterName(i);
      const namespaces = Array.from({ length: size.namespacesPerCluster }, (_, j) =>
        namespaceName(j),
      );
      agents.push({ cluster, token: tokens.get(cluster) as string, namespaces });
    }
    const worker = fork(join(import.meta.dirname, "fleet-agents.js"), [], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    worker.on("message", (m: FromWorker) => tracker.on(m));
    const start: ToWorker = {
      type: "start",
      base: server.base,
      ca: server.ca,
      agents,
      concurrency: 25,
    };
    worker.send(start);
    workers.push(worker);
  }
  return workers;
}

async function stopAgents(workers: readonly ChildProcess[]): Promise<void> {
  await Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((done) => {
          worker.once("exit", () => done());
          worker.send({ type: "stop" } satisfies ToWorker);
          setTimeout(() => worker.kill("SIGKILL"), 3000).unref();
        }),
    ),
  );
}

async function main(): Promise<void> {
  const watchdog = setTimeout(() => {
    log(`still running after ${MAX_SECONDS} s: giving up`);
    process.exit(1);
  }, MAX_SECONDS * 1000);
  watchdog.unref();
  const started = Date.now();
  const memory: PhaseMemory[] = [];
  const server = await startControlPlane(process.env.BENCH_DATABASE);
  let workers: ChildProcess[] = [];
  let peak = { rss: 0, heapUsed: 0 };
  const sampler = setInterval(() => {
    const m = server.memory();
    if (m !== undefined) {
      peak = { rss: Math.max(peak.rss, m.rss), heapUsed: Math.max(peak.heapUsed, m.heapUsed) };
    }
  }, 250);
  const phase = (name: string) => {
    memory.push({ phase: name, now: server.memory(), peak });
    peak = { rss: 0, heapUsed: 0 };
  };
  try {
    log(`control plane pid ${server.pid} at ${server.base}`);
    const admin = newClient(server.base, server.ca, server.adminToken, 16);
    const seeds = policySeeds(size);
    const seeded = await seedFleet(admin, size, seeds, log);
    phase("seeded, no agent connected");

    const tracker = new Tracker();
    workers = startAgents(server, seeded.tokens, tracker);
    // Bounded: a control plane that cannot serve them all is measured with those it did.
    const connectSeconds = await waitUntil(
      () => tracker.firstBundle.size >= size.clusters,
      CONNECT_SECONDS * 1000,
    );
    const connected = tracker.firstBundle.size;
    log(
      `${connected} of ${size.clusters} agents hold a bundle after ${connectSeconds.toFixed(1)} s`,
    );
    await sleep(5000);
    phase(`${connected} of ${size.clusters} agents holding long polls, idle`);

    const load = startApiLoad(admin, seeds, API_CLIENTS, API_PAUSE_MS);
    const changes = await runChanges(
      admin,
      size,
      seeds,
      tracker,
      CHANGES,
      CHANGE_TIMEOUT_MS,
      CHANGES_SECONDS * 1000,
      log,
    );
    const api = await load.stop();
    phase("policy changes and API traffic");

    await stopAgents(workers);
    workers = [];
    const section = reportSection({
      size,
      seedSteps: seeded.steps,
      connectSeconds,
      connected,
      changes,
      plannedChanges: CHANGES,
      api,
      apiClients: API_CLIENTS,
      apiPauseMs: API_PAUSE_MS,
      memory,
      agentErrors: tracker.errorCount,
      sampleErrors: tracker.errors,
      database: process.env.BENCH_DATABASE === undefined ? "SQLite" : "PostgreSQL",
      totalSeconds: (Date.now() - started) / 1000,
    });
    // One section per database and fleet size, so that one run does not replace another.
    writeResultsSection(section.slice(0, section.indexOf(" clusters,") + 9), section);
    process.stdout.write(`${section}\n`);
  } catch (error) {
    log(`failed: ${String(error)}\ncontrol plane output:\n${server.output().slice(-4000)}`);
    process.exitCode = 1;
  } finally {
    clearInterval(sampler);
    if (workers.length > 0) await stopAgents(workers);
    await server.stop();
  }
}

await main();
process.exit();

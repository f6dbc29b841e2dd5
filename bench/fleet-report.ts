/** The fleet benchmark's section of bench/RESULTS.md. */
import { cpus, loadavg, release, totalmem } from "node:os";
import type { ChangeResult, Operation, OperationStats } from "./fleet-changes.js";
import { quantile } from "./fleet-http.js";
import type { FleetSize } from "./fleet-model.js";
import type { SeedStep } from "./fleet-seed.js";
import type { Memory } from "./fleet-server.js";

export interface PhaseMemory {
  readonly phase: string;
  readonly now: Memory | undefined;
  readonly peak: { readonly rss: number; readonly heapUsed: number };
}

export interface FleetReport {
  readonly size: FleetSize;
  readonly seedSteps: readonly SeedStep[];
  readonly connectSeconds: number;
  /** Agents holding a bundle when the changes started. */
  readonly connected: number;
  readonly changes: readonly ChangeResult[];
  readonly plannedChanges: number;
  readonly api: ReadonlyMap<Operation, OperationStats>;
  readonly apiClients: number;
  readonly apiPauseMs: number;
  readonly memory: readonly PhaseMemory[];
  readonly agentErrors: number;
  readonly sampleErrors: readonly string[];
  readonly database: string;
  readonly totalSeconds: number;
}

const n = (x: number) => x.toLocaleString("en-US");
const ms = (x: number) => (Number.isNaN(x) ? "n/a" : x < 10 ? x.toFixed(1) : x.toFixed(0));
const mib = (bytes: number | undefined) =>
  bytes === undefined || bytes === 0 ? "n/a" : `${Math.round(bytes / 2 ** 20)} MiB`;

function machine(): string {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  return `${cpu}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, linux ${release()}, node ${process.version}`;
}

/** " (k failed)" when some changes' GET or PUT failed (timed out). */
function failedNote(of: readonly ChangeResult[]): string {
  const failed = of.filter((c) => Number.isNaN(c.putMs)).length;
  return failed === 0 ? "" : ` (${failed} failed)`;
}

function putTimes(of: readonly ChangeResult[]): number[] {
  return of.flatMap((c) => (Number.isNaN(c.putMs) ? [] : [c.putMs]));
}

function deliveryRows(changes: readonly ChangeResult[]): string[] {
  const rows: string[] = [];
  for (const kind of ["workspace", "namespace", "organization"] as const) {
    const of = changes.filter((c) => c.kind === kind);
    if (of.length === 0) continue;
    const all = of.flatMap((c) => c.latencies);
    const affected = of.reduce((s, c) => s + c.affected, 0);
    const delivered = of.reduce((s, c) => s + c.delivered, 0);
    const woken = of.reduce((s, c) => s + c.othersWoken, 0);
    rows.push(
      `| ${kind} | ${of.length} | ${n(Math.round(affected / of.length))} | ${n(delivered)}/${n(affected)} | ` +
        `${ms(quantile(putTimes(of), 0.5))}${failedNote(of)} | ${ms(quantile(all, 0.5))} | ${ms(quantile(all, 0.99))} | ` +
        `**${ms(quantile(all, 1))}** | ${woken} |`,
    );
  }
  return rows;
}

export function reportSection(r: FleetReport): string {
  const date = new Date().toISOString().slice(0, 10);
  const [l1, l5] = loadavg();
  const namespaces = r.size.clusters * r.size.namespacesPerCluster;
  const lines = [
    `## Fleet on ${r.database}: control plane with ${n(r.size.clusters)} clusters, ${n(r.size.clusters)} agents and ${n(r.size.policies)} policies`,
    "",
    `Made by \`npm run bench:fleet\` (bench/fleet.ts) on ${date}: ${machine()}; load average at the end ${l1?.toFixed(1)}, ${l5?.toFixed(1)} (1, 5 min; the machine is shared).`,
    `One \`customs serve control-plane\` process (${r.database}, its own TLS CA) on 127.0.0.1; 1 organization, ${n(r.size.clusters)} clusters, ${n(namespaces)} namespaces (${r.size.namespacesPerCluster} per cluster) attached across ${n(r.size.workspaces)} workspaces (each workspace holds namespaces of ${n(Math.round(namespaces / r.size.workspaces))} clusters), ${n(r.size.policies)} policies (1% organization-wide, 10% on one namespace, 89% on workspaces). ${n(r.size.clusters)} simulated agents in worker processes on the same cores, each on its own keep-alive HTTPS connection: register, report namespaces, long poll \`GET /api/v1/agent/policies?wait=60\` with \`If-None-Match\`, report the applied revision after each new bundle. Whole run ${r.totalSeconds.toFixed(0)} s.`,
    "",
    "Building the fleet through the API (16 requests in flight; each write is one transaction with its audit entry and revision bump):",
    "",
    "| step | requests | seconds | requests / s |",
    "|---|---:|---:|---:|",
    ...r.seedSteps.map(
      (s) =>
        `| ${s.what} | ${n(s.count)} | ${s.seconds.toFixed(1)} | ${n(Math.round(s.count / s.seconds))} |`,
    ),
    "",
    r.connected >= r.size.clusters
      ? `All ${n(r.size.clusters)} agents registered, reported their namespaces and held their first bundle after ${r.connectSeconds.toFixed(1)} s (25 connecting at a time per worker).`
      : `**Only ${n(r.connected)} of ${n(r.size.clusters)} agents** held a bundle after ${r.connectSeconds.toFixed(0)} s (the limit; 25 connecting at a time per worker); the changes below were measured with the agents connected by then, the others kept trying.`,
    "",
    `Delivery: ${r.changes.length} policy updates${r.changes.length < r.plannedChanges ? ` (of ${r.plannedChanges} planned: the phase's time budget ran out)` : ""} (\`PUT\` with \`If-Match\`), one after another; for each, the time from sending the \`PUT\` until an affected agent received a bundle holding the change, over every affected agent of every change of that kind. "Others woken" counts bundles sent to agents the change did not concern (the ETag is the bundle's content hash, so it should be 0).`,
    "",
    "| policy scope | changes | agents per change | delivered | PUT p50 ms | p50 ms | p99 ms | max ms | others woken |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...deliveryRows(r.changes),
    "",
    `API latency while the changes ran (${r.apiClients} clients on one keep-alive pool, each repeating list, get, create, update and a ${r.apiPauseMs} ms pause; list = first page of 100 policies, get = one policy, create/update = policies of a workspace without namespaces, so that this traffic wakes no agent, though each write still changes the server's snapshot of the organization and wakes its waiting agents' check):`,
    "",
    "| operation | requests | errors | p50 ms | p99 ms | max ms |",
    "|---|---:|---:|---:|---:|---:|",
    ...[...r.api].map(
      ([op, s]) =>
        `| ${op} | ${n(s.count)} | ${s.errors} | ${ms(quantile(s.latencies, 0.5))} | ${ms(quantile(s.latencies, 0.99))} | ${ms(quantile(s.latencies, 1))} |`,
    ),
    "",
    "Control-plane memory (sampled four times a second inside the server process):",
    "",
    "| phase | RSS at end | peak RSS | heap used at end | peak heap used |",
    "|---|---:|---:|---:|---:|",
    ...r.memory.map(
      (m) =>
        `| ${m.phase} | ${mib(m.now?.rss)} | ${mib(m.peak.rss)} | ${mib(m.now?.heapUsed)} | ${mib(m.peak.heapUsed)} |`,
    ),
    "",
    `Agent-side errors (failed requests, retried): ${r.agentErrors}${r.sampleErrors.length > 0 ? ` (first: ${r.sampleErrors.map((e) => `\`${e.slice(0, 160)}\``).join("; ")})` : ""}.`,
  ];
  return lines.join("\n");
}

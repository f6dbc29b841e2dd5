/**
 * `npm run bench:inventory`: the control plane's side of the background audit at fleet scale.
 * A real `customs serve control-plane` (spawned, SQLite unless BENCH_DATABASE) gets 1,000
 * clusters (BENCH_CLUSTERS) whose simulated agents each send an inventory of 100 workloads
 * (BENCH_WORKLOADS) in 10 namespaces, each judged by 3 policies. Then one policy changes and
 * every agent's next pass sends a new inventory: the time from the change until all 1,000
 * PUTs are accepted and the compliance API shows the new state is what "policy change to
 * updated reports at every cluster" costs the control plane. Also measured: the latency of
 * the compliance queries over the whole fleet, and the server's RSS (sampled inside it).
 * Writes the section "## Fleet inventory" of bench/RESULTS.md, with the machine and its load.
 */
import { cpus, loadavg, release, totalmem } from "node:os";
import { figuresLine } from "./figures.js";
import { type Client, call, expectCall, newClient, pool, quantile } from "./fleet-http.js";
import { clusterName } from "./fleet-model.js";
import { type ControlPlane, startControlPlane } from "./fleet-server.js";
import { writeResultsSection } from "./results.js";

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const CLUSTERS = env("BENCH_CLUSTERS", 1000);
const WORKLOADS = env("BENCH_WORKLOADS", 100);
const NAMESPACES = 10;
const POLICIES = ["corp-only", "no-latest", "signed"];
const IN_FLIGHT = env("BENCH_IN_FLIGHT", 16);
const QUERY_RUNS = 5;
const ORG = "/api/v1/organizations/default";

const log = (line: string) =>
  process.stderr.write(`[inventory ${new Date().toISOString()}] ${line}\n`);

/** The inventory one cluster's agent sends in pass `pass`: every `failEvery`th workload fails. */
function inventory(cluster: number, revision: number, failEvery: number) {
  const workloads = Array.from({ length: WORKLOADS }, (_, w) => {
    const fails = (cluster * WORKLOADS + w) % failEvery === 0;
    const image = fails
      ? `docker.io/library/app-${w}:latest`
      : `registry.corp.example/app-${w}:1.${w}`;
    return {
      namespace: `team-${w % NAMESPACES}`,
      kind: w % 10 === 9 ? "StatefulSet" : "Deployment",
      name: `app-${w}`,
      containers: [{ name: "app", image, type: "container" }],
      results: POLICIES.map((policy, p) =>
        fails && p === 0
          ? {
              policy,
              result: "fail",
              code: "IMAGE_REGISTRY_NOT_ALLOWED",
              message: `${image} is not from an allowed registry`,
              container: "app",
              image,
            }
          : { policy, result: "pass" },
      ),
    };
  });
  return { revision, generatedAt: new Date().toISOString(), workloads };
}

function expectedFailing(failEvery: number): number {
  let n = 0;
  for (let c = 0; c < CLUSTERS; c++)
    for (let w = 0; w < WORKLOADS; w++) if ((c * WORKLOADS + w) % failEvery === 0) n++;
  return n;
}

interface Round {
  readonly seconds: number;
  readonly putMs: number[];
}

/** Every agent sends its inventory (IN_FLIGHT at once, as agents finishing a pass together). */
async function sendAll(
  server: ControlPlane,
  tokens: readonly string[],
  revision: number,
  failEvery: number,
): Promise<Round> {
  const putMs: number[] = [];
  const clients = Array.from({ length: IN_FLIGHT }, (_, i) =>
    newClient(server.base, server.ca, tokens[i] ?? "", 1),
  );
  const started = performance.now();
  await pool(tokens, IN_FLIGHT, async (token, i) => {
    const client: Client = { ...(clients[i % IN_FLIGHT] as Client), token };
    const reply = await call(
      client,
      "PUT",
      "/api/v1/agent/inventory",
      inventory(i, revision, failEvery),
    );
    if (reply.status !== 204)
      throw new Error(`PUT inventory ${i}: ${reply.status} ${reply.text.slice(0, 300)}`);
    putMs.push(reply.ms);
  });
  const seconds = (performance.now() - started) / 1000;
  for (const c of clients) c.agent.destroy();
  return { seconds, putMs };
}

async function totalFailing(admin: Client): Promise<number> {
  const r = await expectCall(admin, "GET", `${ORG}/compliance?groupBy=cluster`);
  return (JSON.parse(r.text) as { total: { failing: number } }).total.failing;
}

async function queryLatency(admin: Client): Promise<[string, number[]][]> {
  const queries: [string, string][] = [
    ["compliance by cluster", `${ORG}/compliance?groupBy=cluster`],
    ["compliance by namespace", `${ORG}/compliance?groupBy=namespace`],
    ["compliance by policy", `${ORG}/compliance?groupBy=policy`],
    ["compliance by workload", `${ORG}/compliance?groupBy=workload`],
    ["failing workloads, first page", `${ORG}/compliance/failing?limit=100`],
    ["compliance trend, 30 days by policy", `${ORG}/compliance/trend?days=30&by=policy`],
    ["failing workloads as CSV", `${ORG}/compliance/failing?limit=500&format=csv`],
  ];
  const out: [string, number[]][] = [];
  for (const [name, path] of queries) {
    const times: number[] = [];
    for (let i = 0; i < QUERY_RUNS; i++) times.push((await expectCall(admin, "GET", path)).ms);
    out.push([name, times]);
  }
  return out;
}

const mib = (bytes: number | undefined) =>
  bytes === undefined || bytes === 0 ? "n/a" : `${Math.round(bytes / 2 ** 20)} MiB`;
const ms = (x: number) => (x < 10 ? x.toFixed(1) : x.toFixed(0));

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const server = await startControlPlane(process.env.BENCH_DATABASE);
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, server.memory()?.rss ?? 0);
  }, 250);
  try {
    const admin = newClient(server.base, server.ca, server.adminToken, IN_FLIGHT);
    for (const name of POLICIES) {
      await expectCall(admin, "POST", `${ORG}/policies`, {
        apiVersion: "customs.dev/v1alpha1",
        kind: "ImagePolicy",
        metadata: { name },
        spec: { recipe: "block-latest-tag" },
      });
    }
    const tokens: string[] = new Array(CLUSTERS).fill("");
    const seedStarted = performance.now();
    await pool(
      Array.from({ length: CLUSTERS }, (_, i) => i),
      IN_FLIGHT,
      async (i) => {
        const r = await expectCall(admin, "POST", `${ORG}/clusters`, {
          metadata: { name: clusterName(i) },
          spec: {},
        });
        tokens[i] = (JSON.parse(r.text) as { agentToken: string }).agentToken;
      },
    );
    log(`${CLUSTERS} clusters in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);
    const rssIdle = server.memory()?.rss;

    const first = await sendAll(server, tokens, 1, 10);
    log(`first inventories: ${CLUSTERS} in ${first.seconds.toFixed(1)} s`);
    if ((await totalFailing(admin)) !== expectedFailing(10))
      throw new Error("first round not reflected");
    const rssLoaded = server.memory()?.rss;

    // The policy change, then every agent's next pass: a different set of failing workloads.
    const changeStarted = performance.now();
    const corp = JSON.parse((await expectCall(admin, "GET", `${ORG}/policies/corp-only`)).text) as {
      metadata: { resourceVersion: string };
    };
    await expectCall(
      admin,
      "PUT",
      `${ORG}/policies/corp-only`,
      {
        apiVersion: "customs.dev/v1alpha1",
        kind: "ImagePolicy",
        metadata: { name: "corp-only", resourceVersion: corp.metadata.resourceVersion },
        spec: { recipe: "block-latest-tag", action: "warn" },
      },
      [200],
    );
    const second = await sendAll(server, tokens, 2, 7);
    const want = expectedFailing(7);
    let reflected = await totalFailing(admin);
    while (reflected !== want) reflected = await totalFailing(admin);
    const changeSeconds = (performance.now() - changeStarted) / 1000;
    log(`policy change to compliance current at every cluster: ${changeSeconds.toFixed(1)} s`);

    const queries = await queryLatency(admin);
    const rssEnd = server.memory()?.rss;
    const loadAfter = loadavg();
    const cpu = cpus()[0]?.model ?? "unknown CPU";
    const machine = `${cpu}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.versions.node.split(".")[0]}`;
    const total = CLUSTERS * WORKLOADS;
    const lines = [
      `## Fleet inventory on ${process.env.BENCH_DATABASE === undefined ? "SQLite" : "PostgreSQL"}: ${CLUSTERS.toLocaleString("en-US")} clusters × ${WORKLOADS} workloads`,
      "",
      `Made by \`npm run bench:inventory\` (bench/fleet-inventory.ts) on ${new Date().toISOString().slice(0, 10)}: ${cpu}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, linux ${release()}, node ${process.version}. The machine is shared with other work: load average (1, 5, 15 min) ${loadBefore.map((l) => l.toFixed(1)).join(", ")} before, ${loadAfter.map((l) => l.toFixed(1)).join(", ")} after; the figures are those of a loaded machine. One real control plane (spawned from dist/), ${total.toLocaleString("en-US")} workloads in ${(CLUSTERS * NAMESPACES).toLocaleString("en-US")} namespaces, 3 policy results each; the agents are simulated by one process sending ${IN_FLIGHT} inventories at a time over HTTPS keep-alive.`,
      "",
      "| step | clusters | seconds | PUT p50 ms | PUT p99 ms |",
      "|---|---:|---:|---:|---:|",
      `| first inventories | ${CLUSTERS} | ${first.seconds.toFixed(1)} | ${ms(quantile(first.putMs, 0.5))} | ${ms(quantile(first.putMs, 0.99))} |`,
      `| policy change → every cluster's new inventory accepted and compliance current | ${CLUSTERS} | ${changeSeconds.toFixed(1)} | ${ms(quantile(second.putMs, 0.5))} | ${ms(quantile(second.putMs, 0.99))} |`,
      "",
      `The second row starts when the policy update is sent and ends when \`GET …/compliance\` shows the failing count of the new inventories (${want.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} workloads): the agents' audit passes themselves (reading the cluster, evaluating) are not in it.`,
      "",
      `Compliance queries over the whole fleet (${QUERY_RUNS} runs each, one at a time):`,
      "",
      "| query | p50 ms | max ms |",
      "|---|---:|---:|",
      ...queries.map(
        ([name, t]) => `| ${name} | ${ms(quantile(t, 0.5))} | ${ms(quantile(t, 1))} |`,
      ),
      "",
      `Control-plane RSS: ${mib(rssIdle)} with the clusters and no inventory, ${mib(rssLoaded)} after the first inventories, ${mib(rssEnd)} at the end, ${mib(peak)} at the peak (sampled four times a second inside the server).`,
      "",
      figuresLine({
        machine,
        figures: {
          "inventory.changeSeconds": {
            value: Number(changeSeconds.toFixed(2)),
            better: "lower",
            band: 0.5,
          },
          "inventory.complianceByCluster.p50Ms": {
            value: Number(quantile(queries[0]?.[1] ?? [], 0.5).toFixed(1)),
            better: "lower",
            band: 0.5,
          },
          "inventory.peakRssMiB": {
            value: Math.round(peak / 2 ** 20),
            better: "lower",
            band: 0.25,
          },
        },
      }),
    ];
    const section = lines.join("\n");
    // One section per database and fleet size, so that one run does not replace another.
    writeResultsSection(section.slice(0, section.indexOf(" clusters") + 9), section);
    process.stdout.write(`${section}\n`);
    admin.agent.destroy();
  } catch (error) {
    log(`failed: ${String(error)}\ncontrol plane output:\n${server.output().slice(-4000)}`);
    process.exitCode = 1;
  } finally {
    clearInterval(sampler);
    await server.stop();
  }
}

await main();
process.exit();

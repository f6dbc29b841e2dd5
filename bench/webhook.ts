/**
 * `npm run bench:webhook`: load on POST /validate of a real `customs serve` (TLS, keep-alive)
 * with a realistic Deployment AdmissionReview and 50 policies; a fixed request rate, then as
 * fast as the connections go. Appends its section to bench/RESULTS.md.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:https";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createCertificateAuthority, issueServerCertificate } from "../src/adapters/pki/index.js";
import { generatePolicies } from "./generate.js";
import { writeResultsSection } from "./results.js";

const ROOT = resolve(import.meta.dirname, "../../..");
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const RATE = Number(process.env.BENCH_RATE ?? 2000);
const CONNECTIONS = 32;

function deploymentReview(i: number): string {
  const images = [
    `registry.mycorp.local:5000/team-${i % 40}/service-${i % 300}:v1.${i % 13}@sha256:${(i % 500).toString(16).padStart(64, "0")}`,
    `quay.io/org-${i % 20}/sidecar:v${i % 5}`,
    `${["nginx", "redis", "postgres"][i % 3]}:1.${i % 20}`,
  ];
  return JSON.stringify({
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: `00000000-0000-0000-0000-${i.toString().padStart(12, "0")}`,
      kind: { group: "apps", version: "v1", kind: "Deployment" },
      resource: { group: "apps", version: "v1", resource: "deployments" },
      name: `app-${i}`,
      namespace: `team-${i % 20}`,
      operation: "CREATE",
      userInfo: {
        username: "system:serviceaccount:ci:deployer",
        groups: ["system:serviceaccounts"],
      },
      object: {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: {
          name: `app-${i}`,
          namespace: `team-${i % 20}`,
          labels: { app: `app-${i}`, team: "payments" },
          annotations: { "deployment.kubernetes.io/revision": "1" },
        },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: `app-${i}` } },
          template: {
            metadata: { labels: { app: `app-${i}` } },
            spec: {
              serviceAccountName: "app",
              initContainers: [{ name: "migrate", image: images[0], args: ["migrate", "--up"] }],
              containers: [
                {
                  name: "app",
                  image: images[0],
                  ports: [{ containerPort: 8080 }],
                  env: [{ name: "MODE", value: "prod" }],
                  resources: { requests: { cpu: "100m", memory: "128Mi" } },
                },
                { name: "proxy", image: images[1], ports: [{ containerPort: 9090 }] },
                { name: "cache", image: images[2] },
              ],
            },
          },
        },
      },
      oldObject: null,
      dryRun: false,
    },
  });
}

interface Load {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

/**
 * The load comes from `hey` (Debian package `hey`, Go): a Node client on the same two cores
 * measured its own event loop more than the server. hey keeps connections alive; `-q` caps
 * each connection's rate, so `connections × q` is the offered rate.
 */
function load(port: number, body: string, rate: number | undefined): Load {
  const dir = mkdtempSync(join(tmpdir(), "customs-hey-"));
  try {
    writeFileSync(join(dir, "body.json"), body);
    const connections = rate === undefined ? CONNECTIONS : 20;
    const args = [
      "-z",
      `${SECONDS}s`,
      "-c",
      String(connections),
      "-m",
      "POST",
      "-T",
      "application/json",
      "-D",
      join(dir, "body.json"),
    ];
    if (rate !== undefined) args.push("-q", String(Math.ceil(rate / connections)));
    const r = spawnSync("hey", [...args, `https://127.0.0.1:${port}/validate`], {
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`hey failed: ${r.stderr || r.error?.message}`);
    const num = (re: RegExp) => Number(re.exec(r.stdout)?.[1] ?? Number.NaN);
    const ok = num(/\[200\]\s+(\d+) responses/);
    const all = [...r.stdout.matchAll(/\[(\d+)\]\s+(\d+) responses/g)].reduce(
      (n, m) => n + Number(m[2]),
      0,
    );
    return {
      rps: num(/Requests\/sec:\s+([\d.]+)/),
      p50: num(/ 50% in ([\d.]+) secs/) * 1000,
      p99: num(/ 99% in ([\d.]+) secs/) * 1000,
      errors: all - ok + (r.stdout.match(/Error distribution/) ? 1 : 0),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function post(agent: Agent, port: number, ca: string, body: string): Promise<void> {
  return new Promise((done, fail) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: "/validate",
        method: "POST",
        agent,
        ca,
        servername: "localhost",
      },
      (r) => {
        r.resume();
        r.on("end", () => (r.statusCode === 200 ? done() : fail(new Error(String(r.statusCode)))));
      },
    );
    req.on("error", fail);
    req.end(body);
  });
}

async function withServer<T>(
  workers: number,
  f: (port: number, ca: string) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "customs-bench-webhook-"));
  const ca = await createCertificateAuthority("bench CA");
  const cert = await issueServerCertificate(ca, { dns: ["localhost"], ip: ["127.0.0.1"] });
  writeFileSync(join(dir, "tls.crt"), cert.certPem);
  writeFileSync(join(dir, "tls.key"), cert.keyPem);
  writeFileSync(
    join(dir, "policies.json"),
    generatePolicies(50)
      .map((d) => JSON.stringify(d))
      .join("\n---\n"),
  );
  const port = 40_000 + Math.floor(Math.random() * 10_000);
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(ROOT, "bin/customs"),
      "serve",
      "webhook",
      "-p",
      join(dir, "policies.json"),
      "--listen",
      `127.0.0.1:${port}`,
      "--tls-cert",
      join(dir, "tls.crt"),
      "--tls-key",
      join(dir, "tls.key"),
      "--workers",
      String(workers),
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  try {
    for (let i = 0; ; i++) {
      try {
        await post(new Agent(), port, ca.certPem, deploymentReview(0));
        break;
      } catch (e) {
        if (i > 100) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return await f(port, ca.certPem);
  } finally {
    child.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The server's own latency histogram (customs_request_duration_seconds) for /validate. */
function histogram(port: number, ca: string): Promise<Map<number, number>> {
  return new Promise((done, fail) => {
    const req = request(
      { host: "127.0.0.1", port, path: "/metrics", ca, servername: "localhost", agent: false },
      (r) => {
        let text = "";
        r.on("data", (d: Buffer) => {
          text += d.toString();
        });
        r.on("end", () => {
          const buckets = new Map<number, number>();
          for (const m of text.matchAll(
            /customs_request_duration_seconds_bucket\{le="([^"]+)",path="\/validate"\} (\d+)/g,
          )) {
            buckets.set(m[1] === "+Inf" ? Number.POSITIVE_INFINITY : Number(m[1]), Number(m[2]));
          }
          done(buckets);
        });
      },
    );
    req.on("error", fail);
    req.end();
  });
}

/** The upper bound (ms) of the bucket holding the p-th percentile of requests between two snapshots. */
function serverPercentile(
  before: Map<number, number>,
  after: Map<number, number>,
  p: number,
): string {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total =
    (after.get(Number.POSITIVE_INFINITY) ?? 0) - (before.get(Number.POSITIVE_INFINITY) ?? 0);
  for (const le of bounds) {
    const n = (after.get(le) ?? 0) - (before.get(le) ?? 0);
    if (n >= (p / 100) * total)
      return le === Number.POSITIVE_INFINITY ? "> 1000" : `≤ ${le * 1000}`;
  }
  return "n/a";
}

const body = deploymentReview(7);
const rows: string[] = [];
for (const workers of [1, 2]) {
  await withServer(workers, async (port, ca) => {
    load(port, body, undefined); // warm-up
    const runs: Array<[string, Load, string]> = [];
    for (const [label, rate] of [
      [`${RATE} req/s offered`, RATE],
      ["as fast as possible", undefined],
    ] as const) {
      // With several workers each has its own metrics; only one worker's are comparable.
      const before = workers === 1 ? await histogram(port, ca) : undefined;
      const r = load(port, body, rate);
      const server =
        before === undefined ? "n/a" : serverPercentile(before, await histogram(port, ca), 99);
      runs.push([label, r, server]);
    }
    for (const [label, r, server] of runs) {
      rows.push(
        `| ${workers} | ${label} | ${Math.round(r.rps).toLocaleString("en-US")} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${server} | ${r.errors} |`,
      );
    }
  });
}
const size = Buffer.byteLength(body);
const section = [
  "",
  "## Webhook: POST /validate over TLS with keep-alive",
  "",
  `\`customs serve\` with the 50 benchmark policies; a ${size}-byte Deployment AdmissionReview (3 containers + 1 init container); keep-alive connections from \`hey\` (20 connections for the fixed rate, ${CONNECTIONS} for the maximum) on the same ${cpus().length}-core machine (it competes for the cores); every policy is evaluated (the memo is warm: one body repeated); ${SECONDS} s per row. Client latency is measured by hey, from sending the request to the end of the response, and includes hey's own scheduling on the shared cores; server latency is the webhook's own histogram (body read to response written).`,
  "",
  "| worker processes | load | requests/s answered | client p50 ms | client p99 ms | server p99 ms (histogram bucket) | errors |",
  "|---:|---|---:|---:|---:|---:|---:|",
  ...rows,
  "",
  "Target (issue: enforcement): p99 under 5 ms at 2,000 requests per second on one core.",
  "",
].join("\n");
writeResultsSection("## Webhook:", section);
process.stdout.write(section);

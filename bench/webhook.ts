/**
 * `npm run bench:webhook`: POST /validate of a real `customs serve webhook` (one worker, TLS,
 * keep-alive, 50 policies) against the bare limit, a Node HTTPS server that only parses the
 * review (bench/webhook-bare.ts), in the same run: rounds alternate between the two (A B A B),
 * so that what else the shared machine does weighs on both alike. Both servers are pinned to
 * core 0 and the load generator (bench/webhook-load.ts, undici) to core 1. Each round sends
 * the same review over and over (a decision the webhook remembers), then a new workload in
 * every review (decided afresh each time), then a fixed rate. Then one more
 * webhook under `--cpu-prof` says where its time goes. Replaces its section of
 * bench/RESULTS.md, and fails (leaving it as it was) when a recorded figure no longer
 * reproduces on this machine (bench/figures.ts).
 */
import { type ChildProcess, spawn } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { Agent, request } from "node:https";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import type { TLSSocket } from "node:tls";
import { createCertificateAuthority, issueServerCertificate } from "../src/adapters/pki/index.js";
import { CATEGORIES, type CpuProfile, timeByCategory } from "./cpu-profile.js";
import { type Figures, figuresLine, noiseBand, readFigures, regressions } from "./figures.js";
import { generatePolicies } from "./generate.js";
import { readResultsSection, writeResultsSection } from "./results.js";
import { deploymentReview } from "./webhook-review.js";

// Compiled to bench/out/bench/webhook.js: the repository is three levels up.
const ROOT = resolve(import.meta.dirname, "../../..");
const HERE = import.meta.dirname;
// Short rounds, many of them: the machine's load drifts, and both servers should see the same.
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
const RATE = Number(process.env.BENCH_RATE ?? 2000);
const CONNECTIONS = 16;
const SERVER_CORE = "0";
const LOAD_CORE = "1";

interface Load {
  /** CPU time (user + system) the server spent per request, in µs. */
  cpuMicros?: number;
  readonly requests: number;
  readonly ok: number;
  readonly errors: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
}

/** CPU time of a process so far, in µs (Linux: /proc, clock ticks of 10 ms). */
function cpuOf(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return Number.NaN;
  }
}

/** One load run from the pinned load generator, with the server's CPU time per request. */
async function measured(
  server: ChildProcess,
  dir: string,
  port: number,
  rate: number | undefined,
  reviews = REPEATED,
): Promise<Load> {
  const before = cpuOf(server.pid);
  const r = await load(dir, port, rate, SECONDS, reviews);
  r.cpuMicros = (cpuOf(server.pid) - before) / r.requests;
  return r;
}

/**
 * The reviews a load run sends: the same Deployment each time (a decision the webhook
 * remembers once it has come twice), or in every review a Deployment of another name with an
 * image of another tag (the load generator numbers each), which nothing remembered answers.
 */
const REPEATED = "review.json";
const NEW = "review-new.json";

/** One load run from the pinned load generator. */
function load(
  dir: string,
  port: number,
  rate: number | undefined,
  seconds = SECONDS,
  reviews = REPEATED,
) {
  return new Promise<Load>((done, fail) => {
    const args = [
      "-c",
      LOAD_CORE,
      process.execPath,
      join(HERE, "webhook-load.js"),
      String(port),
      join(dir, "ca.crt"),
      join(dir, reviews),
      String(CONNECTIONS),
      String(seconds),
      ...(rate === undefined ? [] : [String(rate)]),
    ];
    const child = spawn("taskset", args, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.on("error", fail);
    child.on("close", (code) => {
      if (code !== 0) fail(new Error(`load generator exited with ${code}`));
      else done(JSON.parse(out) as Load);
    });
  });
}

/** One review's status, and the TLS version and cipher its connection negotiated. */
function post(
  port: number,
  ca: string,
  body: string,
): Promise<{ status: number; tls: string; bytes: number }> {
  return new Promise((done, fail) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: "/validate",
        method: "POST",
        agent: new Agent(),
        ca,
        servername: "localhost",
      },
      (r) => {
        const socket = r.socket as TLSSocket;
        const tls = `${socket.getProtocol()} ${socket.getCipher().standardName}`;
        let bytes = 0;
        r.on("data", (c: Buffer) => {
          bytes += c.length;
        });
        r.on("end", () => done({ status: r.statusCode ?? 0, tls, bytes }));
      },
    );
    req.on("error", fail);
    req.end(body);
  });
}

/**
 * Waits until the server answers a review; says what TLS its connections negotiate and how
 * long its answer is.
 */
async function ready(
  port: number,
  ca: string,
  body: string,
): Promise<{ tls: string; bytes: number }> {
  for (let i = 0; ; i++) {
    try {
      const { status, tls, bytes } = await post(port, ca, body);
      if (status === 200) return { tls, bytes };
      throw new Error(`status ${status}`);
    } catch (e) {
      if (i > 150) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function pinned(args: readonly string[]): ChildProcess {
  return spawn("taskset", ["-c", SERVER_CORE, process.execPath, ...args], {
    stdio: ["ignore", "ignore", "inherit"],
  });
}

function customsArgs(dir: string, port: number): string[] {
  return [
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
    "1",
  ];
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done();
    else child.once("exit", () => done());
  });
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const range = (xs: readonly number[], digits = 0) =>
  `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;

const dir = mkdtempSync(join(tmpdir(), "customs-bench-webhook-"));
const children: ChildProcess[] = [];
try {
  const ca = await createCertificateAuthority("bench CA");
  const cert = await issueServerCertificate(ca, { dns: ["localhost"], ip: ["127.0.0.1"] });
  writeFileSync(join(dir, "ca.crt"), ca.certPem);
  writeFileSync(join(dir, "tls.crt"), cert.certPem);
  writeFileSync(join(dir, "tls.key"), cert.keyPem);
  writeFileSync(
    join(dir, "policies.json"),
    generatePolicies(50)
      .map((d) => JSON.stringify(d))
      .join("\n---\n"),
  );
  const body = deploymentReview(7);
  writeFileSync(join(dir, REPEATED), body);
  // The name (request, metadata, labels, annotations) and the proxy's tag are the load
  // generator's marker: a workload and an image no review before it had.
  writeFileSync(
    join(dir, NEW),
    body
      .replaceAll('payments-api-7"', 'payments-api-UNIQUE0000000000"')
      .replace('envoy:v1.31.2"', 'envoy:v1.31.UNIQUE0000000000"'),
  );
  const load1 = loadavg()[0] ?? 0;

  const base = 40_000 + Math.floor(Math.random() * 10_000);
  const servers = [
    { name: "customs", port: base, args: customsArgs(dir, base) },
    {
      name: "bare",
      port: base + 1,
      args: [
        join(HERE, "webhook-bare.js"),
        String(base + 1),
        join(dir, "tls.crt"),
        join(dir, "tls.key"),
      ],
    },
  ] as const;
  const started = servers.map((s) => pinned(s.args));
  children.push(...started);
  // Both servers must encrypt alike, or the comparison is of TLS settings, not of servers.
  const first: Array<{ tls: string; bytes: number }> = [];
  for (const s of servers) first.push(await ready(s.port, ca.certPem, body));
  const negotiated = first.map((f) => f.tls);
  if (new Set(negotiated).size !== 1) {
    throw new Error(`the servers negotiate different TLS: ${negotiated.join(" against ")}`);
  }
  // Warm-up: JIT, memos, connection pools.
  for (const s of servers) await load(dir, s.port, undefined, 2);

  const closed: Record<string, Load[]> = { customs: [], bare: [] };
  const open: Record<string, Load[]> = { customs: [], bare: [] };
  const fresh: Record<string, Load[]> = { customs: [], bare: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, s] of servers.entries()) {
      const child = started[i] as ChildProcess;
      closed[s.name]?.push(await measured(child, dir, s.port, undefined));
    }
    for (const [i, s] of servers.entries()) {
      const child = started[i] as ChildProcess;
      fresh[s.name]?.push(await measured(child, dir, s.port, undefined, NEW));
    }
    for (const [i, s] of servers.entries()) {
      const child = started[i] as ChildProcess;
      open[s.name]?.push(await measured(child, dir, s.port, RATE));
    }
    process.stderr.write(`bench:webhook round ${round + 1}/${ROUNDS} done\n`);
  }
  for (const c of children) c.kill("SIGTERM");
  await Promise.all(children.map(exited));
  children.length = 0;

  // Where the time goes: each server once more under --cpu-prof, the same closed-loop load;
  // only the samples of the measured run count (not start-up, not warm-up).
  const profiles: Array<{ byCategory: Map<string, number>; requests: number; rps: number }> = [];
  for (const [i, s] of servers.entries()) {
    const port = base + 2 + i;
    const args = s.name === "customs" ? customsArgs(dir, port) : [...s.args];
    if (s.name === "bare") args[1] = String(port);
    const profileDir = join(dir, `profile-${s.name}`);
    const profiled = pinned(["--cpu-prof", `--cpu-prof-dir=${profileDir}`, ...args]);
    children.push(profiled);
    await ready(port, ca.certPem, body);
    await load(dir, port, undefined, 2);
    const from = Number(process.hrtime.bigint() / 1000n);
    const profiledLoad = await load(dir, port, undefined);
    const to = Number(process.hrtime.bigint() / 1000n);
    // SIGINT: the bare server exits on it (and writes its profile); customs drains and exits.
    profiled.kill(s.name === "customs" ? "SIGTERM" : "SIGINT");
    await exited(profiled);
    children.length = 0;
    const file = readdirSync(profileDir).find((f) => f.endsWith(".cpuprofile"));
    if (file === undefined) throw new Error(`the profiled ${s.name} wrote no .cpuprofile`);
    const profile = JSON.parse(readFileSync(join(profileDir, file), "utf8")) as CpuProfile;
    // BENCH_PROFILES=<folder> keeps the raw profiles (Chrome DevTools or speedscope open them),
    // to check what the categories make of them.
    const keep = process.env.BENCH_PROFILES;
    if (keep !== undefined && keep !== "") {
      mkdirSync(keep, { recursive: true });
      copyFileSync(join(profileDir, file), join(keep, `${s.name}.cpuprofile`));
      writeFileSync(join(keep, `${s.name}.window.json`), JSON.stringify({ from, to }));
    }
    profiles.push({
      byCategory: timeByCategory(profile, { from, to }),
      requests: profiledLoad.requests,
      rps: profiledLoad.rps,
    });
  }
  const load2 = loadavg()[0] ?? 0;

  const cpu = (name: string) => (closed[name] ?? []).map((l) => l.cpuMicros ?? Number.NaN);
  const busyOf = (p: { byCategory: Map<string, number> } | undefined) =>
    [...(p?.byCategory.values() ?? [])].reduce((a, b) => a + b, 0);
  const perRequest = (
    p: { byCategory: Map<string, number>; requests: number } | undefined,
    category?: string,
  ) => {
    if (p === undefined) return "n/a";
    const ms = category === undefined ? busyOf(p) : (p.byCategory.get(category) ?? 0);
    return ((ms * 1000) / p.requests).toFixed(1);
  };
  const ratios = closed.customs?.map((c, i) => c.rps / (closed.bare?.[i]?.rps ?? Number.NaN));
  const rps = (name: string) => (closed[name] ?? []).map((l) => l.rps);
  const p = (name: string, k: "p50" | "p99") => (open[name] ?? []).map((l) => l[k]);
  const answered = (name: string) => (open[name] ?? []).map((l) => l.rps);
  const newCpu = (name: string) => (fresh[name] ?? []).map((l) => l.cpuMicros ?? Number.NaN);
  const newRps = (name: string) => (fresh[name] ?? []).map((l) => l.rps);
  const newRatios = fresh.customs?.map((c, i) => c.rps / (fresh.bare?.[i]?.rps ?? Number.NaN));
  const newRatio = median(newRatios ?? []);
  const newCpuRatio = median(newCpu("bare")) / median(newCpu("customs"));
  const errors = [...Object.values(closed), ...Object.values(open), ...Object.values(fresh)]
    .flat()
    .reduce((n, l) => n + l.errors, 0);
  const ratio = median(ratios ?? []);
  const model = cpus()[0]?.model ?? "unknown";
  const machine = `${model}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.versions.node.split(".")[0]}`;
  const figures: Figures = {
    machine,
    figures: {
      "webhook.ratioToBare": {
        value: Number(ratio.toFixed(3)),
        better: "higher",
        band: noiseBand(ratios ?? [], 0.15),
      },
      "webhook.cpuRatioToBare": {
        value: Number((median(cpu("bare")) / median(cpu("customs"))).toFixed(3)),
        better: "higher",
        band: 0.2,
      },
      "webhook.closedLoop.rps": {
        value: Math.round(median(rps("customs"))),
        better: "higher",
        band: noiseBand(rps("customs"), 0.3),
      },
      "webhook.newWorkloads.ratioToBare": {
        value: Number(newRatio.toFixed(3)),
        better: "higher",
        band: noiseBand(newRatios ?? [], 0.15),
      },
      "webhook.newWorkloads.cpuRatioToBare": {
        value: Number(newCpuRatio.toFixed(3)),
        better: "higher",
        band: 0.2,
      },
      "webhook.fixedRate.p99ms": {
        value: Number(median(p("customs", "p99")).toFixed(2)),
        better: "lower",
        band: noiseBand(p("customs", "p99"), 1),
      },
    },
  };
  const section = [
    "## Webhook: POST /validate over TLS with keep-alive, against the bare Node HTTPS limit",
    "",
    `Made by \`npm run bench:webhook\` (bench/webhook.ts) on ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC: ${machine}; load average ${load1.toFixed(2)} before and ${load2.toFixed(2)} after (1 min; the machine is shared, and other work competes for both cores).`,
    "",
    `**customs**: \`customs serve webhook --workers 1\` with the 50 benchmark policies. **bare**: bench/webhook-bare.ts, a Node HTTPS server that reads the body, runs one \`JSON.parse\` and checks that every container has an image. Both get the same ${Buffer.byteLength(body)}-byte CREATE review of a 3-container Deployment (managed fields, probes, env, resources), the same certificate and TLS (both negotiate ${negotiated[0]}), and ${CONNECTIONS} keep-alive TLS connections from bench/webhook-load.ts (undici); customs answers with ${first[0]?.bytes} bytes of JSON (the audit annotations of the benchmark's digest policy), bare with ${first[1]?.bytes}; both servers are pinned with \`taskset -c ${SERVER_CORE}\`, the load generator with \`taskset -c ${LOAD_CORE}\`. ${ROUNDS} rounds of ${SECONDS} s, interleaved (customs, bare, customs, bare…): closed loop (each connection sends its next request when the answer ends: the maximum), then closed loop with a new workload in every review (below), then open loop at a fixed ${fmt(RATE)} requests/s (latency from send to the end of the answer). ${errors} errors.`,
    "",
    "| server | closed loop: requests/s (median, range) | fixed rate: answered/s | fixed rate: p50 ms (median, range) | p99 ms (median, range) |",
    "|---|---:|---:|---:|---:|",
    ...servers.map(
      (s) =>
        `| ${s.name} | **${fmt(median(rps(s.name)))}** (${range(rps(s.name))}) | ${fmt(median(answered(s.name)))} | ${median(p(s.name, "p50")).toFixed(2)} (${range(p(s.name, "p50"), 2)}) | ${median(p(s.name, "p99")).toFixed(2)} (${range(p(s.name, "p99"), 2)}) |`,
    ),
    "",
    `**customs / bare, closed loop: ${(ratio * 100).toFixed(0)}%** (median of the rounds' ratios; range ${range((ratios ?? []).map((r) => r * 100))}%). Target: 80% or more.`,
    "",
    `The review above is the same Deployment every time, as a Deployment applied again or the Pods of one template (whose names differ, which the decision's key leaves out) are: from its third time on, Customs answers it with the decision it remembers (docs/webhook.md, "Decisions remembered"). In each round both servers were also sent a new workload in every review: the same review, with a Deployment name and a proxy image tag (\`envoy:v1.31.N\`) that the load generator numbers for each request, so that Customs remembers nothing of it: extraction, the image's reference parsed, 50 policies, messages, annotations and the answer's JSON, every time.`,
    "",
    "| every review a new workload | closed loop: requests/s (median, range) | CPU µs per request (median) |",
    "|---|---:|---:|",
    `| customs | **${fmt(median(newRps("customs")))}** (${range(newRps("customs"))}) | ${median(newCpu("customs")).toFixed(0)} |`,
    `| bare | **${fmt(median(newRps("bare")))}** (${range(newRps("bare"))}) | ${median(newCpu("bare")).toFixed(0)} |`,
    "",
    `**customs / bare, every review a new workload: ${(newRatio * 100).toFixed(0)}%** closed loop (range ${range((newRatios ?? []).map((r) => r * 100))}%), **${(newCpuRatio * 100).toFixed(0)}%** by CPU time per request.`,
    "",
    `Server CPU time per request (user + system, from /proc, during the closed-loop runs; medians): customs ${median(cpu("customs")).toFixed(0)} µs, bare ${median(cpu("bare")).toFixed(0)} µs, **bare / customs ${((median(cpu("bare")) / median(cpu("customs"))) * 100).toFixed(0)}%**. One core's capacity is the inverse of this figure, so its ratio is how close one worker comes to the bare limit when the core is its own. Requests per second in a closed loop also measure the load generator: on a loaded machine, core 1 is shared and the generator (TLS and HTTP like the servers) may not keep up, leaving the server idle part of the time; CPU time per request does not depend on that, nor on how much of core 0 the other work left each server in its round.`,
    "",
    `Where the CPU time goes: each server once more under \`node --cpu-prof\`, the same closed-loop load, only the samples of the measured ${SECONDS} s (customs ${fmt(profiles[0]?.rps ?? 0)} requests/s, bare ${fmt(profiles[1]?.rps ?? 0)} requests/s while profiled). Each sample's self time goes to the innermost frame of its stack that names a category (bench/cpu-profile.ts): customs' own functions by name (the webhook runs from the bundle, whose chunk names do not say which module a function comes from), Node's by module. V8 gives a builtin's time to its caller: JSON.parse is counted in the function that calls it (the bare server's whole handler, body decoding and answer serialization included, is counted as JSON parse). TLS is mostly \`writev\`: encrypting the answer and the system call that writes it, which on loopback also runs the receiving side's TCP. "other" is mostly native work V8 cannot attribute (\`(program)\`: decrypting the request, the HTTP parser). The profiler samples wall-clock time, so on a loaded machine a frame where the process was preempted (a system call) is charged for the wait.`,
    "",
    "| category | customs: share of busy time | customs: µs per request | bare: µs per request |",
    "|---|---:|---:|---:|",
    ...CATEGORIES.map((c) => {
      const [mine, theirs] = profiles;
      const share = ((mine?.byCategory.get(c) ?? 0) / busyOf(mine)) * 100;
      return `| ${c} | ${share.toFixed(1)}% | ${perRequest(mine, c)} | ${perRequest(theirs, c)} |`;
    }),
    `| **total** | 100% | ${perRequest(profiles[0])} | ${perRequest(profiles[1])} |`,
    "",
    "Decisions that make it fast are in docs/webhook.md (Performance).",
    "",
    figuresLine(figures),
    "",
  ].join("\n");
  process.stdout.write(section);
  const found = regressions(readFigures(readResultsSection("## Webhook:")), figures);
  if (found.length > 0 && process.env.BENCH_ACCEPT !== "1") {
    for (const r of found) {
      process.stderr.write(
        `bench: REGRESSION ${r.name}: ${r.measured} against ${r.recorded} recorded on this machine, ${(r.worse * 100).toFixed(0)}% worse (noise band ${(r.band * 100).toFixed(0)}%)\n`,
      );
    }
    process.stderr.write(
      "bench: bench/RESULTS.md left as it was; find the cause, or record the new figures with BENCH_ACCEPT=1 and say why in the commit\n",
    );
    process.exitCode = 1;
  } else {
    writeResultsSection("## Webhook:", section);
  }
} finally {
  for (const c of children) c.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
}

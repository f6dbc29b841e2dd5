/**
 * `npm run bench:peers`: `customs check` against the Kyverno CLI (`kyverno apply`) and gator
 * (`gator test`) on the same generated workloads with three policies of the same meaning
 * (allowed registries, block latest, require digest). Each tool runs as a whole process
 * (start-up, parsing, evaluation, output), interleaved with the others so that the shared
 * machine's changing load falls on all of them alike. Writes the section "## Peers" of
 * bench/RESULTS.md; numbers are measured here, never asserted by tests.
 *
 * The peers are built by scripts/peers/build.sh (the npm script runs it first) into
 * ~/.cache/customs/bin; a peer that is not there is left out and the section says so.
 *
 *   BENCH_PEERS_SIZES       workload counts (default 1000,10000,100000)
 *   BENCH_PEERS_RUNS        runs per tool and size (default 5)
 *   BENCH_PEERS_RUNS_LARGE  runs per tool at 100,000 workloads and more (default 3)
 *   CUSTOMS_CACHE           cache folder (default ~/.cache/customs)
 */
import { spawnSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { cpus, freemem, homedir, loadavg, platform, release, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { type Figures, figuresLine, noiseBand, readFigures, regressions } from "./figures.js";
import {
  CUSTOMS_NAMES,
  customsPolicies,
  expectedCounts,
  GATOR_NAMES,
  gatorConstraints,
  generateWorkloads,
  KYVERNO_NAMES,
  kyvernoPolicies,
  POLICIES,
  workloadsJsonList,
  workloadsYaml,
} from "./peers-generate.js";
import { type Counts, countPairs, customsPairs, gatorPairs, kyvernoPairs } from "./peers-parse.js";
import { readResultsSection, writeResultsSection } from "./results.js";

// Compiled to bench/out/bench/peers.js: the repository is three levels up.
const ROOT = resolve(import.meta.dirname, "../../..");
const SIZES = (process.env.BENCH_PEERS_SIZES ?? "1000,10000,100000").split(",").map(Number);
const RUNS = Number(process.env.BENCH_PEERS_RUNS ?? 5);
const RUNS_LARGE = Number(process.env.BENCH_PEERS_RUNS_LARGE ?? 3);
const BIN = join(process.env.CUSTOMS_CACHE ?? join(homedir(), ".cache/customs"), "bin");
const SEED = 20_261_207;

type Tool = "customs-yaml" | "customs-json" | "kyverno" | "gator";

interface Run {
  wall: number;
  cpu: number;
  rssKb: number;
  exit: number | null;
  counts: Counts;
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};

function version(name: string): string | undefined {
  const bin = join(BIN, name);
  if (!existsSync(bin) || !existsSync(`${bin}.version`)) return undefined;
  return readFileSync(`${bin}.version`, "utf8").trim();
}

/** Runs one tool under /usr/bin/time: wall time, user+sys CPU and peak RSS of the process. */
function measure(dir: string, cmd: string, args: string[], parse: (out: string) => Counts): Run {
  const outPath = join(dir, "out.txt");
  const timePath = join(dir, "time.txt");
  const outFd = openSync(outPath, "w");
  const errFd = openSync(join(dir, "err.txt"), "w");
  const start = performance.now();
  const r = spawnSync("/usr/bin/time", ["-f", "%U %S %M", "-o", timePath, cmd, ...args], {
    stdio: ["ignore", outFd, errFd],
    cwd: dir,
  });
  const wall = (performance.now() - start) / 1000;
  closeSync(outFd);
  closeSync(errFd);
  // /usr/bin/time writes "Command exited with non-zero status N" first when the tool fails
  // (every tool here exits non-zero when it denies something): the figures are the last line.
  const last = readFileSync(timePath, "utf8").trim().split("\n").pop() ?? "";
  const [user, sys, rss] = last.split(" ").map(Number);
  const exit = r.status;
  let counts: Counts;
  try {
    counts = parse(readFileSync(outPath, "utf8"));
  } catch (e) {
    const err = readFileSync(join(dir, "err.txt"), "utf8").slice(0, 2000);
    throw new Error(`${cmd} ${args.join(" ")}: exit ${exit}: ${(e as Error).message}\n${err}`);
  }
  return {
    wall,
    cpu: (user ?? Number.NaN) + (sys ?? Number.NaN),
    rssKb: rss ?? Number.NaN,
    exit,
    counts,
  };
}

interface SizeResult {
  workloads: number;
  yamlBytes: number;
  jsonBytes: number;
  runs: Partial<Record<Tool, Run[]>>;
  expected: ReturnType<typeof expectedCounts>;
  kinds: Record<string, number>;
}

function benchSize(work: string, size: number, tools: Tool[]): SizeResult {
  const dir = join(work, String(size));
  mkdirSync(dir);
  const ws = generateWorkloads(size, SEED);
  const yaml = workloadsYaml(ws);
  const json = workloadsJsonList(ws);
  writeFileSync(join(dir, "workloads.yaml"), yaml);
  writeFileSync(join(dir, "workloads.json"), json);
  const kinds: Record<string, number> = {};
  for (const w of ws) kinds[w.kind] = (kinds[w.kind] ?? 0) + 1;
  const customs = join(ROOT, "bin/customs");
  const policyFile = join(work, "customs-policies.yaml");
  const commands: Record<Tool, () => Run> = {
    "customs-yaml": () =>
      measure(
        dir,
        process.execPath,
        [customs, "check", "-p", policyFile, "-o", "json", "workloads.yaml"],
        (o) => countPairs(customsPairs(o), CUSTOMS_NAMES),
      ),
    "customs-json": () =>
      measure(
        dir,
        process.execPath,
        [customs, "check", "-p", policyFile, "-o", "json", "workloads.json"],
        (o) => countPairs(customsPairs(o), CUSTOMS_NAMES),
      ),
    kyverno: () =>
      measure(
        dir,
        join(BIN, "kyverno"),
        ["apply", join(work, "kyverno"), "--resource", "workloads.yaml", "--remove-color"],
        (o) => countPairs(kyvernoPairs(o), KYVERNO_NAMES),
      ),
    gator: () =>
      measure(
        dir,
        join(BIN, "gator"),
        ["test", "-f", join(work, "gator"), "-f", "workloads.yaml"],
        (o) => countPairs(gatorPairs(o), GATOR_NAMES),
      ),
  };
  const runs: Partial<Record<Tool, Run[]>> = {};
  const n = size >= 100_000 ? RUNS_LARGE : RUNS;
  for (let i = 0; i < n; i++) {
    for (const tool of tools) {
      const run = commands[tool]();
      const list = runs[tool] ?? [];
      list.push(run);
      runs[tool] = list;
      process.stderr.write(
        `bench:peers ${fmt(size)} run ${i + 1}/${n} ${tool}: ${run.wall.toFixed(2)} s wall, ${run.cpu.toFixed(2)} s CPU, ${fmt(run.rssKb / 1024)} MiB, exit ${run.exit}, denied ${JSON.stringify(run.counts)}\n`,
      );
    }
  }
  rmSync(dir, { recursive: true, force: true });
  return {
    workloads: size,
    yamlBytes: yaml.length,
    jsonBytes: json.length,
    runs,
    expected: expectedCounts(ws),
    kinds,
  };
}

function prepare(work: string): void {
  writeFileSync(join(work, "customs-policies.yaml"), customsPolicies());
  mkdirSync(join(work, "kyverno"));
  kyvernoPolicies((p) => readFileSync(join(ROOT, p), "utf8")).forEach((text, i) => {
    writeFileSync(join(work, "kyverno", `policy-${i}.yaml`), text);
  });
  mkdirSync(join(work, "gator"));
  for (const kind of ["allowedrepos", "disallowedtags", "imagedigests"])
    writeFileSync(
      join(work, "gator", `${kind}-template.yaml`),
      readFileSync(join(ROOT, "bench/peers/gatekeeper", `${kind}-template.yaml`)),
    );
  writeFileSync(join(work, "gator", "constraints.yaml"), gatorConstraints());
}

const LABEL: Record<Tool, string> = {
  "customs-yaml": "customs check (YAML)",
  "customs-json": "customs check (JSON List)",
  kyverno: "kyverno apply (YAML)",
  gator: "gator test (YAML)",
};

function report(
  results: SizeResult[],
  versions: Record<string, string | undefined>,
  load: { before: number[]; after: number[] },
  missing: string[],
): string {
  const load3 = (l: number[]) => l.map((x) => x.toFixed(2)).join(" / ");
  const lines = [
    "## Peers: customs check, kyverno apply, gator test",
    "",
    "Made by `npm run bench:peers` (bench/peers.ts). Each tool runs as a whole process (start-up, reading, evaluation, output), measured by `/usr/bin/time` (user+sys CPU, peak RSS) and the wall clock, interleaved: customs on YAML, customs on the same workloads as a JSON List, kyverno, gator, then again. Figures are medians; ratios are peer / customs (above 1: Customs is faster or smaller).",
    "",
    `- date: ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
    `- machine: ${cpus()[0]?.model ?? "unknown"}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB (${(freemem() / 2 ** 30).toFixed(0)} GiB free), ${platform()} ${release()}; shared with other work: load average (1 / 5 / 15 min) ${load3(load.before)} before, ${load3(load.after)} after`,
    `- versions: Customs ${versions.customs} on Node.js ${process.version}; Kyverno CLI ${versions.kyverno ?? "not built"}; gator ${versions.gator ?? "not built"} (both built from the Go module proxy by scripts/peers/build.sh, Go ${versions.go})`,
    "- workloads: Deployments (50%), Pods (30%) and CronJobs (20%), 1–2 containers and on a quarter an init container; block-style YAML with small flow maps, quoted images, env lists, CronJob schedules (bench/peers-generate.ts, seeded). Images from three allowed registries (one with a port), 40% with digests, and a few that break each policy.",
    "- policies: Customs `custom` allowlist of the three registries, `block-latest-tag`, `require-digest` (action deny); Kyverno's library `restrict-image-registries` (the registry list replaced), `disallow-latest-tag` and `require-image-checksum`, in Enforce mode, applied by Kyverno's autogen to Deployments and CronJobs; gator with the library's K8sAllowedRepos, K8sDisallowedTags and K8sImageDigests and ExpansionTemplates turning Deployments and CronJobs into Pods.",
    "- commands: `customs check -p POLICIES -o json FILE`, `kyverno apply DIR --resource FILE --remove-color`, `gator test -f DIR -f FILE`.",
    ...(missing.length > 0 ? ["", `**Not measured:** ${missing.join("; ")}.`] : []),
    "",
  ];
  for (const r of results) {
    const tools = Object.keys(r.runs) as Tool[];
    const med = (t: Tool, f: (x: Run) => number) => median((r.runs[t] ?? []).map(f));
    const base = (f: (x: Run) => number) => med("customs-yaml", f);
    lines.push(
      `### ${fmt(r.workloads)} workloads`,
      "",
      `YAML ${(r.yamlBytes / 2 ** 20).toFixed(1)} MiB, JSON List ${(r.jsonBytes / 2 ** 20).toFixed(1)} MiB; ${Object.entries(
        r.kinds,
      )
        .map(([k, n]) => `${fmt(n)} ${k}s`)
        .join(", ")}; ${r.runs["customs-yaml"]?.length ?? 0} runs of each tool.`,
      "",
      "| tool | wall s | CPU s | peak RSS MiB | wall ÷ customs YAML | CPU ÷ customs YAML | RSS ÷ customs YAML | exit |",
      "|---|---:|---:|---:|---:|---:|---:|---:|",
      ...tools.map((t) => {
        const wall = med(t, (x) => x.wall);
        const cpu = med(t, (x) => x.cpu);
        const rss = med(t, (x) => x.rssKb);
        const exits = [...new Set((r.runs[t] ?? []).map((x) => x.exit))].join(",");
        return `| ${LABEL[t]} | ${wall.toFixed(2)} | ${cpu.toFixed(2)} | ${fmt(rss / 1024)} | ${(wall / base((x) => x.wall)).toFixed(2)} | ${(cpu / base((x) => x.cpu)).toFixed(2)} | ${(rss / base((x) => x.rssKb)).toFixed(2)} | ${exits} |`;
      }),
      "",
      "Denied workloads per policy (from each tool's output, first run; every run gave the same counts unless noted) against what the generator made:",
      "",
      "| policy | customs YAML | customs JSON | expected (Customs) | kyverno | expected (Kyverno) | gator | expected (gator) |",
      "|---|---:|---:|---:|---:|---:|---:|---:|",
      ...[...POLICIES, "any" as const].map((p) => {
        const got = (t: Tool) => {
          const rs = r.runs[t];
          if (rs === undefined) return "—";
          const vals = [...new Set(rs.map((x) => x.counts[p]))];
          return vals.length === 1 ? fmt(vals[0] ?? 0) : `${vals.map(fmt).join(" / ")} (varied)`;
        };
        const exp = (tool: keyof SizeResult["expected"]) =>
          p === "any" ? "" : fmt(r.expected[tool][p]);
        return `| ${p === "any" ? "any policy" : CUSTOMS_NAMES[p]} | ${got("customs-yaml")} | ${got("customs-json")} | ${exp("customs")} | ${got("kyverno")} | ${exp("kyverno")} | ${got("gator")} | ${exp("gator")} |`;
      }),
      "",
    );
  }
  // Linearity and the target, from the medians.
  const perK = results
    .filter((r) => r.runs["customs-yaml"] !== undefined)
    .map((r) => {
      const y = median((r.runs["customs-yaml"] ?? []).map((x) => x.wall));
      const j = median((r.runs["customs-json"] ?? []).map((x) => x.wall));
      return `${fmt(r.workloads)}: ${((y * 1000) / r.workloads).toFixed(3)} s YAML, ${((j * 1000) / r.workloads).toFixed(3)} s JSON`;
    });
  lines.push(
    `Customs' wall time per 1,000 workloads (start-up included, so small files cost more each): ${perK.join("; ")}.`,
    "",
  );
  const at10k = results.find((r) => r.workloads === 10_000);
  if (at10k !== undefined) {
    const peerWalls = (["kyverno", "gator"] as const)
      .filter((t) => at10k.runs[t] !== undefined)
      .map((t) => ({ t, wall: median((at10k.runs[t] ?? []).map((x) => x.wall)) }));
    const fastest = peerWalls.sort((a, b) => a.wall - b.wall)[0];
    const y = median((at10k.runs["customs-yaml"] ?? []).map((x) => x.wall));
    const j = median((at10k.runs["customs-json"] ?? []).map((x) => x.wall));
    if (fastest !== undefined)
      lines.push(
        `Target (issue: Performance): Customs at least 10× faster than the faster peer at 10,000 workloads. The faster peer is ${fastest.t} at ${fastest.wall.toFixed(2)} s: Customs is ${(fastest.wall / y).toFixed(1)}× faster on YAML (${(fastest.wall / y) >= 10 ? "met" : "not met"}) and ${(fastest.wall / j).toFixed(1)}× on the JSON List (${(fastest.wall / j) >= 10 ? "met" : "not met"}).`,
        "",
      );
  }
  lines.push(
    'Documented differences in the verdicts (docs/import.md, "Deliberate differences"; the generator includes a few of each and the expected columns count them): Customs refuses `:latest@sha256:…` (the tag is latest; K8sDisallowedTags and Kyverno\'s `!*:latest` test the end of the string and admit it), and an untagged image behind a registry port (`registry.corp.example:5000/team/app` is an implicit latest; Kyverno\'s `*:*` takes the port\'s colon for a tag and admits it, gator refuses it too). The "any policy" row differs by the workloads whose only fault is a `:latest@sha256:…` image (their other images have digests). Kyverno names a workload once per failing policy and gator once per violating container; the table counts workloads. With an even number of runs the median is the mean of the middle two.',
    "",
  );
  return lines.join("\n");
}

function main(): void {
  const versions: Record<string, string | undefined> = {
    customs: (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string })
      .version,
    kyverno: version("kyverno"),
    gator: version("gator"),
    go:
      spawnSync("/usr/local/go/bin/go", ["env", "GOVERSION"], {
        encoding: "utf8",
      }).stdout?.trim() || "unknown",
  };
  const tools: Tool[] = ["customs-yaml", "customs-json"];
  const missing: string[] = [];
  for (const peer of ["kyverno", "gator"] as const) {
    if (versions[peer] !== undefined) tools.push(peer);
    else
      missing.push(
        `${peer} was not built (scripts/peers/build.sh failed or was not run), so only Customs ran`,
      );
  }
  const work = mkdtempSync(join(tmpdir(), "customs-peers-"));
  const before = loadavg();
  const results: SizeResult[] = [];
  // Read before the section is rewritten: the figures the next run must reproduce.
  const previous = readResultsSection("## Peers");
  try {
    prepare(work);
    // The section is rewritten after each size: a run at 100,000 workloads takes many
    // minutes, and the smaller sizes' figures are kept if it is interrupted.
    let section = "";
    for (const size of SIZES) {
      results.push(benchSize(work, size, tools));
      section = report(results, versions, { before, after: loadavg() }, missing);
      writeResultsSection("## Peers", section);
    }
    const figures = peerFigures(results);
    if (figures !== undefined) section = `${section.trimEnd()}\n\n${figuresLine(figures)}\n`;
    process.stdout.write(`${section}\n`);
    const found = figures === undefined ? [] : regressions(readFigures(previous), figures);
    if (found.length > 0 && process.env.BENCH_ACCEPT !== "1") {
      for (const r of found) {
        process.stderr.write(
          `bench:peers: REGRESSION ${r.name}: ${r.measured} against ${r.recorded} recorded on this machine, ${(r.worse * 100).toFixed(0)}% worse (noise band ${(r.band * 100).toFixed(0)}%)\n`,
        );
      }
      process.stderr.write(
        "bench:peers: bench/RESULTS.md left as it was; find the cause, or record the new figures with BENCH_ACCEPT=1 and say why in the commit\n",
      );
      if (previous !== "") writeResultsSection("## Peers", previous);
      process.exitCode = 1;
    } else {
      writeResultsSection("## Peers", section);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * What the next run on this machine must reproduce: Customs' wall time at 10,000 workloads,
 * YAML and JSON, and how many times faster than the faster peer it is on YAML. The peers'
 * own times are not held against Customs, except through that ratio.
 */
function peerFigures(results: readonly SizeResult[]): Figures | undefined {
  const at10k = results.find((r) => r.workloads === 10_000);
  const yaml = (at10k?.runs["customs-yaml"] ?? []).map((x) => x.wall);
  const json = (at10k?.runs["customs-json"] ?? []).map((x) => x.wall);
  if (at10k === undefined || yaml.length === 0) return undefined;
  const peers = (["kyverno", "gator"] as const)
    .map((t) => median((at10k.runs[t] ?? []).map((x) => x.wall)))
    .filter((w) => Number.isFinite(w) && w > 0);
  const figures: Record<string, Figures["figures"][string]> = {
    "peers.10k.customsYaml.wallSeconds": {
      value: Number(median(yaml).toFixed(3)),
      better: "lower",
      band: noiseBand(yaml, 0.3),
    },
    "peers.10k.customsJson.wallSeconds": {
      value: Number(median(json).toFixed(3)),
      better: "lower",
      band: noiseBand(json, 0.3),
    },
  };
  const ratios = yaml.map((y) => Math.min(...peers) / y);
  if (peers.length > 0) {
    figures["peers.10k.fasterPeerOverCustomsYaml"] = {
      value: Number((Math.min(...peers) / median(yaml)).toFixed(2)),
      better: "higher",
      band: noiseBand(ratios, 0.3),
    };
  }
  const model = cpus()[0]?.model ?? "unknown";
  return {
    machine: `${model}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.versions.node.split(".")[0]}`,
    figures,
  };
}

main();

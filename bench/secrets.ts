/**
 * `npm run bench:secrets`: `customs secrets scan` against gitleaks on one generated tree
 * (BENCH_SECRETS_MB, default 1024) with planted secrets of every built-in service. Measures
 * wall time, CPU time (MB/s per core) and planted-secret recall of both; writes its section of
 * bench/RESULTS.md. gitleaks comes from scripts/gitleaks/build.sh; without it, only customs.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { writeResultsSection } from "./results.js";
import { type PlantedAt, writeCorpus } from "./secrets-corpus.js";

// Compiled to bench/out/bench/secrets.js: the repository is three levels up.
const ROOT = resolve(import.meta.dirname, "../../..");
const MB = Number(process.env.BENCH_SECRETS_MB ?? 1024);

interface Run {
  tool: string;
  wall: number;
  cpu: number;
  maxRssKb: number;
  found: Set<string>;
  findings: number;
}

/** Runs a command under /usr/bin/time for wall, CPU (user + system) and peak memory. */
function timed(
  command: string,
  args: string[],
): { wall: number; cpu: number; rss: number; stdout: string } {
  const r = spawnSync("/usr/bin/time", ["-f", "%e %U %S %M", command, ...args], {
    encoding: "utf8",
    maxBuffer: 1 << 30,
  });
  const last = r.stderr.trim().split("\n").pop() ?? "";
  const [wall, user, sys, rss] = last.split(" ").map(Number);
  if (wall === undefined || Number.isNaN(wall)) throw new Error(`${command}: ${r.stderr}`);
  return { wall, cpu: (user ?? 0) + (sys ?? 0), rss: rss ?? 0, stdout: r.stdout };
}

function runCustoms(tree: string): Run {
  const t = timed(process.execPath, [
    join(ROOT, "bin/customs"),
    "secrets",
    "scan",
    "-o",
    "json",
    tree,
  ]);
  const report = (
    JSON.parse(t.stdout) as {
      reports: { findings: { ruleId: string; location?: { path: string; line?: number } }[] }[];
    }
  ).reports[0] ?? { findings: [] };
  const secrets = report.findings.filter((f) => f.ruleId !== "file-too-large");
  const found = new Set(secrets.map((f) => `${f.location?.path}:${f.location?.line}`));
  return {
    tool: "customs",
    wall: t.wall,
    cpu: t.cpu,
    maxRssKb: t.rss,
    found,
    findings: secrets.length,
  };
}

function runGitleaks(bin: string, tree: string): Run {
  const report = join(tmpdir(), `gitleaks-${process.pid}.json`);
  const t = timed(bin, [
    "dir",
    tree,
    "--no-banner",
    "--log-level",
    "error",
    "--exit-code",
    "0",
    "--report-format",
    "json",
    "--report-path",
    report,
  ]);
  const leaks = JSON.parse(readFileSync(report, "utf8")) as { File: string; StartLine: number }[];
  rmSync(report, { force: true });
  const found = new Set(leaks.map((l) => `${l.File}:${l.StartLine}`));
  return {
    tool: "gitleaks",
    wall: t.wall,
    cpu: t.cpu,
    maxRssKb: t.rss,
    found,
    findings: leaks.length,
  };
}

function gitleaksBinary(): { bin: string; version: string } | undefined {
  const built = spawnSync("bash", [join(ROOT, "scripts/gitleaks/build.sh")], { encoding: "utf8" });
  if (built.status !== 0) {
    process.stderr.write(
      `gitleaks unavailable, comparing nothing: ${built.stderr.trim().split("\n").pop()}\n`,
    );
    return undefined;
  }
  const bin = built.stdout.trim();
  // `go install` builds carry no version stamp: the pinned version is in the file name.
  const version = /gitleaks-(v[0-9.]+)$/.exec(bin)?.[1] ?? "unknown";
  return { bin, version };
}

function row(run: Run, planted: readonly PlantedAt[], mb: number): string {
  const hit = planted.filter((p) => run.found.has(`${p.path}:${p.line}`)).length;
  const extra = run.findings - hit;
  const recall = ((100 * hit) / planted.length).toFixed(1);
  const rate = (seconds: number) => (mb / seconds).toFixed(mb / seconds < 10 ? 1 : 0);
  return `| ${run.tool} | ${run.wall.toFixed(1)} | ${rate(run.wall)} | ${run.cpu.toFixed(1)} | **${rate(run.cpu)}** | ${hit}/${planted.length} (${recall}%) | ${extra} | ${Math.round(run.maxRssKb / 1024)} MiB |`;
}

/** Planted secrets each tool missed, by detector, so the table's recall can be explained. */
function misses(run: Run, planted: readonly PlantedAt[]): string {
  const byId = new Map<string, number>();
  for (const p of planted)
    if (!run.found.has(`${p.path}:${p.line}`)) byId.set(p.id, (byId.get(p.id) ?? 0) + 1);
  const list = [...byId].sort().map(([id, n]) => `\`${id}\` ${n}`);
  return `- ${run.tool} missed: ${list.length === 0 ? "nothing" : list.join(", ")}`;
}

function main(): void {
  const tree = mkdtempSync(join(tmpdir(), "customs-secrets-bench-"));
  try {
    const started = performance.now();
    const planted = writeCorpus(tree, MB * 1024 * 1024);
    const du = spawnSync("du", ["-sm", "--apparent-size", tree], { encoding: "utf8" }).stdout;
    const mb = Number(du.split(/\s/)[0]);
    const files = Number(
      spawnSync("bash", ["-c", `find '${tree}' -type f | wc -l`], { encoding: "utf8" }).stdout,
    );
    process.stderr.write(
      `generated ${mb} MB, ${files} files, ${planted.length} secrets in ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
    );
    const gitleaks = gitleaksBinary();
    // A first pass of each warms the page cache; the second is measured.
    runCustoms(tree);
    const runs = [runCustoms(tree)];
    // gitleaks is measured once: the page cache is warm from customs' runs already.
    if (gitleaks !== undefined) runs.push(runGitleaks(gitleaks.bin, tree));
    const section = [
      "## Secrets: `customs secrets scan` against gitleaks",
      "",
      `Made by \`npm run bench:secrets\` (bench/secrets.ts) on ${new Date().toISOString().slice(0, 10)}: ${cpus()[0]?.model ?? "?"}, ${cpus().length} cores (\`nproc\`), node ${process.version}${gitleaks ? `, gitleaks ${gitleaks.version} (\`gitleaks dir\`, its default rules)` : ", gitleaks not available"}.`,
      `A generated tree of ${mb} MB in ${files} files (TypeScript, Python, Go, YAML, Markdown, JSON, lockfiles, minified bundles with base64 images) with ${planted.length} planted secrets, one of each built-in service in turn (a PEM key, an AWS key ID, a Stripe key…), each in a line that names its service. A planted secret counts as found when a tool reports its file and line; "other findings" are everything else reported (the filler holds no secrets, so these are false positives). Warm page cache (customs ran once before the measured runs). Customs is single-threaded; gitleaks uses several goroutines, so the per-core figure (MB divided by CPU seconds, user + system) is the fair speed comparison and wall MB/s shows what a user waits.`,
      "",
      `Load average while it ran: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(
          ", ",
        )} (1, 5, 15 min) on ${cpus().length} cores: wall times depend on what else runs, CPU seconds much less.`,
      "",
      "| tool | wall s | MB/s (wall) | CPU s | MB/s per core | planted found | other findings | peak RSS |",
      "|---|---:|---:|---:|---:|---:|---:|---:|",
      ...runs.map((r) => row(r, planted, mb)),
      "",
      ...runs.map((r) => misses(r, planted)),
      "",
    ].join("\n");
    writeResultsSection("## Secrets", section);
    process.stdout.write(section);
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
}

main();

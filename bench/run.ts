/**
 * `npm run bench`: the engine in-process and `customs check` as a CLI, on generated data.
 * Writes bench/RESULTS.md with the machine it ran on. Numbers are measured here, never
 * asserted by tests.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, freemem, platform, release, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import {
  type ContainerInput,
  createEvaluator,
  type NamespaceFacts,
  toNamespaceFacts,
} from "../src/core/evaluate/index.js";
import { compilePolicySet, type ImagePolicy, validateDocument } from "../src/core/policy/index.js";
import { type Figures, figuresLine, noiseBand, readFigures, regressions } from "./figures.js";
import {
  deploymentsJsonList,
  deploymentsYaml,
  generatePods,
  generatePolicies,
} from "./generate.js";
import { readResultsSection, writeResultsPreamble, writeResultsSection } from "./results.js";

// Compiled to bench/out/bench/run.js: the repository is three levels up.
const ROOT = resolve(import.meta.dirname, "../../..");
const PODS = Number(process.env.BENCH_PODS ?? 100_000);
const CLI_WORKLOADS = Number(process.env.BENCH_CLI_WORKLOADS ?? 10_000);

function compileBenchPolicies() {
  const policies = generatePolicies(50).map((doc) => {
    const r = validateDocument(doc);
    if (r.kind !== "ImagePolicy")
      throw new Error(`bench policy invalid: ${JSON.stringify(r.issues)}`);
    return r.policy as ImagePolicy;
  });
  return compilePolicySet(policies, []);
}

interface EngineResult {
  label: string;
  /** Image evaluations per second of each pass. */
  passes: number[];
  images: number;
  seconds: number;
  perSecond: number;
  violations: number;
}

type EngineInputs = Array<{ ns: NamespaceFacts; containers: ContainerInput[] }>;

function engineInputs(seed: number, unique: boolean): EngineInputs {
  // Through JSON, as the webhook and the CLI receive them: flat strings, not the rope strings
  // that template literals make (a Map lookup would flatten those, a cost real input lacks).
  const pods = JSON.parse(JSON.stringify(generatePods(PODS, seed, unique))) as ReturnType<
    typeof generatePods
  >;
  const namespaces = new Map<string, NamespaceFacts>();
  for (const p of pods) {
    if (!namespaces.has(p.namespace))
      namespaces.set(p.namespace, toNamespaceFacts(p.namespace, { env: "prod" }));
  }
  return pods.map((p) => ({
    ns: namespaces.get(p.namespace)!,
    containers: p.images.map((image, k) => ({
      container: `c${k}`,
      containerType: k === 2 ? ("initContainers" as const) : ("containers" as const),
      image,
    })),
  }));
}

/**
 * One pass over fresh data (new strings, an evaluator with empty memos) in a warm process,
 * as a long-running webhook sees it: the warm-up is a full pass over other generated data.
 */
function benchEngine(label: string, unique: boolean): EngineResult {
  const set = compileBenchPolicies();
  const warm = createEvaluator(set);
  for (const i of engineInputs(1, unique)) warm.evaluate(i.ns, i.containers);
  // Three passes over different data; this machine's speed varies, so report the median.
  const runs: Array<{ seconds: number; violations: number }> = [];
  for (let pass = 0; pass < 3; pass++) {
    const inputs = engineInputs(42 + pass, unique);
    const evaluator = createEvaluator(set);
    if (evaluator.applicable(inputs[0]!.ns).length !== 50)
      throw new Error("every policy must apply");
    let violations = 0;
    const start = performance.now();
    for (const i of inputs) violations += evaluator.evaluate(i.ns, i.containers).violations.length;
    runs.push({ seconds: (performance.now() - start) / 1000, violations });
  }
  runs.sort((a, b) => a.seconds - b.seconds);
  const { seconds, violations } = runs[1]!;
  const images = PODS * 3;
  const passes = runs.map((r) => images / r.seconds);
  return { label, passes, images, seconds, perSecond: images / seconds, violations };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

interface TimedRun {
  wall: number;
  /** User + system CPU seconds, and peak RSS in KiB, when /usr/bin/time is there. */
  cpu: number | undefined;
  peakKb: number | undefined;
  exit: number | null;
}

const HAS_TIME = spawnSync("/usr/bin/time", ["--version"], { encoding: "utf8" }).status === 0;

/** One process, timed from outside: wall clock here, CPU and peak RSS from /usr/bin/time. */
function timed(args: string[]): TimedRun {
  const start = performance.now();
  const r = HAS_TIME
    ? spawnSync("/usr/bin/time", ["-f", "%U %S %M", process.execPath, ...args], {
        encoding: "utf8",
        maxBuffer: 1 << 30,
      })
    : spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 30 });
  const wall = (performance.now() - start) / 1000;
  const [user, sys, kb] = HAS_TIME
    ? (r.stderr.trim().split("\n").pop() ?? "").split(" ").map(Number)
    : [];
  const cpu =
    user !== undefined && sys !== undefined && Number.isFinite(user + sys) ? user + sys : undefined;
  const peakKb = kb !== undefined && Number.isFinite(kb) ? kb : undefined;
  return { wall, cpu, peakKb, exit: r.status };
}

interface CliRuns {
  runs: TimedRun[];
  bytes: number;
}

/**
 * `customs check -o json` over the same 10,000 Deployments written as YAML (block style, flow
 * maps, quoted images) and as one JSON List, run alternately (YAML, JSON, YAML, …) so that
 * both meet the same machine load.
 */
function benchCli(): { workloads: number; yaml: CliRuns; json: CliRuns } {
  const dir = mkdtempSync(join(tmpdir(), "customs-bench-"));
  try {
    const policyDir = join(dir, "policies");
    mkdirSync(policyDir);
    writeFileSync(
      join(policyDir, "policies.json"),
      generatePolicies(50)
        .map((d) => JSON.stringify(d))
        .join("\n---\n"),
    );
    const pods = generatePods(CLI_WORKLOADS, 7, false);
    const yaml = deploymentsYaml(pods);
    const json = deploymentsJsonList(pods);
    writeFileSync(join(dir, "workloads.yaml"), yaml);
    writeFileSync(join(dir, "workloads.json"), json);
    const out = {
      yaml: { runs: [] as TimedRun[], bytes: yaml.length },
      json: { runs: [] as TimedRun[], bytes: json.length },
    };
    for (let i = 0; i < 5; i++) {
      for (const kind of ["yaml", "json"] as const) {
        const file = join(dir, `workloads.${kind}`);
        out[kind].runs.push(
          timed([join(ROOT, "bin/customs"), "check", "-p", policyDir, "-o", "json", file]),
        );
      }
    }
    return { workloads: CLI_WORKLOADS, ...out };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const STARTUP_POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: default
spec:
  containers:
    - name: web
      image: nginx:1.27
`;

/**
 * Start-up: `customs check` of one small Pod file against the example policies, 20 rounds,
 * each running bare Node, the CLI as shipped (bin/customs: the bundle) and the compiled
 * modules one by one, in that order, so that all three meet the same load.
 */
function benchStartup(): Record<"node" | "bundled" | "modules", TimedRun[]> {
  const dir = mkdtempSync(join(tmpdir(), "customs-bench-startup-"));
  try {
    const file = join(dir, "pod.yaml");
    writeFileSync(file, STARTUP_POD);
    const check = ["check", "-p", join(ROOT, "examples/policies"), file];
    const modules = `import(${JSON.stringify(join(ROOT, "dist/cli/main.js"))}).then((m) => m.main(process.argv.slice(1)))`;
    const out = { node: [] as TimedRun[], bundled: [] as TimedRun[], modules: [] as TimedRun[] };
    for (let i = 0; i < 20; i++) {
      out.node.push(timed(["-e", ""]));
      out.bundled.push(timed([join(ROOT, "bin/customs"), ...check]));
      out.modules.push(timed(["--input-type=module", "-e", modules, ...check]));
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const medianOf = (runs: TimedRun[], pick: (r: TimedRun) => number | undefined) =>
  median(runs.map(pick).filter((x): x is number => x !== undefined));

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

const engine = [
  benchEngine("realistic mix (images repeat, as in a cluster)", false),
  benchEngine("every image unique (no memo hits)", true),
];
const peakKb = process.resourceUsage().maxRSS;
const cli = benchCli();
const startup = benchStartup();
const yamlWall = medianOf(cli.yaml.runs, (r) => r.wall);
const jsonWall = medianOf(cli.json.runs, (r) => r.wall);
const yamlPeak = Math.max(0, ...cli.yaml.runs.map((r) => r.peakKb ?? 0));
const jsonPeak = Math.max(0, ...cli.json.runs.map((r) => r.peakKb ?? 0));
const ms = (s: number) => `${Math.round(s * 1000)} ms`;
const mib = (kb: number) => (kb === 0 ? "n/a" : `${fmt(kb / 1024)} MiB`);

const cpu = cpus()[0]?.model ?? "unknown";
const lines = [
  "# Benchmark results",
  "",
  "Made by `npm run bench` (bench/run.ts); numbers are from the last run on the machine below.",
  "",
  `- date: ${new Date().toISOString().slice(0, 10)}`,
  `- machine: ${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB (${(freemem() / 2 ** 30).toFixed(0)} GiB free), ${platform()} ${release()}`,
  `- node: ${process.version} (single-threaded: the engine runs on one core)`,
  "",
  `## Engine, in-process: ${fmt(PODS)} pod specs × 3 containers against 50 policies`,
  "",
  "An image evaluation is one image against all 50 policies (all apply to the namespace). The figure is the median of three passes, each over freshly generated pods (new strings, empty memos) in a process warmed up by a full pass over other data, as a long-running webhook is. About 2% of images break a deny policy; one audit policy (require-digest) fails for most images, so violations are built on the hot path too.",
  "",
  "| data | image evaluations per pass | median seconds | image evaluations / s | violations found |",
  "|---|---:|---:|---:|---:|",
  ...engine.map(
    (e) =>
      `| ${e.label} | ${fmt(e.images)} | ${e.seconds.toFixed(3)} | **${fmt(e.perSecond)}** | ${fmt(e.violations)} |`,
  ),
  "",
  "With every image unique, the cost is parsing each reference (distribution/reference grammar, normalization, matching parts), about 1–2 µs, plus the 50 policy checks; with repeated images (a cluster runs the same few thousand images in many pods) the parse and the policy checks are memoized per image string.",
  "",
  `Peak memory of the benchmark process (max RSS, both runs, including the generated data): ${fmt(peakKb / 1024)} MiB.`,
  "",
  `## CLI: \`customs check -o json\` over one file of ${fmt(cli.workloads)} Deployments, YAML and JSON`,
  "",
  `${fmt(cli.workloads * 3)} images, 50 policies; the same Deployments as YAML (${(cli.yaml.bytes / 2 ** 20).toFixed(1)} MiB: block style, flow maps, quoted images) and as one JSON List (${(cli.json.bytes / 2 ** 20).toFixed(1)} MiB); wall time of the whole process (start-up, reading, evaluation, JSON output), 5 runs each, alternating YAML and JSON; exit status ${cli.yaml.runs[0]?.exit} and ${cli.json.runs[0]?.exit}.`,
  "",
  "| input | median s | min s | max s | median CPU s | peak RSS |",
  "|---|---:|---:|---:|---:|---:|",
  ...(["yaml", "json"] as const).map((k) => {
    const walls = cli[k].runs.map((r) => r.wall);
    return `| ${k === "yaml" ? "YAML" : "JSON List"} | **${median(walls).toFixed(2)}** | ${Math.min(...walls).toFixed(2)} | ${Math.max(...walls).toFixed(2)} | ${medianOf(cli[k].runs, (r) => r.cpu).toFixed(2)} | ${mib(k === "yaml" ? yamlPeak : jsonPeak)} |`;
  }),
  "",
  `YAML / JSON: **${(yamlWall / jsonWall).toFixed(2)}×** wall, ${jsonPeak === 0 ? "n/a" : `${(yamlPeak / jsonPeak).toFixed(2)}×`} peak RSS (target: within 2×).`,
  "",
  "Targets (issue: core engine): at least 500,000 image evaluations per second in-process on one core; `customs check` over a 10,000-workload file in under 2 seconds.",
  "",
  "## Start-up: `customs check` of one small Pod file",
  "",
  "The example policies and one Pod; 20 rounds, each running bare Node (`node -e ''`), the CLI as shipped (`bin/customs`, the bundle of docs/cli.md \"Start-up\") and the compiled modules one by one (`dist/cli/main.js`), in that order.",
  "",
  "| process | median wall | min wall | median CPU |",
  "|---|---:|---:|---:|",
  ...(
    [
      ["node", "`node -e ''`"],
      ["bundled", "`customs check` (bin/customs, bundled)"],
      ["modules", "`customs check` (dist/cli/main.js, module by module)"],
    ] as const
  ).map(
    ([k, label]) =>
      `| ${label} | ${k === "bundled" ? "**" : ""}${ms(medianOf(startup[k], (r) => r.wall))}${k === "bundled" ? "**" : ""} | ${ms(Math.min(...startup[k].map((r) => r.wall)))} | ${ms(medianOf(startup[k], (r) => r.cpu))} |`,
  ),
  "",
  "Target (issue: performance): under 150 ms.",
  "",
];
// Figures compare only on the same machine and Node major version.
const machine = `${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.versions.node.split(".")[0]}`;
const engineFigures: Figures = {
  machine,
  figures: Object.fromEntries(
    engine.map((e, i) => [
      i === 0 ? "engine.realistic.perSecond" : "engine.unique.perSecond",
      { value: Math.round(e.perSecond), better: "higher", band: noiseBand(e.passes, 0.25) },
    ]),
  ),
};
const cliFigures: Figures = {
  machine,
  figures: {
    "cli.check.medianSeconds": {
      value: Number(yamlWall.toFixed(3)),
      better: "lower",
      band: noiseBand(
        cli.yaml.runs.map((r) => r.wall),
        0.25,
      ),
    },
    "cli.check.json.medianSeconds": {
      value: Number(jsonWall.toFixed(3)),
      better: "lower",
      band: noiseBand(
        cli.json.runs.map((r) => r.wall),
        0.25,
      ),
    },
    ...(yamlPeak === 0
      ? {}
      : {
          "cli.check.peakMiB": { value: Math.round(yamlPeak / 1024), better: "lower", band: 0.2 },
        }),
  },
};
const startupWalls = startup.bundled.map((r) => r.wall);
const startupFigures: Figures = {
  machine,
  figures: {
    "startup.check.medianSeconds": {
      value: Number(median(startupWalls).toFixed(3)),
      better: "lower",
      band: noiseBand(startupWalls, 0.25),
    },
  },
};
const found = [
  ...regressions(readFigures(readResultsSection("## Engine")), engineFigures),
  ...regressions(readFigures(readResultsSection("## CLI")), cliFigures),
  ...regressions(readFigures(readResultsSection("## Start-up")), startupFigures),
];
process.stdout.write(lines.join("\n"));
if (found.length > 0 && process.env.BENCH_ACCEPT !== "1") {
  for (const r of found) {
    process.stderr.write(
      `bench: REGRESSION ${r.name}: ${r.measured} against ${r.recorded} recorded on this machine, ${(r.worse * 100).toFixed(0)}% worse (noise band ${(r.band * 100).toFixed(0)}%)\n`,
    );
  }
  process.stderr.write(
    "bench: bench/RESULTS.md left as it was; find the cause, or record the new figures with BENCH_ACCEPT=1 and say why in the commit\n",
  );
  process.exit(1);
}
const engineAt = lines.findIndex((l) => l.startsWith("## Engine"));
const cliAt = lines.findIndex((l) => l.startsWith("## CLI"));
writeResultsPreamble(lines.slice(0, engineAt).join("\n"));
writeResultsSection(
  "## Engine",
  [...lines.slice(engineAt, cliAt), figuresLine(engineFigures), ""].join("\n"),
);
const startupAt = lines.findIndex((l) => l.startsWith("## Start-up"));
writeResultsSection(
  "## CLI",
  [...lines.slice(cliAt, startupAt), figuresLine(cliFigures), ""].join("\n"),
);
writeResultsSection(
  "## Start-up",
  [...lines.slice(startupAt), figuresLine(startupFigures)].join("\n"),
);

/**
 * `customs check` loads what checking needs and no more: only the command that runs is
 * registered, so the modules of the others (bcrypt, the registry token service, Kubernetes,
 * the install objects, the webhook, the control plane) never load, and the registry and
 * Harbor clients (undici) load only when a supply-chain policy needs facts. Asserted on the modules Node loads, never on time.
 */
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { readInputs } from "../src/adapters/files/index.js";
import { type CheckReport, checkManifests } from "../src/app/check/check.js";
import { loadPolicySet } from "../src/app/documents/policies.js";
import { checkOutput } from "../src/cli/commands/check.js";
import { createStyle } from "../src/cli/output/style.js";
import { customs, ROOT, tempFiles } from "./support/cli.js";

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: tanzu
spec:
  containers:
    - name: web
      image: nginx:latest
`;

/**
 * The URLs of the modules the built CLI loads for `args`: through `entry`, the compiled
 * modules one by one (dist/cli/main.js, so that each module shows) unless told otherwise.
 */
function modulesLoaded(args: string[], dir: string, entry = UNBUNDLED): string[] {
  const record = join(dir, "loaded.txt");
  rmSync(record, { force: true });
  const hooks = pathToFileURL(join(ROOT, "test/support/record-loads.mjs")).href;
  const register = `data:text/javascript,import{register}from"node:module";register(${JSON.stringify(hooks)})`;
  const requires = pathToFileURL(join(ROOT, "test/support/record-requires.mjs")).href;
  const r = spawnSync(
    process.execPath,
    ["--import", register, "--import", requires, entry, ...args],
    {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "", CUSTOMS_RECORD_LOADS: record },
    },
  );
  expect(r.stderr).toBe("");
  expect(r.status).toBe(1);
  return readFileSync(record, "utf8").split("\n").filter(Boolean);
}

/** Runs the compiled, unbundled CLI (what bin/customs runs after a plain `tsc` build). */
const UNBUNDLED = join(ROOT, "test/support/run-unbundled.mjs");

describe("customs check start-up", () => {
  const files = tempFiles({ "pod.yaml": POD });
  afterAll(files.cleanup);
  const loaded = modulesLoaded(
    ["check", "-p", "examples/policies", "-o", "json", join(files.dir, "pod.yaml")],
    files.dir,
  );

  it("records the modules it loads (the check itself among them)", () => {
    expect(loaded.some((u) => u.endsWith("/dist/app/check/check.js"))).toBe(true);
    expect(loaded.some((u) => u.includes("/node_modules/commander/"))).toBe(true);
  });

  it("loads neither bcrypt nor the registry token adapter", () => {
    expect(loaded.filter((u) => u.includes("/node_modules/bcryptjs/"))).toEqual([]);
    expect(loaded.filter((u) => u.includes("/dist/adapters/registry-token/"))).toEqual([]);
    expect(loaded.filter((u) => u.includes("/dist/app/registry-token"))).toEqual([]);
  });

  it("loads neither Kubernetes access, the install objects nor the VAP builder", () => {
    for (const folder of ["adapters/kube/", "adapters/install/", "adapters/vap/"])
      expect(loaded.filter((u) => u.includes(`/dist/${folder}`))).toEqual([]);
    expect(loaded.filter((u) => u.includes("/dist/adapters/registry-bundle/index.js"))).toEqual([]);
  });

  it("loads no other command, no HTTP client and no registry client", () => {
    const commands = loaded.filter((u) => u.includes("/dist/cli/commands/"));
    expect(commands.map((u) => u.replace(/.*\/dist\//, ""))).toEqual(["cli/commands/check.js"]);
    for (const folder of [
      "adapters/http/",
      "adapters/registry/",
      "adapters/harbor/",
      "adapters/sigstore/",
    ])
      expect(loaded.filter((u) => u.includes(`/dist/${folder}`))).toEqual([]);
    expect(loaded.filter((u) => u.includes("/node_modules/undici/"))).toEqual([]);
  });

  it("reads plain manifests without loading the careful YAML reader", () => {
    expect(loaded.filter((u) => u.includes("/node_modules/yaml/"))).toEqual([]);
  });
});

describe("the bundled CLI (npm run build)", () => {
  const files = tempFiles({ "pod.yaml": POD });
  afterAll(files.cleanup);
  const args = ["check", "-p", "examples/policies", "-o", "json", join(files.dir, "pod.yaml")];
  const loaded = modulesLoaded(args, files.dir, join(ROOT, "bin/customs"));

  it("is what bin/customs runs, in a few chunks instead of one module per source file", () => {
    const dist = pathToFileURL(join(ROOT, "dist")).href;
    const ours = loaded.filter((u) => u.startsWith(dist));
    expect(ours.every((u) => u.startsWith(`${dist}/bundle/`))).toBe(true);
    const unbundled = modulesLoaded(args, files.dir).filter((u) => u.startsWith(dist));
    expect(ours.length).toBeGreaterThan(0);
    expect(ours.length * 3).toBeLessThan(unbundled.length);
  });

  it("keeps the packages the check does not need unloaded", () => {
    for (const pkg of ["bcryptjs", "undici", "yaml", "kysely", "pino"])
      expect(loaded.filter((u) => u.includes(`/node_modules/${pkg}/`))).toEqual([]);
  });

  it("prints what the compiled modules print, with the same exit status", () => {
    const bundled = customs(args);
    const plain = spawnSync(process.execPath, [UNBUNDLED, ...args], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(bundled.stdout).toBe(plain.stdout);
    expect(bundled.status).toBe(plain.status);
  });
});

describe("bin/customs picks its entry", () => {
  /** A package with bin/customs and two stand-in entries whose times are set as given. */
  function pick(times: { bundle?: number; compiled?: number }): string {
    const dir = mkdtempSync(join(tmpdir(), "customs-entry-"));
    try {
      mkdirSync(join(dir, "bin"));
      copyFileSync(join(ROOT, "bin/customs"), join(dir, "bin/customs"));
      writeFileSync(join(dir, "package.json"), '{"type":"module"}');
      const entries = { bundle: "dist/bundle/main.js", compiled: "dist/cli/main.js" } as const;
      for (const [which, path] of Object.entries(entries)) {
        const time = times[which as keyof typeof entries];
        if (time === undefined) continue;
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(
          join(dir, path),
          `export function main() { process.stdout.write(${JSON.stringify(which)}); }`,
        );
        utimesSync(join(dir, path), time, time);
      }
      return spawnSync(process.execPath, [join(dir, "bin/customs")], { encoding: "utf8" }).stdout;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it.each([
    [{ bundle: 2000, compiled: 1000 }, "bundle"],
    [{ bundle: 1000, compiled: 1000 }, "bundle"],
    // A `tsc` build after the bundle: the bundle is stale and must not shadow it.
    [{ bundle: 1000, compiled: 2000 }, "compiled"],
    [{ compiled: 1000 }, "compiled"],
  ])("%o runs the %s entry", (times, expected) => {
    expect(pick(times)).toBe(expected);
  });
});

/** The example's report, its documents counting the line lookups asked of them. */
async function countingReport(): Promise<{ report: CheckReport; lookups: () => number }> {
  const { set } = loadPolicySet(await readInputs(["examples/policies"], ROOT));
  const report = checkManifests(set, await readInputs(["examples/manifests"], ROOT));
  let count = 0;
  const counted = new Map<object, CheckReport["results"][number]["document"]>();
  const results = report.results.map((r) => {
    let document = counted.get(r.document);
    if (document === undefined) {
      const original = r.document;
      document = {
        ...original,
        lineOf: (pointer) => {
          count++;
          return original.lineOf(pointer);
        },
      };
      counted.set(r.document, document);
    }
    return { ...r, document };
  });
  return { report: { ...report, results }, lookups: () => count };
}

describe("check output and exit status", () => {
  const plain = createStyle(process.stdout, { NO_COLOR: "1" });

  it("-o json looks up no line, and prints what the CLI prints, with its exit status", async () => {
    const { report, lookups } = await countingReport();
    const out = checkOutput("json", report, "high", plain, false);
    expect(lookups()).toBe(0);
    const cli = customs(["check", "-p", "examples/policies", "-o", "json", "examples/manifests"]);
    expect(out.text).toBe(cli.stdout);
    expect(out.exitCode).toBe(1);
    expect(cli.status).toBe(1);
  });

  it("human output looks up no line either", async () => {
    const { report, lookups } = await countingReport();
    checkOutput("human", report, "high", plain, true);
    expect(lookups()).toBe(0);
  });

  it("SARIF, JUnit and GitHub annotations show lines, so they look them up", async () => {
    for (const format of ["sarif", "junit", "github"] as const) {
      const { report, lookups } = await countingReport();
      checkOutput(format, report, "high", plain, false);
      expect(lookups()).toBeGreaterThan(0);
    }
  });

  it("the exit status follows --fail-on: a warning fails at medium, nothing at none", async () => {
    const { report } = await countingReport();
    const warnOnly: CheckReport = {
      ...report,
      results: report.results.map((r) => ({
        ...r,
        violations: r.violations.filter((v) => v.action !== "deny"),
      })),
    };
    expect(warnOnly.results.some((r) => r.violations.length > 0)).toBe(true);
    expect(checkOutput("json", warnOnly, "high", plain, false).exitCode).toBe(0);
    expect(checkOutput("json", warnOnly, "medium", plain, false).exitCode).toBe(1);
    expect(checkOutput("json", report, "none", plain, false).exitCode).toBe(0);
  });
});

/**
 * The release and CI workflows (docs/release.md): actionlint, the linter GitHub Actions users
 * run, must accept every workflow; and release.yml must keep the properties a supply chain
 * rests on: least privilege per job, nothing pushed except from a tag, signatures by digest,
 * every third-party action pinned to a commit.
 *
 * actionlint is built from the Go module proxy by scripts/actionlint/build.sh into
 * ${CUSTOMS_CACHE:-~/.cache/customs}/bin; without it that test skips and says why.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants, readdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = resolve(import.meta.dirname, "../..");
const workflowsDir = join(root, ".github", "workflows");
const workflowFiles = readdirSync(workflowsDir)
  .filter((f) => f.endsWith(".yml"))
  .sort()
  .map((f) => join(workflowsDir, f));

const cache = process.env.CUSTOMS_CACHE || join(homedir(), ".cache", "customs");
const actionlint = join(cache, "bin", "actionlint");
const actionlintMissing = (() => {
  try {
    accessSync(actionlint, constants.X_OK);
    return undefined;
  } catch {
    return `${actionlint} is not built (bash scripts/actionlint/build.sh; needs Go)`;
  }
})();
if (actionlintMissing !== undefined)
  console.warn(`skipping the actionlint test: ${actionlintMissing}`);

interface Step {
  id?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface Job {
  if?: string;
  needs?: string | string[];
  permissions?: Record<string, string>;
  steps: Step[];
  strategy?: { matrix?: { node?: number[] } };
}
interface Workflow {
  on: unknown;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const releaseText = readFileSync(join(workflowsDir, "release.yml"), "utf8");
const release = parse(releaseText) as Workflow;
const jobs = Object.entries(release.jobs);
/** A GitHub Actions expression, `${{ body }}` (written so it is not read as a template). */
const expr = (body: string): string => `$\{{ ${body} }}`;
const needs = (job: Job): string[] =>
  job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];

/** A job publishes something when it may write packages, releases or sign as the workflow. */
function publishes(job: Job): boolean {
  const p = job.permissions ?? {};
  const commands = job.steps.map((s) => s.run ?? "").join("\n");
  return (
    p.packages === "write" ||
    p.contents === "write" ||
    p["id-token"] === "write" ||
    /\b(npm publish|helm push|cosign (sign|attest))\b/.test(commands) ||
    job.steps.some((s) => s.with?.push === true)
  );
}

describe("the workflows", () => {
  it.skipIf(actionlintMissing !== undefined)("pass actionlint", () => {
    // shellcheck and pyflakes are turned off: whether they happen to be on PATH must not
    // change this test's verdict from one machine to the next.
    const r = spawnSync(actionlint, ["-no-color", "-shellcheck=", "-pyflakes=", ...workflowFiles], {
      cwd: root,
      encoding: "utf8",
    });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("pin every third-party action to a full commit SHA, with its version beside it", () => {
    const files = [...workflowFiles, join(root, "action.yml")];
    const uses = files.flatMap((file) =>
      readFileSync(file, "utf8")
        .split("\n")
        .filter((line) => /^\s*(-\s+)?uses:/.test(line))
        .map((line) => ({ file, line: line.trim() })),
    );
    expect(uses.length).toBeGreaterThan(10);
    for (const { file, line } of uses) {
      // Local actions (./) are this repository's own code; docker:// names an image.
      if (/uses:\s*(\.\/|docker:\/\/)/.test(line)) continue;
      // A tag can be moved to other code after review; a commit cannot.
      expect(line, file).toMatch(/uses:\s*[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    }
  });

  it("release.yml runs on tags only, and grants nothing by default", () => {
    expect(release.on).toEqual({ push: { tags: ["v*"] } });
    expect(release.permissions).toEqual({});
  });

  it("gives every job its own least permissions", () => {
    const allowed: Record<string, Record<string, string>> = {
      version: { contents: "read" },
      test: { contents: "read" },
      image: { contents: "read", packages: "write", "id-token": "write" },
      chart: { contents: "read", packages: "write", "id-token": "write" },
      npm: { contents: "read", "id-token": "write" },
      "github-release": { contents: "write" },
    };
    expect(Object.keys(release.jobs).sort()).toEqual(Object.keys(allowed).sort());
    for (const [name, job] of jobs) expect(job.permissions, name).toEqual(allowed[name]);
  });

  it("pushes only from a tag, and only after the tests passed", () => {
    const publishing = jobs.filter(([, job]) => publishes(job)).map(([name]) => name);
    expect(publishing.sort()).toEqual(["chart", "github-release", "image", "npm"]);
    const testedFirst = (name: string): boolean =>
      name === "test" || needs(release.jobs[name] as Job).some(testedFirst);
    for (const name of publishing) {
      const job = release.jobs[name] as Job;
      expect(job.if, name).toBe("startsWith(github.ref, 'refs/tags/v')");
      expect(testedFirst(name), `${name} waits for the test job`).toBe(true);
    }
    expect(release.jobs.test?.strategy?.matrix?.node).toEqual([20, 24]);
  });

  it("signs and attests the image by the digest the build pushed, never by tag", () => {
    const image = release.jobs.image as Job;
    const build = image.steps.find((s) => s.id === "build");
    expect(build?.uses).toMatch(/^docker\/build-push-action@/);
    expect(build?.with).toMatchObject({
      file: "deploy/Dockerfile",
      platforms: "linux/amd64,linux/arm64",
      push: true,
    });
    const cosign = image.steps.filter((s) => /\bcosign (sign|attest)\b/.test(s.run ?? ""));
    expect(cosign.map((s) => s.run?.trim())).toEqual([
      'cosign sign --yes "$IMAGE@$DIGEST"',
      'cosign attest --yes --type spdxjson --predicate sbom.spdx.json "$IMAGE@$DIGEST"',
    ]);
    for (const step of cosign) expect(step.env?.DIGEST).toBe(expr("steps.build.outputs.digest"));
    const chart = release.jobs.chart as Job;
    const chartSign = chart.steps.find((s) => /\bcosign sign\b/.test(s.run ?? ""));
    expect(chartSign?.run).toContain("@$DIGEST");
    expect(chartSign?.env?.DIGEST).toBe(expr("steps.push.outputs.digest"));
  });

  it("publishes the npm package with provenance, with the token only in that step", () => {
    const npm = release.jobs.npm as Job;
    const publish = npm.steps.find((s) => /\bnpm publish\b/.test(s.run ?? ""));
    expect(publish?.run).toContain("npm publish --provenance --access public");
    expect(publish?.env).toEqual({ NODE_AUTH_TOKEN: expr("secrets.NPM_TOKEN") });
    expect(releaseText.match(/secrets\.NPM_TOKEN/g)).toHaveLength(1);
  });
});

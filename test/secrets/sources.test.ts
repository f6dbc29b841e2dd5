import { execFileSync, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { FindingReport } from "../../src/core/findings/index.js";
import {
  createTestPki,
  type RunningRegistry,
  skipReason,
  startRegistry,
  type TestPki,
} from "../registry/harness.js";
import { Pusher } from "../registry/images.js";
import { customsInProcess, tempFiles } from "../support/cli.js";
import { plant } from "./corpus.js";
import { imageOf, tar, writeLayout } from "./oci.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
function dir(files: Record<string, string> = {}): string {
  const t = tempFiles(files);
  cleanups.push(t.cleanup);
  return t.dir;
}

async function scanJson(
  args: string[],
): Promise<{ status: number; report: FindingReport; stdout: string }> {
  const r = await customsInProcess(["secrets", "scan", "-o", "json", ...args]);
  if (r.status === 2) throw new Error(r.stderr);
  return {
    status: r.status,
    report: JSON.parse(r.stdout).reports[0] as FindingReport,
    stdout: r.stdout,
  };
}

const gitMissing = spawnSync("git", ["--version"]).status !== 0;
if (gitMissing) console.warn("[secrets git history] skipped: the git program is not installed");

describe.skipIf(gitMissing)("git history (--git)", () => {
  const git = (repo: string, ...args: string[]) =>
    execFileSync(
      "git",
      [
        "-C",
        repo,
        "-c",
        "user.name=T",
        "-c",
        "user.email=t@example.test",
        "-c",
        "commit.gpgsign=false",
        ...args,
      ],
      {
        encoding: "utf8",
        env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" },
      },
    ).trim();

  it("finds a Stripe key added then removed, with the commit that added it", async () => {
    const repo = dir();
    const stripe = plant("stripe-secret-key", 11);
    const gh = plant("github-pat", 11);
    git(repo, "init", "-q", "-b", "main");
    writeFileSync(join(repo, "config.py"), `import os\n\nSTRIPE = "${stripe.secret}"\n`);
    git(repo, "add", "-A");
    git(repo, "commit", "-q", "-m", "add payments");
    const added = git(repo, "rev-parse", "HEAD");
    writeFileSync(join(repo, "config.py"), `import os\n\nSTRIPE = os.environ["STRIPE"]\n`);
    writeFileSync(join(repo, "ci.yaml"), `a: 1\nb: 2\ntoken: ${gh.secret}\n`);
    git(repo, "add", "-A");
    git(repo, "commit", "-q", "-m", "read the key from the environment");
    const second = git(repo, "rev-parse", "HEAD");

    const { status, report, stdout } = await scanJson(["--git", repo]);
    expect(status).toBe(1);
    const found = report.findings.map((f) => [
      f.ruleId,
      f.location?.path,
      f.location?.line,
      f.location?.commit,
    ]);
    expect(found.sort()).toEqual(
      [
        ["github-pat", "ci.yaml", 3, second],
        ["stripe-secret-key", "config.py", 3, added],
      ].sort(),
    );
    expect(report.scanned?.commits).toBe(2);
    expect(stdout).not.toContain(stripe.secret);
    expect(stdout).not.toContain(gh.secret);
  });

  it("a folder that is not a repository is GIT_FAILED, exit 2", async () => {
    const r = await customsInProcess(["secrets", "scan", "--git", dir({ "a.txt": "x" })]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/git log failed/);
  });
});

describe("image layers (--image-layout)", () => {
  const aws = plant("aws-access-key-id", 21);
  const slack = plant("slack-token", 21);
  const longPath = `opt/${"deep/".repeat(25)}settings.env`;
  const layers = [
    tar([
      { path: "etc/", data: "", type: "5" },
      { path: "etc/app/config.yaml", data: `name: app\n${aws.line}\n` },
      {
        path: "bin/tool",
        data: Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0]), Buffer.from(slack.line)]),
      },
    ]),
    tar([
      { path: longPath, data: `\n\n${slack.line}\n` },
      { path: `gnu/${"x".repeat(120)}.txt`, data: `${aws.line}\n`, longName: "gnu" },
      { path: "big.log", data: "y".repeat(3000) },
    ]),
  ];

  it("reports image, layer digest and path in the layer; long names via PAX and GNU", async () => {
    const image = imageOf(layers);
    const layout = dir();
    writeLayout(layout, image, "leaky:1.0");
    const { status, report, stdout } = await scanJson([
      "--image-layout",
      layout,
      "--max-file-size",
      "2000",
    ]);
    expect(status).toBe(1);
    const found = report.findings.map((f) => [
      f.ruleId,
      f.location?.path,
      f.location?.line,
      f.location?.layer,
    ]);
    const [l1, l2] = image.layers.map((l) => l.digest);
    expect(found).toEqual([
      ["aws-access-key-id", "etc/app/config.yaml", 2, l1],
      ["slack-token", longPath, 3, l2],
      ["aws-access-key-id", `gnu/${"x".repeat(120)}.txt`, 1, l2],
      ["file-too-large", "big.log", undefined, l2],
    ]);
    expect(report.findings[0]?.location?.image).toBe(`${layout}:leaky:1.0`);
    expect(report.scanned).toMatchObject({ layers: 2, images: 1, binary: 1, tooLarge: 1 });
    expect(stdout).not.toContain(aws.secret);
  });

  it("uncompressed layers are read too", async () => {
    const layout = dir();
    writeLayout(layout, imageOf(layers, true), "plain");
    const { report } = await scanJson(["--image-layout", layout]);
    expect(report.findings.map((f) => f.ruleId)).toEqual([
      "aws-access-key-id",
      "slack-token",
      "aws-access-key-id",
    ]);
  });

  it.each([
    ["no oci-layout file", (d: string) => writeFileSync(join(d, "oci-layout"), "nope")],
    [
      "a corrupt layer",
      (d: string) =>
        writeFileSync(
          join(d, "blobs", "sha256", imageOf(layers).layers[0]?.digest.slice(7) ?? ""),
          "garbage",
        ),
    ],
  ])("%s is IMAGE_LAYOUT_INVALID, exit 2", async (_name, damage) => {
    const layout = dir();
    writeLayout(layout, imageOf(layers), "x");
    damage(layout);
    const r = await customsInProcess(["secrets", "scan", "--image-layout", layout]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(layout);
  });
});

const registrySkip = skipReason("secrets scan --image");
describe.skipIf(registrySkip !== undefined)(
  "an image pulled from a real registry (--image)",
  () => {
    let pki: TestPki;
    let registry: RunningRegistry;
    beforeAll(async () => {
      pki = await createTestPki();
      registry = await startRegistry({ kind: "none" }, pki.server);
    });
    afterAll(async () => {
      await registry?.stop();
    });

    it("finds the baked-in secret with image, layer and path", async () => {
      const gh = plant("github-fine-grained-pat", 31);
      const image = imageOf([
        tar([{ path: "app/.env", data: `PORT=80\nGH_TOKEN=${gh.secret}\n` }]),
      ]);
      await new Pusher(registry.url, pki.ca.certPem).pushImage("team/leaky", image, ["v1"]);
      const ca = join(dir(), "ca.pem");
      writeFileSync(ca, pki.ca.certPem);
      const ref = `${registry.host}/team/leaky:v1`;
      const { status, report, stdout } = await scanJson(["--image", ref, "--ca-file", ca]);
      expect(status).toBe(1);
      expect(report.findings.map((f) => [f.ruleId, f.location])).toEqual([
        [
          "github-fine-grained-pat",
          { path: "app/.env", line: 2, column: 10, image: ref, layer: image.layers[0]?.digest },
        ],
      ]);
      expect(stdout).not.toContain(gh.secret);
    });
  },
);

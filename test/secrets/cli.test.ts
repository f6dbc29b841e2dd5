import { afterEach, describe, expect, it } from "vitest";
import type { FindingReport } from "../../src/core/findings/index.js";
import { customs, customsInProcess, tempFiles } from "../support/cli.js";
import { B64, pick, plant, random } from "./corpus.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
function dir(files: Record<string, string>): string {
  const t = tempFiles(files);
  cleanups.push(t.cleanup);
  return t.dir;
}

const stripeTest = plant("stripe-test-secret-key", 41);
const square = plant("square-access-token", 41);
const gh = plant("github-app-token", 41);

describe("customs secrets scan", () => {
  it.each([
    ["nothing found", { "a.txt": "hello\n" }, [], 0],
    ["a critical secret at the default threshold", { "a.txt": `${square.line}\n` }, [], 1],
    [
      "a low secret under --fail-on high",
      { "a.txt": `${stripeTest.line}\n` },
      ["--fail-on", "high"],
      0,
    ],
    ["a low secret at the default threshold (low)", { "a.txt": `${stripeTest.line}\n` }, [], 1],
    [
      "a critical secret under --fail-on critical",
      { "a.txt": `${square.line}\n` },
      ["--fail-on", "critical"],
      1,
    ],
  ] as const)("exit code: %s", async (_name, files, flags, status) => {
    const r = await customsInProcess(["secrets", "scan", ...flags, dir(files)]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(status);
  });

  it.each([
    [["--fail-on", "severe"], "--fail-on must be one of"],
    [["-o", "xml"], "--output must be one of human, json"],
    [["--max-file-size", "-1"], "--max-file-size must be a positive number"],
    [["/no/such/path"], "/no/such/path: cannot read: ENOENT"],
    [["--config", "/no/such.yaml"], "/no/such.yaml: cannot read"],
  ])("bad input %j exits 2 with a clear message", async (flags, message) => {
    const r = await customsInProcess([
      "secrets",
      "scan",
      ...flags,
      ...(flags[0]?.startsWith("/") ? [] : [dir({})]),
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it("skips .git, node_modules and binary files; notes files over the size limit", async () => {
    const root = dir({
      ".git/config": `${gh.line}\n`,
      "node_modules/x/index.js": `${gh.line}\n`,
      "image.png": `\u0000PNG${gh.line}`,
      "dump.sql": `${"-- filler\n".repeat(300)}${gh.line}\n`,
      "src/app.ts": `// config\n${gh.line}\n`,
    });
    const r = await customsInProcess([
      "secrets",
      "scan",
      "-o",
      "json",
      "--max-file-size",
      "2000",
      root,
    ]);
    const report = JSON.parse(r.stdout).reports[0] as FindingReport;
    expect(
      report.findings.map((f) => [
        f.ruleId,
        f.location?.path.slice(root.length + 1),
        f.location?.line,
      ]),
    ).toEqual([
      ["file-too-large", "dump.sql", undefined],
      ["github-app-token", "src/app.ts", 2],
    ]);
    expect(report.scanned).toMatchObject({ files: 2, binary: 1, tooLarge: 1 });
    expect(report.rules.map((rule) => rule.id).sort()).toEqual([
      "file-too-large",
      "github-app-token",
    ]);
  });

  it("lockfiles and minified files: prefixed tokens only", async () => {
    const r = random(5);
    const awsSecret = `aws_secret_access_key = ${pick(r, B64, 40)}`;
    const root = dir({
      "package-lock.json": `{\n  "x": "${awsSecret}",\n  "y": "${gh.secret}"\n}\n`,
      "dist/app.min.js": `var a="${awsSecret}";var b="${gh.secret}";`,
      "settings.ini": `${awsSecret}\n`,
    });
    const out = await customsInProcess(["secrets", "scan", "-o", "json", root]);
    const report = JSON.parse(out.stdout).reports[0] as FindingReport;
    expect(report.findings.map((f) => [f.ruleId, f.location?.path.slice(root.length + 1)])).toEqual(
      [
        ["github-app-token", "dist/app.min.js"],
        ["github-app-token", "package-lock.json"],
        ["aws-secret-access-key", "settings.ini"],
      ],
    );
  });

  it("never prints a secret, in any format, also not in properties", async () => {
    const url = plant("url-password", 41);
    const root = dir({ "a.env": [square.line, gh.line, url.line, stripeTest.line].join("\n") });
    for (const format of ["json", "human"]) {
      const r = await customsInProcess(["secrets", "scan", "-o", format, root]);
      expect(r.status).toBe(1);
      for (const s of [square, gh, url, stripeTest]) expect(r.stdout).not.toContain(s.secret);
      expect(r.stdout).toContain("sq0a…(29 chars)");
    }
  });

  it("runs from the built CLI, reading .customs/secrets.yaml of the working folder", () => {
    const root = dir({
      ".customs/secrets.yaml": "disable: [square-access-token]\n",
      "a.txt": `${square.line}\n`,
    });
    expect(customs(["secrets", "scan", "."], { cwd: root }).status).toBe(0);
    expect(customs(["secrets", "scan", "--config", "/dev/null", "."], { cwd: root }).status).toBe(
      1,
    );
  });
});

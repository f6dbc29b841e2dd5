import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { validateCiConfig } from "../../src/core/ci/index.js";
import type { FindingReport } from "../../src/core/findings/index.js";
import { validateBaseline } from "../../src/core/secrets/index.js";
import { customsInProcess, tempFiles } from "../support/cli.js";
import { plant } from "./corpus.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
function dir(files: Record<string, string> = {}): string {
  const t = tempFiles(files);
  cleanups.push(t.cleanup);
  return t.dir;
}

async function scan(args: string[]) {
  const r = await customsInProcess(["secrets", "scan", "-o", "json", ...args]);
  const report =
    r.status === 2 ? undefined : (JSON.parse(r.stdout).reports[0] as FindingReport | undefined);
  return { ...r, report };
}

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

/** A repository where a Stripe key is committed, removed, then unrelated work follows. */
function leakyRepo() {
  const repo = dir();
  const stripe = plant("stripe-secret-key", 31);
  git(repo, "init", "-q", "-b", "main");
  writeFileSync(join(repo, "README.md"), "# app\n");
  git(repo, "add", "-A");
  git(repo, "commit", "-q", "-m", "start");
  const start = git(repo, "rev-parse", "HEAD");
  writeFileSync(join(repo, "config.py"), `import os\n\nSTRIPE = "${stripe.secret}"\n`);
  git(repo, "add", "-A");
  git(repo, "commit", "-q", "-m", "add payments");
  const leak = git(repo, "rev-parse", "HEAD");
  writeFileSync(join(repo, "config.py"), `import os\n\nSTRIPE = os.environ["STRIPE"]\n`);
  git(repo, "commit", "-q", "-am", "read the key from the environment");
  const removed = git(repo, "rev-parse", "HEAD");
  return { repo, stripe, start, leak, removed };
}

const gitMissing = spawnSync("git", ["--version"]).status !== 0;
if (gitMissing) console.warn("[secrets baseline] skipped: the git program is not installed");

describe.skipIf(gitMissing)("a removed historical secret, baselined", () => {
  it("is found, then baselined without being written down, then suppressed", async () => {
    const { repo, stripe, leak } = leakyRepo();
    const first = await scan(["--git", repo]);
    expect(first.status).toBe(1);
    expect(first.report?.findings.map((f) => [f.ruleId, f.location?.commit])).toEqual([
      ["stripe-secret-key", leak],
    ]);

    const file = join(dir(), "secrets-baseline.json");
    const written = await scan(["--git", repo, "--write-baseline", file]);
    expect(written.status).toBe(0);
    expect(written.report?.scanned?.suppressed).toBe(1);
    const text = readFileSync(file, "utf8");
    // Neither the secret nor any long piece of it is in the file that gets committed.
    expect(text).not.toContain(stripe.secret);
    expect(text).not.toContain(stripe.secret.slice(-12));
    const saved = JSON.parse(text);
    expect(saved.findings).toEqual([
      expect.objectContaining({ ruleId: "stripe-secret-key", path: "config.py", commit: leak }),
    ]);

    // A later, unrelated commit: the fingerprint still matches, the run passes.
    writeFileSync(join(repo, "NOTES.md"), "more\n");
    git(repo, "add", "-A");
    git(repo, "commit", "-q", "-m", "notes");
    const again = await scan(["--git", repo, "--baseline", file]);
    expect(again.status).toBe(0);
    expect(again.report?.findings).toEqual([]);
    expect(again.report?.scanned?.suppressed).toBe(1);

    const human = await customsInProcess(["secrets", "scan", "--git", repo, "--baseline", file]);
    expect(human.stdout).toContain("1 suppressed by the baseline");
  });

  it("a new secret still fails; an entry that matches nothing is an info note", async () => {
    const { repo } = leakyRepo();
    const file = join(dir(), "b.json");
    await scan(["--git", repo, "--write-baseline", file]);
    const saved = JSON.parse(readFileSync(file, "utf8"));
    saved.findings.push({ fingerprint: "secrets/github-pat/abc:gone.txt:1", reason: "rotated" });
    writeFileSync(file, JSON.stringify(saved));
    const gh = plant("github-pat", 32);
    writeFileSync(join(repo, "ci.yaml"), `token: ${gh.secret}\n`);
    git(repo, "add", "-A");
    git(repo, "commit", "-q", "-m", "ci");
    const r = await scan(["--git", repo, "--baseline", file]);
    expect(r.status).toBe(1);
    expect(r.report?.findings.map((f) => [f.ruleId, f.severity]).sort()).toEqual([
      ["baseline-stale", "info"],
      ["github-pat", "critical"],
    ]);
    expect(r.stdout).not.toContain(gh.secret);
  });

  it("--write-baseline keeps the reasons already given", async () => {
    const { repo } = leakyRepo();
    const file = join(dir(), "b.json");
    await scan(["--git", repo, "--write-baseline", file]);
    const saved = JSON.parse(readFileSync(file, "utf8"));
    saved.findings[0].reason = "rotated at the issuer";
    writeFileSync(file, JSON.stringify(saved));
    await scan(["--git", repo, "--write-baseline", file]);
    expect(JSON.parse(readFileSync(file, "utf8")).findings[0].reason).toBe("rotated at the issuer");
  });

  it("--since after the secret's commit scans only later commits", async () => {
    const { repo, leak, start } = leakyRepo();
    const after = await scan(["--git", repo, "--since", leak]);
    expect(after.status).toBe(0);
    expect(after.report?.findings).toEqual([]);
    expect(after.report?.scanned?.commits).toBe(1);
    const before = await scan(["--git", repo, "--since", start]);
    expect(before.status).toBe(1);
    expect(before.report?.scanned?.commits).toBe(2);
  });

  it("--range FROM..TO scans those commits; FROM.. means up to HEAD", async () => {
    const { repo, start, leak, removed } = leakyRepo();
    const only = await scan(["--git", repo, "--range", `${start}..${leak}`]);
    expect(only.status).toBe(1);
    expect(only.report?.scanned?.commits).toBe(1);
    const later = await scan(["--git", repo, "--range", `${leak}..${removed}`]);
    expect(later.report?.findings).toEqual([]);
    const open = await scan(["--git", repo, "--range", "main~2.."]);
    expect(open.report?.scanned?.commits).toBe(2);
  });

  it.each([
    [["--since", "--output=/tmp/x"], /cannot start with "-"/],
    [["--since", "no-such-branch"], /"no-such-branch" is not a commit/],
    [["--range", "main"], /expected FROM\.\.TO/],
    [["--range", "main...HEAD"], /expected FROM\.\.TO/],
    [["--range", "HEAD~1..-x"], /cannot start with "-"/],
    [["--range", "a b..HEAD"], /whitespace/],
  ])("refuses %j with a clear error, exit 2", async (args, message) => {
    const { repo } = leakyRepo();
    const r = await customsInProcess(["secrets", "scan", "--git", repo, ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it("--since without --git, or with --range, is a usage error", async () => {
    const a = await customsInProcess(["secrets", "scan", "--since", "HEAD", dir()]);
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/need --git/);
    const b = await customsInProcess([
      "secrets",
      "scan",
      "--git",
      "--since",
      "HEAD",
      "--range",
      "HEAD~1..",
      dir(),
    ]);
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/cannot be used together/);
  });

  it("customs ci honours checks.secrets.baseline and since", async () => {
    const { repo, leak } = leakyRepo();
    const file = join(repo, ".customs-baseline.json");
    await scan(["--git", repo, "--write-baseline", file]);
    const ci = (secrets: string) =>
      `apiVersion: customs.dev/v1alpha1\nkind: CIConfig\nchecks:\n  secrets:\n    git: true\n${secrets}`;
    writeFileSync(join(repo, "customs.yaml"), ci(""));
    const cwd = process.cwd();
    process.chdir(repo);
    try {
      expect((await customsInProcess(["ci", "-o", "json"])).status).toBe(1);
      writeFileSync(join(repo, "customs.yaml"), ci("    baseline: .customs-baseline.json\n"));
      expect((await customsInProcess(["ci", "-o", "json"])).status).toBe(0);
      writeFileSync(join(repo, "customs.yaml"), ci(`    since: ${leak}\n`));
      expect((await customsInProcess(["ci", "-o", "json"])).status).toBe(0);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe("baseline files", () => {
  it("a missing baseline, bad JSON or a bad entry is SECRETS_BASELINE_INVALID", async () => {
    const d = dir({ "bad.json": "{", "dup.json": "", "a.txt": "x\n" });
    const fp = "secrets/x/:a:1";
    writeFileSync(
      join(d, "dup.json"),
      JSON.stringify({ version: 1, findings: [{ fingerprint: fp }, { fingerprint: fp }] }),
    );
    for (const [name, message] of [
      ["none.json", /no such baseline file/],
      ["bad.json", /not JSON/],
      ["dup.json", /findings\[1\]\.fingerprint: is listed twice/],
    ] as const) {
      const r = await customsInProcess([
        "secrets",
        "scan",
        join(d, "a.txt"),
        "--baseline",
        join(d, name),
      ]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });

  it.each([
    [{ version: 1, findings: [] }, []],
    [{ version: 2, findings: [] }, ["version"]],
    [{ version: 1, findings: [{}] }, ["findings[0].fingerprint"]],
    [{ version: 1, findings: [{ fingerprint: "a", secret: "x" }] }, ["findings[0].secret"]],
    [{ version: 1, findings: [{ fingerprint: "a", reason: 3 }] }, ["findings[0].reason"]],
    [{ version: 1, extra: true }, ["extra"]],
  ])("validateBaseline(%j) → issues at %j", (doc, paths) => {
    const r = validateBaseline(doc);
    expect(r.ok ? [] : r.issues.map((i) => i.path)).toEqual(paths);
  });
});

describe("customs.yaml checks.secrets: baseline, since, range", () => {
  const issuesOf = (secrets: Record<string, unknown>) => {
    const r = validateCiConfig({
      apiVersion: "customs.dev/v1alpha1",
      kind: "CIConfig",
      checks: { secrets },
    });
    return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
  };
  it.each([
    [{ git: true, baseline: "b.json", since: "origin/main" }, []],
    [{ git: true, range: "origin/main..HEAD" }, []],
    [{ git: true, range: "v1.2.0.." }, []],
    [{ git: true, range: "main" }, ["checks.secrets.range: must be FROM..TO"]],
    [{ git: true, range: "a...b" }, ["checks.secrets.range: must be FROM..TO"]],
    [{ git: true, since: "-x" }, ['checks.secrets.since: must not start with "-"']],
    [{ git: true, since: "a b" }, ["checks.secrets.since: must not hold whitespace"]],
    [{ since: "main" }, ["checks.secrets.since: needs `git: true`"]],
    [{ git: true, since: "a", range: "a..b" }, ["checks.secrets.range: cannot be used"]],
    [{ baseline: "" }, ["checks.secrets.baseline"]],
    [{ git: true, sinse: "main" }, ["checks.secrets.sinse: unknown field"]],
  ])("%j", (secrets, expected) => {
    const issues = issuesOf(secrets);
    expect(issues.length).toBe(expected.length);
    expected.forEach((e, i) => {
      expect(issues[i]).toContain(e);
    });
  });
});

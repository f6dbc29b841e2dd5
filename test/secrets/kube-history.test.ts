/**
 * Kubernetes Secrets in git history: a Secret's `data` is base64, so the lines a commit added
 * say nothing by themselves. `secrets scan --git` decodes the Secret from the file as that
 * commit holds it and reports each entry once, by the commit that wrote it.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { FindingReport } from "../../src/core/findings/index.js";
import { customsInProcess, tempFiles } from "../support/cli.js";
import { plant } from "./corpus.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const git = (repo: string, ...args: string[]) =>
  execFileSync(
    "git",
    ["-C", repo, "-c", "user.name=T", "-c", "user.email=t@example.test", ...args],
    {
      encoding: "utf8",
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" },
    },
  ).trim();

const b64 = (s: string) => Buffer.from(s).toString("base64");

const secretYaml = (entries: Record<string, string>) =>
  `apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ntype: Opaque\ndata:\n${Object.entries(
    entries,
  )
    .map(([k, v]) => `  ${k}: ${b64(v)}\n`)
    .join("")}`;

async function scanHistory(repo: string) {
  const r = await customsInProcess(["secrets", "scan", "--git", repo, "-o", "json"]);
  return { ...r, report: JSON.parse(r.stdout).reports[0] as FindingReport };
}

describe("secrets scan --git: Kubernetes Secrets", () => {
  it("finds a base64 value in a Secret committed and then removed, by the commit that added it", async () => {
    const t = tempFiles({});
    cleanups.push(t.cleanup);
    const repo = t.dir;
    const aws = plant("aws-access-key-id", 7);
    git(repo, "init", "-q", "-b", "main");
    writeFileSync(join(repo, "secret.yaml"), secretYaml({ note: "hello" }));
    git(repo, "add", "-A");
    git(repo, "commit", "-q", "-m", "a harmless secret");
    // The key is added to an existing Secret: only its own line is new in this commit.
    writeFileSync(join(repo, "secret.yaml"), secretYaml({ note: "hello", aws: aws.secret }));
    git(repo, "commit", "-qam", "add the key");
    const leak = git(repo, "rev-parse", "HEAD");
    git(repo, "rm", "-q", "secret.yaml");
    git(repo, "commit", "-qm", "remove it");

    const { status, report, stdout } = await scanHistory(repo);
    expect(status).toBe(1);
    const hits = report.findings.filter((f) => f.ruleId === "aws-access-key-id");
    // Once, by the commit that wrote it, at its key's line, in the Secret's terms.
    expect(hits).toHaveLength(1);
    expect(hits[0]?.location?.line).toBe(8);
    expect(hits[0]?.message).toContain("in Secret app, key aws");
    expect(JSON.stringify(hits[0])).toContain(leak.slice(0, 12));
    // Redacted: the value appears nowhere in the output, neither encoded nor decoded.
    expect(stdout).not.toContain(aws.secret);
    expect(stdout).not.toContain(b64(aws.secret));
  });

  it("reports nothing for a Secret whose values hold no secret", async () => {
    const t = tempFiles({});
    cleanups.push(t.cleanup);
    git(t.dir, "init", "-q", "-b", "main");
    writeFileSync(join(t.dir, "secret.yaml"), secretYaml({ greeting: "hello world" }));
    git(t.dir, "add", "-A");
    git(t.dir, "commit", "-q", "-m", "plain");
    const { status, report } = await scanHistory(t.dir);
    expect(status).toBe(0);
    expect(report.findings.filter((f) => f.severity !== "info")).toEqual([]);
  });
});

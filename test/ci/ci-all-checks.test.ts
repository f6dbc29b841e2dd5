import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { customs, ROOT, tempFiles } from "../support/cli.js";

const fixture = (name: string) => readFileSync(join(ROOT, "test/vuln/fixtures", name), "utf8");

const POLICY = `apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: { name: no-busybox }
spec:
  recipe: blocked-images
  input:
    rules: [{ imageName: busybox }]
`;

const repo = tempFiles({
  "customs.yaml": `apiVersion: customs.dev/v1alpha1
kind: CIConfig
checks:
  manifests:
    policies: [policies]
    paths: [deploy]
  dockerfile:
    paths: [app]
  vulnerabilities:
    base: scans/main.json
    new: scans/pr.json
`,
  "policies/p.yaml": POLICY,
  "deploy/ok.yaml": `apiVersion: v1
kind: Pod
metadata: { name: ok }
spec:
  containers: [{ name: a, image: "alpine:3.20" }]
`,
  "app/Dockerfile": 'FROM busybox:1.36\nUSER 10001\nCMD ["sh"]\n',
  "scans/main.json": fixture("trivy-base.json"),
  "scans/pr.json": fixture("trivy-new.json"),
});
afterAll(repo.cleanup);

describe("customs ci runs every check customs.yaml lists", () => {
  it("a base image the policies refuse and a new critical vulnerability fail one run", () => {
    const r = customs(["ci", "-o", "json"], { cwd: repo.dir });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(1);
    const json = JSON.parse(r.stdout) as {
      reports: {
        tool: string;
        findings: { ruleId: string; severity: string; location?: { path: string } }[];
      }[];
    };
    expect(json.reports.map((x) => x.tool)).toEqual(["check", "dockerfile", "vuln"]);
    expect(json.reports[0]?.findings).toEqual([]);
    // The manifests' policies judge the Dockerfile's base image too (CD004).
    const base = json.reports[1]?.findings.find((f) => f.ruleId === "CD004");
    expect(base).toMatchObject({ severity: "high", location: { path: join("app", "Dockerfile") } });
    expect(json.reports[2]?.findings.map((f) => `${f.ruleId} ${f.severity}`)).toContain(
      "CVE-2023-45853 critical",
    );
  });

  it("the same run as JUnit has one suite per check", () => {
    const r = customs(["ci", "-o", "junit"], { cwd: repo.dir });
    expect(r.stdout.match(/<testsuite /g)?.length).toBe(3);
    expect(r.stdout).toContain('<testsuite name="customs check" tests="1" failures="0"');
  });
});

describe("customs ci finds a secret in the history", () => {
  // Built at run time from parts, so this file holds no key-shaped literal.
  const stripeKey = `${"sk"}_${"live"}_${"4eC39HqLyjWDarjtT1zdp7dc".split("").reverse().join("")}`;
  const history = tempFiles({
    "customs.yaml": `apiVersion: customs.dev/v1alpha1
kind: CIConfig
checks:
  secrets:
    git: true
`,
    "settings.py": `STRIPE_KEY = "${stripeKey}"\n`,
  });
  afterAll(history.cleanup);

  it("a Stripe key committed and later removed still fails the run, with its commit, redacted", () => {
    const git = (...args: string[]) => {
      const r = spawnSync("git", args, { cwd: history.dir, encoding: "utf8" });
      if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
      return r.stdout.trim();
    };
    git("init", "-q");
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "add", ".");
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "settings");
    const added = git("rev-parse", "HEAD");
    writeFileSync(join(history.dir, "settings.py"), 'STRIPE_KEY = os.environ["STRIPE_KEY"]\n');
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", "from env");
    const r = customs(["ci", "-o", "github"], { cwd: history.dir });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`in commit ${added}`);
    expect(r.stdout).toContain("stripe-secret-key");
    expect(r.stdout).not.toContain(stripeKey);
  });
});

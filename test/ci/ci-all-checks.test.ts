import { readFileSync } from "node:fs";
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

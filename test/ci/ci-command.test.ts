import { readFileSync } from "node:fs";
import { join } from "node:path";
import { XMLValidator } from "fast-xml-parser";
import { afterAll, describe, expect, it } from "vitest";
import { customs, ROOT, tempFiles } from "../support/cli.js";

const POLICY = `apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: { name: corp-only }
spec:
  recipe: custom
  input:
    rules: [{ hostname: registry.corp.example }]
---
apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: { name: no-latest }
spec:
  recipe: block-latest-tag
  action: warn
`;
const DEPLOY = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  template:
    spec:
      containers:
        - name: web
          image: busybox
`;
const GOOD = `apiVersion: v1
kind: Pod
metadata: { name: ok }
spec:
  containers: [{ name: a, image: "registry.corp.example/app:1.0" }]
`;
const CONFIG = `apiVersion: customs.dev/v1alpha1
kind: CIConfig
checks:
  manifests:
    policies: [policies]
    paths: [deploy]
`;

const repo = tempFiles({
  "customs.yaml": CONFIG,
  "policies/p.yaml": POLICY,
  "deploy/web.yaml": DEPLOY,
  "good/ok.yaml": GOOD,
});
afterAll(repo.cleanup);

describe("customs ci", () => {
  it("runs the manifest check customs.yaml lists and fails on a denial", () => {
    const r = customs(["ci"], { cwd: repo.dir });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("deploy/web.yaml:9");
    expect(r.stdout).toContain("IMAGE_NOT_ALLOWED");
    expect(r.stdout).toContain("failed: 1 at or above high");
  });

  it("--fail-on critical lets a denial through; the config's failOn applies without the flag", () => {
    expect(customs(["ci", "--fail-on", "critical"], { cwd: repo.dir }).status).toBe(0);
    const other = tempFiles({
      "customs.yaml": `${CONFIG}failOn: medium\n`.replace("paths: [deploy]", "paths: [good]"),
      "policies/p.yaml": POLICY,
      "good/ok.yaml": GOOD.replace(":1.0", ""),
    });
    try {
      // Only the warn policy fails, and failOn: medium makes a warning fail the run.
      const r = customs(["ci", "-o", "json"], { cwd: other.dir });
      expect(r.status).toBe(1);
      const json = JSON.parse(r.stdout);
      expect(json.summary).toMatchObject({ total: 1, failing: 1, failOn: "medium" });
      expect(json.reports[0].findings[0].ruleId).toBe("LATEST_TAG_BLOCKED");
    } finally {
      other.cleanup();
    }
  });

  it("prints GitHub annotations and writes SARIF and JUnit files at once", () => {
    const r = customs(
      ["ci", "-o", "github", "--report", "sarif=out.sarif", "--report", "junit=out.xml"],
      { cwd: repo.dir },
    );
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(
      /^::error file=deploy\/web.yaml,line=9,title=IMAGE_NOT_ALLOWED \(high\)::/m,
    );
    const sarif = JSON.parse(readFileSync(join(repo.dir, "out.sarif"), "utf8"));
    expect(sarif.runs[0].results[0].ruleId).toBe("IMAGE_NOT_ALLOWED");
    const xml = readFileSync(join(repo.dir, "out.xml"), "utf8");
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toContain('failures="1"');
  });

  it.each([
    [
      "an unknown check",
      CONFIG.replace("manifests:", "manifest:"),
      "checks.manifest: unknown field `manifest`; did you mean `manifests`?",
    ],
    ["a wrong kind", CONFIG.replace("CIConfig", "Config"), "kind: must be CIConfig"],
    ["no checks", "apiVersion: customs.dev/v1alpha1\nkind: CIConfig\n", "checks: lists no check"],
    [
      "paths that are not a list",
      CONFIG.replace("paths: [deploy]", "paths: deploy"),
      "checks.manifests.paths: expected a list",
    ],
    ["a bad failOn", `${CONFIG}failOn: severe\n`, 'failOn: "severe" is not one of'],
  ])("refuses a config with %s, naming the field (exit 2)", (_name, text, message) => {
    const bad = tempFiles({ "customs.yaml": text });
    try {
      const r = customs(["ci"], { cwd: bad.dir });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`customs.yaml: ${message}`);
    } finally {
      bad.cleanup();
    }
  });

  it("a missing customs.yaml or a bad flag is exit 2, before anything runs", () => {
    const empty = tempFiles({});
    try {
      const r = customs(["ci"], { cwd: empty.dir });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain("customs.yaml: cannot read: ENOENT");
    } finally {
      empty.cleanup();
    }
    expect(customs(["ci", "--fail-on", "severe"], { cwd: repo.dir }).stderr).toContain(
      '--fail-on must be one of info, low, medium, high, critical, none, got "severe"',
    );
    expect(customs(["ci", "-o", "xml"], { cwd: repo.dir }).status).toBe(2);
  });
});

describe("customs check in CI formats", () => {
  const args = ["check", "-p", "policies", "deploy"];
  it("-o junit and -o github, with the spec's exit status", () => {
    const junit = customs([...args, "-o", "junit"], { cwd: repo.dir });
    expect(junit.status).toBe(1);
    expect(XMLValidator.validate(junit.stdout)).toBe(true);
    expect(junit.stdout).toContain('<failure type="high"');
    const gh = customs([...args, "-o", "github"], { cwd: repo.dir });
    expect(gh.stdout).toContain("::error file=deploy/web.yaml,line=9");
  });

  it("--fail-on medium fails on a warning; json output keeps the spec's contract", () => {
    const warnOnly = ["check", "-p", "policies", join(ROOT, "examples/manifests/sandbox.yaml")];
    expect(customs([...warnOnly, "--fail-on", "medium"], { cwd: repo.dir }).status).toBe(1);
    const json = JSON.parse(customs([...args, "-o", "json"], { cwd: repo.dir }).stdout);
    expect(Object.keys(json)).toEqual(["summary", "results"]);
  });
});

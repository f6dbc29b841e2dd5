import { afterAll, describe, expect, it } from "vitest";
import { plant } from "../secrets/corpus.js";
import { customs, tempFiles } from "../support/cli.js";

const POLICY = `apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: { name: corp-only }
spec:
  recipe: custom
  input:
    rules: [{ hostname: registry.corp.example }]
`;
const POD = `apiVersion: v1
kind: Pod
metadata: { name: ok }
spec:
  containers: [{ name: a, image: "registry.corp.example/app:1.0@sha256:${"a".repeat(64)}" }]
`;
/** A file that stops any reader: were it read, the command would fail or report it. */
const BROKEN_YAML = "kind: [unclosed\n";
const DOCKERFILE = `FROM registry.corp.example/base@sha256:${"b".repeat(64)}\nUSER app\n`;
const square = plant("square-access-token", 41);

const CI_CONFIG = `apiVersion: customs.dev/v1alpha1
kind: CIConfig
checks:
  manifests:
    policies: [policies/p.yaml]
    paths: [k8s]
    exclude: [k8s/charts/]
  dockerfile:
    paths: [images]
    exclude: ["**/vendor/"]
  secrets:
    paths: [src]
    exclude: [src/fixtures/]
`;

const repo = tempFiles({
  "policies/p.yaml": POLICY,
  "policies/drafts/broken.yaml": BROKEN_YAML,
  "k8s/pod.yaml": POD,
  "k8s/charts/app/broken.yaml": BROKEN_YAML,
  "images/Dockerfile": DOCKERFILE,
  "images/vendor/Dockerfile": "RUN no-from\n",
  "src/notes.txt": "nothing here\n",
  "src/fixtures/key.txt": `${square.line}\n`,
  "ci.yaml": CI_CONFIG,
  "ci-no-exclude.yaml": CI_CONFIG.replace(/^ {4}exclude: .*\n/gm, ""),
});
afterAll(repo.cleanup);

/**
 * Each command that takes files or folders, with the file it would read without `--exclude`:
 * run once without the flag (the file is read: its name shows up) and once with it (it does
 * not, and the command passes).
 */
const CASES: { command: string[]; pattern: string; skipped: string }[] = [
  { command: ["check", "-p", "policies/p.yaml", "k8s"], pattern: "k8s/charts/", skipped: "charts" },
  { command: ["pin", "--check", "k8s"], pattern: "**/charts/**", skipped: "charts" },
  { command: ["dockerfile", "lint", "images"], pattern: "**/vendor/", skipped: "vendor" },
  {
    command: ["dockerfile", "pin", "--check", "images"],
    pattern: "images/vendor/**",
    skipped: "vendor",
  },
  { command: ["secrets", "scan", "src"], pattern: "src/fixtures/", skipped: "fixtures" },
  { command: ["policy", "validate", "policies"], pattern: "**/drafts/*.yaml", skipped: "drafts" },
];

describe("--exclude GLOB on every command that takes paths", () => {
  it.each(CASES)("$command.0 $command.1", ({ command, pattern, skipped }) => {
    const read = customs(command, { cwd: repo.dir });
    expect(read.status).not.toBe(0);
    expect(read.stdout + read.stderr).toContain(skipped);
    const r = customs([...command, "--exclude", pattern], { cwd: repo.dir });
    expect(r.stdout + r.stderr).not.toContain(skipped);
    expect(r.status).toBe(0);
  });

  it("a file named on the command line is read even when a pattern matches it", () => {
    const r = customs(
      ["policy", "validate", "policies/drafts/broken.yaml", "--exclude", "**/drafts/"],
      {
        cwd: repo.dir,
      },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("broken.yaml");
  });

  it("every such command shows the same help for the flag", () => {
    const help = (args: string[]) =>
      customs([...args, "--help"])
        .stdout.replace(/\s+/g, " ")
        .match(/--exclude <glob> [^\n]*?\)/)?.[0];
    const shown = CASES.map((c) =>
      help(c.command.slice(0, c.command[0] === "check" || c.command[0] === "pin" ? 1 : 2)),
    );
    shown.push(help(["check"]));
    expect(shown.every((h) => h !== undefined && h === shown[0])).toBe(true);
  });

  it("customs ci reads each check's exclude list from customs.yaml", () => {
    // The same config without its exclude lists reads the skipped files.
    const read = customs(["ci", "-c", "ci-no-exclude.yaml"], { cwd: repo.dir });
    expect(read.status).toBe(2);
    expect(read.stderr).toContain("charts");
    const r = customs(["ci", "-c", "ci.yaml", "-o", "json"], { cwd: repo.dir });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.reports.map((x: { tool: string }) => x.tool)).toEqual([
      "check",
      "dockerfile",
      "secrets",
    ]);
    expect(r.stdout).not.toMatch(/charts|vendor|fixtures/);
  });
});

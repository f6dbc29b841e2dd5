import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDockerfileConfig } from "../../src/app/ci/dockerfile-lint.js";
import type { FindingReport } from "../../src/core/findings/types.js";
import { customsInProcess as customs, customs as spawnCustoms, tempFiles } from "../support/cli.js";

const CLEAN = "FROM alpine:3.19\nUSER app\n";
const SECRET = "FROM alpine:3.19\nUSER app\nENV DB_PASSWORD=hunter2\n";
const POLICY = `apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: {name: corp-only}
spec:
  namespace: prod
  recipe: custom
  input: {rules: [{hostname: registry.corp.example}]}
`;

describe("customs dockerfile lint", () => {
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => {
    ({ dir, cleanup } = tempFiles({
      "tree/Dockerfile": CLEAN,
      "tree/api/api.Dockerfile": CLEAN,
      "tree/web/Dockerfile.prod": CLEAN,
      "tree/Containerfile": CLEAN,
      "tree/README.md": "FROM nothing\n",
      "tree/.git/Dockerfile": "RUNN broken\n",
      "secret/Dockerfile": SECRET,
      "broken/Dockerfile": "FROM alpine:3.19\nRUN <<EOF\necho\n",
      "stages/Dockerfile":
        "FROM golang:1.22 AS build\nFROM registry.corp.example/base:1 AS app\nUSER app\n",
      "policy.yaml": POLICY,
      "stages-all.yaml": "stages: all\n",
      "strict.yaml": "failOn: low\n",
      "typo.yaml": "rules:\n  CD03: off\n",
      ".customs/dockerfile.yaml": "rules: {CD003: off}\n",
    }));
  });
  afterAll(() => cleanup());

  it("searches folders for Dockerfile, *.Dockerfile, Dockerfile.*, Containerfile", async () => {
    const r = await customs(["dockerfile", "lint", "-o", "json", join(dir, "tree")]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout).reports[0] as FindingReport;
    expect(report.tool).toBe("dockerfile");
    expect(report.scanned).toEqual({ files: 4, stages: 4 });
    const files = [...new Set(report.findings.map((f) => f.location?.path.split("/").pop()))];
    expect(files.sort()).toEqual([
      "Containerfile",
      "Dockerfile",
      "Dockerfile.prod",
      "api.Dockerfile",
    ]);
    expect(report.findings.every((f) => f.ruleId === "CD003" && f.location?.line === 1)).toBe(true);
    expect(report.rules.map((r) => r.id)).toEqual(["CD003"]);
  });

  it.each([
    ["low findings only: default --fail-on high passes", [join("tree", "Dockerfile")], 0],
    ["a secret (high) fails", [join("secret", "Dockerfile")], 1],
    ["--fail-on low fails on low findings", ["--fail-on", "low", join("tree", "Dockerfile")], 1],
    ["--fail-on none never fails", ["--fail-on", "none", join("secret", "Dockerfile")], 0],
    ["failOn from --config", ["--config", "strict.yaml", join("tree", "Dockerfile")], 1],
    [
      "--fail-on wins over the configuration",
      ["--config", "strict.yaml", "--fail-on", "high", join("tree", "Dockerfile")],
      0,
    ],
    [
      "base image refused by a policy for the namespace",
      ["-p", "policy.yaml", "--namespace", "prod", join("tree", "Dockerfile")],
      1,
    ],
    [
      "the policy does not apply in another namespace",
      ["-p", "policy.yaml", join("tree", "Dockerfile")],
      0,
    ],
    [
      "only the final stage's base is judged by default: the golang builder is not",
      ["-p", "policy.yaml", "--namespace", "prod", join("stages", "Dockerfile")],
      0,
    ],
    [
      "--stages all judges the builder too",
      ["-p", "policy.yaml", "--namespace", "prod", "--stages", "all", join("stages", "Dockerfile")],
      1,
    ],
    [
      "stages: all in the configuration",
      [
        "-p",
        "policy.yaml",
        "--namespace",
        "prod",
        "--config",
        "stages-all.yaml",
        join("stages", "Dockerfile"),
      ],
      1,
    ],
    [
      "--target judges the stage built",
      [
        "-p",
        "policy.yaml",
        "--namespace",
        "prod",
        "--target",
        "build",
        join("stages", "Dockerfile"),
      ],
      1,
    ],
    ["a --target no stage has", ["--target", "nope", join("stages", "Dockerfile")], 2],
    ["a bad --stages", ["--stages", "some", join("stages", "Dockerfile")], 2],
    ["a bad --fail-on", ["--fail-on", "severe", join("tree", "Dockerfile")], 2],
    ["a bad --output", ["-o", "xml", join("tree", "Dockerfile")], 2],
    ["a missing file", ["nope/Dockerfile"], 2],
    ["a missing --config", ["--config", "nope.yaml", join("tree", "Dockerfile")], 2],
  ])("%s", async (_name, args, status) => {
    const abs = args.map((a) =>
      /^(tree|secret|policy|strict|nope|stages)/.test(a) ? join(dir, a) : a,
    );
    const r = await customs(["dockerfile", "lint", ...abs]);
    expect({ status: r.status, stderr: r.status === 2 ? "" : r.stderr }).toEqual({
      status,
      stderr: "",
    });
    if (status === 2) expect(r.stderr).toMatch(/^customs: /);
  });

  it("prints file:line:column, severity, rule and message; never the secret", async () => {
    const file = join(dir, "secret", "Dockerfile");
    const r = await customs(["dockerfile", "lint", file]);
    const lines = r.stdout.split("\n").filter((l) => !l.startsWith("    fix:"));
    expect(lines).toEqual([
      `${file}:1:6  LOW      CD003  base image alpine:3.19 is not pinned to a digest`,
      `${file}:3:5  HIGH     CD019  ENV DB_PASSWORD is set to a literal value (not shown)`,
      "",
      "2 findings: 1 high, 1 low; failed: 1 at or above high",
      "",
    ]);
    expect(r.stdout).not.toContain("hunter2");
  });

  it("a broken Dockerfile is exit 2 naming file:line", async () => {
    const file = join(dir, "broken", "Dockerfile");
    const r = await customs(["dockerfile", "lint", file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`customs: ${file}:2: here-document <<EOF has no closing "EOF" line\n`);
  });

  it("a configuration typo is exit 2 with the field path and a suggestion", async () => {
    const r = await customs([
      "dockerfile",
      "lint",
      "--config",
      join(dir, "typo.yaml"),
      join(dir, "tree"),
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      "typo.yaml: rules.CD03: unknown field `CD03`; did you mean `CD003`?",
    );
  });

  it("reads .customs/dockerfile.yaml from the working folder when present", async () => {
    const config = await loadDockerfileConfig(undefined, dir);
    expect(config.rules.get("CD003")).toBe("off");
    expect((await loadDockerfileConfig(undefined, join(dir, "tree"))).rules.size).toBe(0);
  });

  it("the built CLI reads standard input and the working folder's configuration", () => {
    const json = (r: { stdout: string }) => JSON.parse(r.stdout).reports[0] as FindingReport;
    const stdin = spawnCustoms(["dockerfile", "lint", "-o", "json", "-"], { input: SECRET });
    expect(stdin.status).toBe(1);
    expect(json(stdin).findings.map((f) => [f.location?.path, f.ruleId])).toEqual([
      ["<stdin>", "CD003"],
      ["<stdin>", "CD019"],
    ]);
    // .customs/dockerfile.yaml in the working folder turns CD003 off.
    const inDir = spawnCustoms(["dockerfile", "lint", "-o", "json", "secret"], { cwd: dir });
    expect(json(inDir).findings.map((f) => [f.location?.path, f.ruleId])).toEqual([
      [join("secret", "Dockerfile"), "CD019"],
    ]);
  });
});

import { spawnSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { bashCompletion, fishCompletion, zshCompletion } from "../src/cli/commands/completion.js";
import { buildProgram } from "../src/cli/main.js";
import { customsInProcess, tempFiles } from "./support/cli.js";

const files = tempFiles({
  "bad.yaml": "kind: Pod\nspec: [\n",
  "ok.yaml":
    "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: a, image: nginx}]}\n",
  "policy.yaml":
    "apiVersion: customs.dev/v1alpha1\nkind: ImagePolicy\nmetadata: {name: latest}\nspec: {recipe: block-latest-tag}\n",
  "report.json": "{not json",
  "secrets.yaml": "detectors: [\n",
});
afterAll(files.cleanup);
const at = (name: string) => `${files.dir}/${name}`;

/** The one JSON error a failing command prints on standard error under -o json. */
function errorOf(stderr: string): { code: string; message: string; details?: unknown } {
  const lines = stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0] as string).error;
}

describe("errors under -o json", () => {
  const cases: { name: string; args: string[]; code: string; message?: string }[] = [
    {
      name: "check, malformed YAML",
      args: ["check", "-o", "json", "-p", at("policy.yaml"), at("bad.yaml")],
      code: "YAML_INVALID",
      message: "bad.yaml: document 0 (line 3",
    },
    {
      name: "check, a missing required option",
      args: ["check", "--output=json", at("ok.yaml")],
      code: "USAGE",
      message: "--policy",
    },
    {
      name: "pin, an option it does not have",
      args: ["pin", "--check", "-o", "json", at("ok.yaml")],
      code: "USAGE",
      message: "unknown option",
    },
    {
      name: "ci, no config",
      args: ["ci", "-o", "json", "-c", at("missing.yaml")],
      code: "FILE_UNREADABLE",
    },
    {
      name: "secrets scan, a malformed config",
      args: ["secrets", "scan", "-ojson", "--config", at("secrets.yaml"), at("ok.yaml")],
      code: "SECRETS_CONFIG_INVALID",
    },
    {
      name: "vuln diff, a report that is not JSON",
      args: ["vuln", "diff", "-o", "json", at("report.json"), at("report.json")],
      code: "VULN_REPORT_INVALID",
    },
    {
      name: "policy validate, malformed YAML",
      args: ["policy", "validate", "-o", "json", at("bad.yaml")],
      code: "YAML_INVALID",
    },
    {
      name: "verify, neither key nor identity",
      args: ["verify", "-o", "json", "registry.example/app:1"],
      code: "USAGE",
      message: "give --key",
    },
  ];
  it.each(cases)("$name: one JSON object with the code, exit 2", async (c) => {
    const r = await customsInProcess(c.args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    const error = errorOf(r.stderr);
    expect(error.code).toBe(c.code);
    if (c.message !== undefined) expect(error.message).toContain(c.message);
  });

  it("says where bad YAML is, as data", async () => {
    const r = await customsInProcess([
      "check",
      "-o",
      "json",
      "-p",
      at("policy.yaml"),
      at("bad.yaml"),
    ]);
    expect(errorOf(r.stderr).details).toEqual({
      source: at("bad.yaml"),
      document: 0,
      line: 3,
      column: 1,
    });
  });

  it("keeps text errors without -o json", async () => {
    const r = await customsInProcess(["check", "-p", at("policy.yaml"), at("bad.yaml")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^customs: .*bad\.yaml: document 0 \(line 3/);
  });
});

describe("one -o vocabulary", () => {
  it.each([
    [
      ["check", "-p", at("policy.yaml"), "-o", "xml", at("ok.yaml")],
      "human, json, sarif, junit, github",
    ],
    [["image", "parse", "-o", "yaml", "nginx"], "human, json"],
    [["install", "-o", "human"], "yaml, json"],
  ])("%j lists the allowed formats", async (args, allowed) => {
    const r = await customsInProcess(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`-o/--output must be one of ${allowed}`);
  });

  it("takes the old -o text as human, with a note", async () => {
    const r = await customsInProcess(["image", "parse", "-o", "text", "nginx"]);
    expect(r).toMatchObject({ status: 0, stdout: "docker.io/library/nginx\tnginx\n" });
    expect(r.stderr).toContain("-o/--output text is deprecated; use human");
  });

  it("shows examples in --help of the main commands", async () => {
    const program = await buildProgram();
    const find = (path: string[]) =>
      path.reduce((c, name) => c.commands.find((s) => s.name() === name) ?? c, program);
    for (const path of [
      ["check"],
      ["ci"],
      ["pin"],
      ["secrets", "scan"],
      ["vuln", "diff"],
      ["verify"],
    ]) {
      let help = "";
      find(path)
        .configureOutput({
          writeOut: (s) => {
            help += s;
          },
        })
        .outputHelp();
      expect(help, path.join(" ")).toContain("\nExamples:\n");
    }
  });
});

const fullProgram = await buildProgram();

describe("customs completion", () => {
  const program = fullProgram;
  const bash = bashCompletion(program);

  function complete(words: string[]): string[] {
    const script = `${bash}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _customs_completion; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const r = spawnSync("bash", ["-c", script], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    return r.stdout.split("\n").filter((l) => l !== "");
  }

  it("prints a bash script that parses", () => {
    const r = spawnSync("bash", ["-n"], { input: bash, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
  });

  it("completes commands, subcommands, options and -o formats", () => {
    expect(complete(["customs", ""])).toEqual(
      expect.arrayContaining(["check", "ci", "pin", "secrets", "vuln", "completion"]),
    );
    expect(complete(["customs", "registry", "account", ""])).toEqual(
      expect.arrayContaining(["add", "remove", "list"]),
    );
    expect(complete(["customs", "check", "--fa"])).toEqual(["--facts-timeout", "--fail-on"]);
    expect(complete(["customs", "check", "-o", ""])).toEqual([
      "human",
      "json",
      "sarif",
      "junit",
      "github",
      "policyreport",
    ]);
    expect(complete(["customs", "install", "--output", ""])).toEqual(["yaml", "json"]);
  });

  it("prints zsh and fish scripts from the same tree", () => {
    expect(zshCompletion(program)).toContain("bashcompinit");
    const fish = fishCompletion(program);
    expect(fish).toContain("-a check");
    expect(fish).toContain("-l output -x -a 'human json sarif junit github'");
  });

  it("refuses an unknown shell", async () => {
    const r = await customsInProcess(["completion", "tcsh"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("bash, zsh, fish");
  });
});

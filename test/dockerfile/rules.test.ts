// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfiles use ${VAR} substitution
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type BasePolicy,
  DOCKERFILE_RULES,
  evaluateDockerfile,
  parseDockerfile,
} from "../../src/core/dockerfile/index.js";
import { createEvaluator, toNamespaceFacts } from "../../src/core/evaluate/index.js";
import { compileDocs, policyDoc } from "../support/policies.js";

const CORPUS = join(import.meta.dirname, "corpus");

/** Only images from registry.corp.example may run in namespace `default`. */
const CORP_ONLY: BasePolicy = {
  evaluator: createEvaluator(
    compileDocs(
      policyDoc("corp-only", {
        recipe: "custom",
        input: { rules: [{ hostname: "registry.corp.example" }] },
      }),
    ),
  ),
  namespace: toNamespaceFacts("default"),
};

/** The rules a corpus file is about: `CD007.Dockerfile`, `CD009-CD011.Dockerfile`. */
function rulesOf(name: string): string[] {
  const [from, to] = [...name.matchAll(/CD(\d{3})/g)].map((m) => Number(m[1]));
  const last = name.includes(`-CD`) ? (to ?? from ?? 0) : (from ?? 0);
  const ids: string[] = [];
  for (let n = from ?? 0; n <= last; n++) ids.push(`CD${String(n).padStart(3, "0")}`);
  return ids;
}

/** `# expect CDnnn` marks the next instruction: "line rule" for each marker. */
function expected(text: string): string[] {
  const lines = text.split("\n");
  const out: string[] = [];
  lines.forEach((line, i) => {
    const m = /^# expect (CD\d{3})$/.exec(line);
    if (m === null) return;
    let j = i + 1;
    while (j < lines.length && (lines[j]?.startsWith("#") || lines[j]?.trim() === "")) j++;
    out.push(`${j + 1} ${m[1]}`);
  });
  return out.sort();
}

const files = readdirSync(CORPUS).filter((f) => f.endsWith(".Dockerfile"));

describe("the rule corpus (true and false positives)", () => {
  it("has a corpus file for every rule", () => {
    const covered = new Set(files.flatMap(rulesOf));
    expect(DOCKERFILE_RULES.map((r) => r.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  it.each(files)("%s", (name) => {
    const text = readFileSync(join(CORPUS, name), "utf8");
    const rules = rulesOf(name);
    const findings = evaluateDockerfile(parseDockerfile(text, name), name, { policy: CORP_ONLY });
    const got = findings
      .filter((f) => rules.includes(f.ruleId))
      .map((f) => `${f.location?.line} ${f.ruleId}`)
      .sort();
    expect(got).toEqual(expected(text).filter((e) => rules.includes(e.split(" ")[1] ?? "")));
  });
});

describe("findings", () => {
  const lint = (text: string) =>
    evaluateDockerfile(parseDockerfile(text, "Dockerfile"), "Dockerfile", {
      fingerprint: (seed) => seed.replace(/\n/g, "|"),
    });

  it("carry the rule's severity, fix, file, line and column, and a stable fingerprint", () => {
    const text = "FROM alpine:3.19\nUSER app\nENV X=1 API_TOKEN=abc\n";
    const [finding] = lint(text).filter((f) => f.ruleId === "CD019");
    expect(finding).toMatchObject({
      tool: "dockerfile",
      severity: "high",
      location: { path: "Dockerfile", line: 3, column: 9 },
      fix: expect.stringContaining("--mount=type=secret"),
    });
    // The value is never repeated.
    expect(JSON.stringify(finding)).not.toContain("abc");
    expect(finding?.fingerprint).toBe(
      // The instruction's text (and so the value) is not part of a secret finding's identity.
      "CD019|Dockerfile|ENV|ENV API_TOKEN is set to a literal value (not shown)",
    );
    const moved = lint(`# a new first line\n${text}`).find((f) => f.ruleId === "CD019");
    expect(moved?.fingerprint).toBe(finding?.fingerprint);
    expect(moved?.location?.line).toBe(4);
  });

  it("a warn policy is medium, a deny policy high; the policy is named", () => {
    const warn: BasePolicy = {
      evaluator: createEvaluator(
        compileDocs(policyDoc("no-latest", { recipe: "block-latest-tag", action: "warn" })),
      ),
      namespace: toNamespaceFacts("default"),
    };
    const text = "FROM alpine:latest\nUSER app\n";
    const found = (policy: BasePolicy) =>
      evaluateDockerfile(parseDockerfile(text, "D"), "D", { policy }).filter(
        (f) => f.ruleId === "CD004",
      );
    expect(found(warn).map((f) => [f.severity, f.properties?.policy])).toEqual([
      ["medium", "no-latest"],
    ]);
    expect(found(CORP_ONLY).map((f) => [f.severity, f.properties?.policy])).toEqual([
      ["high", "corp-only"],
    ]);
  });

  it("judges base images in the namespace given: a policy scoped elsewhere does not apply", () => {
    const scoped = compileDocs(
      policyDoc("team-a-only", {
        recipe: "custom",
        namespace: "team-a",
        input: { rules: [{ hostname: "registry.corp.example" }] },
      }),
    );
    const judge = (ns: string) =>
      evaluateDockerfile(parseDockerfile("FROM alpine:3.19\nUSER app\n", "D"), "D", {
        policy: { evaluator: createEvaluator(scoped), namespace: toNamespaceFacts(ns) },
      }).filter((f) => f.ruleId === "CD004").length;
    expect([judge("team-a"), judge("default")]).toEqual([1, 0]);
  });
});

describe("docs/dockerfile.md", () => {
  it("lists every rule with its name and severity, and nothing else", () => {
    const docs = readFileSync(join(import.meta.dirname, "../../docs/dockerfile.md"), "utf8");
    const rows = [...docs.matchAll(/^\| `(CD\d{3})` \| ([a-z-]+) \| (\w+) \|/gm)].map((m) =>
      [m[1], m[2], m[3]].join(" "),
    );
    expect(rows).toEqual(DOCKERFILE_RULES.map((r) => `${r.id} ${r.name} ${r.severity}`));
  });
});

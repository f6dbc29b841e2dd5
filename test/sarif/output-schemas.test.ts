import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { toFindingsJunit } from "../../src/cli/output/findings-junit.js";
import { summarizeFindings } from "../../src/core/findings/index.js";
import { type Finding, type FindingReport, SEVERITIES } from "../../src/core/findings/types.js";
import { plant } from "../secrets/corpus.js";
import { customs, ROOT, tempFiles } from "../support/cli.js";

// The schemas are vendored with their sources and licences: test/fixtures/schemas/README.md.
const SCHEMAS = join(ROOT, "test/fixtures/schemas");
const JUNIT_XSD = join(SCHEMAS, "junit-10.xsd");

// The SARIF schema is draft-07, Ajv's default dialect. ajv-formats is not installed, so the
// three formats the schema uses are checked here by the rules of RFC 3986 and RFC 3339.
// `unicodeRegExp: false`: the schema's pattern for `language` has a stray `]` that JavaScript
// refuses only in unicode mode; JSON Schema patterns are ECMA 262 without the `u` flag anyway.
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
ajv.addFormat("uri", (s: string) => /^[A-Za-z][A-Za-z0-9+.-]*:/.test(s) && URL.canParse(s));
ajv.addFormat("uri-reference", (s: string) => URL.canParse(s, "file:///base/"));
ajv.addFormat("date-time", (s: string) =>
  /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(s),
);
const validateSarif = ajv.compile(
  JSON.parse(readFileSync(join(SCHEMAS, "sarif-schema-2.1.0.json"), "utf8")),
);

interface SarifLog {
  runs: Array<{ results: Array<{ partialFingerprints?: Record<string, string> }> }>;
}

function expectValidSarif(text: string): SarifLog {
  const log = JSON.parse(text);
  validateSarif(log);
  expect(validateSarif.errors ?? []).toEqual([]);
  return log;
}

const HAS_XMLLINT = spawnSync("xmllint", ["--version"]).status === 0;

function expectValidJunit(xml: string): void {
  const r = spawnSync("xmllint", ["--noout", "--schema", JUNIT_XSD, "-"], {
    input: xml,
    encoding: "utf8",
  });
  expect(r.stderr).toBe("- validates\n");
  expect(r.status).toBe(0);
}

const POLICY = `apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: { name: no-busybox }
spec:
  recipe: blocked-images
  input:
    rules: [{ imageName: busybox }]
`;
const deployment = (name: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name} }
spec:
  template:
    spec:
      containers: [{ name: server, image: "busybox:latest" }]
`;
const vuln = (name: string) => readFileSync(join(ROOT, "test/vuln/fixtures", name), "utf8");
const secret = plant("square-access-token", 41);

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
  "deploy/cartservice.yaml": deployment("server"),
  "deploy/redis.yaml": deployment("server"),
  "clean/ok.yaml": `apiVersion: v1
kind: Pod
metadata: { name: ok }
spec:
  containers: [{ name: a, image: "alpine:3.20" }]
`,
  "app/Dockerfile": "FROM busybox\nRUN apt-get update\nRUN apt-get update\n",
  "clean/Dockerfile": `FROM alpine:3.20@sha256:${"0".repeat(64)}\nUSER 10001\nCMD ["sh"]\n`,
  "scans/main.json": vuln("trivy-base.json"),
  "scans/pr.json": vuln("trivy-new.json"),
  "leak/config.env": `${secret.line}\n`,
  "clean/notes.txt": "nothing here\n",
});
afterAll(repo.cleanup);

// Every producer, with findings and without: [name, arguments after the format].
const PRODUCERS: Array<[string, string[], "findings" | "empty"]> = [
  ["check (two files)", ["check", "-p", "policies", "deploy"], "findings"],
  ["check, all allowed", ["check", "-p", "policies", "clean/ok.yaml"], "empty"],
  ["ci", ["ci"], "findings"],
  ["secrets scan", ["secrets", "scan", "leak"], "findings"],
  ["secrets scan, nothing found", ["secrets", "scan", "clean/notes.txt"], "empty"],
  ["dockerfile lint", ["dockerfile", "lint", "app/Dockerfile"], "findings"],
  ["dockerfile lint, clean", ["dockerfile", "lint", "clean/Dockerfile"], "empty"],
  ["vuln diff", ["vuln", "diff", "scans/main.json", "scans/pr.json"], "findings"],
  ["vuln diff, nothing new", ["vuln", "diff", "scans/pr.json", "scans/pr.json"], "empty"],
];

function run(format: string, args: string[]): string {
  const r = customs([...args, "-o", format], { cwd: repo.dir });
  expect(r.stderr).toBe("");
  expect([0, 1]).toContain(r.status);
  return r.stdout;
}

describe("SARIF output validates against the OASIS SARIF 2.1.0 schema", () => {
  it.each(PRODUCERS)("%s", (_name, args, expected) => {
    const log = expectValidSarif(run("sarif", args));
    const results = log.runs.flatMap((r) => r.results);
    if (expected === "empty") expect(results).toEqual([]);
    else expect(results.length).toBeGreaterThan(0);
    // Code scanning merges results of one run that share a fingerprint into one alert.
    for (const r of log.runs) {
      const fingerprints = r.results.map((x) => JSON.stringify(x.partialFingerprints));
      expect(new Set(fingerprints).size).toBe(fingerprints.length);
    }
  });

  it("the schema is really applied: a log without runs is refused", () => {
    expect(validateSarif({ version: "2.1.0" })).toBe(false);
    expect(validateSarif({ version: "2.1.0", runs: [{ tool: { driver: {} } }] })).toBe(false);
  });
});

describe.skipIf(!HAS_XMLLINT)(
  "JUnit output validates against Jenkins' JUnit schema (needs xmllint, Debian libxml2-utils)",
  () => {
    it.each(PRODUCERS)("%s", (_name, args) => {
      expectValidJunit(run("junit", args));
    });

    it("the schema is really applied: a testcase without a name is refused", () => {
      const r = spawnSync("xmllint", ["--noout", "--schema", JUNIT_XSD, "-"], {
        input:
          '<testsuites><testsuite name="x" tests="1" failures="0" errors="0"><testcase/></testsuite></testsuites>',
        encoding: "utf8",
      });
      expect(r.status).not.toBe(0);
    });

    it("any findings, any text, render as valid JUnit", () => {
      const finding: fc.Arbitrary<Finding> = fc.record(
        {
          tool: fc.constantFrom("check", "dockerfile", "secrets", "vuln"),
          ruleId: fc.string({ minLength: 1, maxLength: 20 }),
          severity: fc.constantFrom(...SEVERITIES),
          message: fc.string({ maxLength: 80, unit: "binary" }),
          location: fc.record(
            { path: fc.string({ minLength: 1, maxLength: 30, unit: "binary" }), line: fc.nat() },
            { requiredKeys: ["path"] },
          ),
          fix: fc.string({ maxLength: 40 }),
        },
        { requiredKeys: ["tool", "ruleId", "severity", "message"] },
      );
      const report: fc.Arbitrary<FindingReport> = fc.record({
        tool: fc.constantFrom("check", "dockerfile", "secrets", "vuln"),
        findings: fc.array(finding, { maxLength: 6 }),
        rules: fc.constant([]),
      });
      fc.assert(
        fc.property(fc.array(report, { maxLength: 4 }), (reports) => {
          expectValidJunit(toFindingsJunit(reports, summarizeFindings(reports, "high")));
        }),
        { numRuns: 25 },
      );
    });
  },
);

import fc from "fast-check";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { toFindingsGithub } from "../../src/cli/output/findings-github.js";
import { toFindingsHuman } from "../../src/cli/output/findings-human.js";
import { toFindingsJunit } from "../../src/cli/output/findings-junit.js";
import { toFindingsSarif } from "../../src/cli/output/findings-sarif.js";
import { createStyle } from "../../src/cli/output/style.js";
import { describeSummary, isFailing, summarizeFindings } from "../../src/core/findings/index.js";
import {
  type Finding,
  type FindingReport,
  SEVERITIES,
  type Severity,
} from "../../src/core/findings/types.js";

const plain = createStyle({ isTTY: false } as NodeJS.WriteStream, {});

const severity = fc.constantFrom(...SEVERITIES);
const finding: fc.Arbitrary<Finding> = fc.record(
  {
    tool: fc.constantFrom("check", "dockerfile", "secrets", "vuln"),
    ruleId: fc.string({ minLength: 1, maxLength: 20 }),
    severity,
    message: fc.string({ maxLength: 200 }),
    location: fc.record(
      {
        path: fc.string({ minLength: 1, maxLength: 40 }),
        line: fc.integer({ min: 1, max: 10_000 }),
        column: fc.integer({ min: 1, max: 300 }),
        commit: fc.stringMatching(/^[0-9a-f]{40}$/),
      },
      { requiredKeys: ["path"] },
    ),
    fix: fc.string({ maxLength: 80 }),
  },
  { requiredKeys: ["tool", "ruleId", "severity", "message"] },
);
const report: fc.Arbitrary<FindingReport> = fc.record({
  tool: fc.constantFrom("check", "dockerfile", "secrets", "vuln"),
  findings: fc.array(finding, { maxLength: 8 }),
  rules: fc.constant([]),
});

function one(severity: Severity, extra: Partial<Finding> = {}): Finding {
  return {
    tool: "dockerfile",
    ruleId: "CD001",
    severity,
    message: "FROM ubuntu has no tag",
    location: { path: "Dockerfile", line: 3, column: 1 },
    fix: "FROM ubuntu:24.04@sha256:…",
    ...extra,
  };
}

describe("--fail-on", () => {
  it.each([
    ["info", ["info", "low", "high"], 3],
    ["low", ["info", "low", "high"], 2],
    ["high", ["info", "medium", "high", "critical"], 2],
    ["critical", ["high", "high"], 0],
  ] as const)("fail on %s over %j counts %d failing", (failOn, severities, failing) => {
    const r: FindingReport = {
      tool: "dockerfile",
      rules: [],
      findings: severities.map((s) => one(s)),
    };
    expect(summarizeFindings([r], failOn).failing).toBe(failing);
  });

  it("failing is exactly the findings at or above the threshold, for any mix", () => {
    fc.assert(
      fc.property(fc.array(report, { maxLength: 4 }), severity, (reports, failOn) => {
        const s = summarizeFindings(reports, failOn);
        const all = reports.flatMap((r) => r.findings);
        expect(s.total).toBe(all.length);
        expect(s.failing).toBe(
          all.filter((f) => SEVERITIES.indexOf(f.severity) >= SEVERITIES.indexOf(failOn)).length,
        );
        expect(Object.values(s.bySeverity).reduce((a, b) => a + b, 0)).toBe(all.length);
      }),
    );
  });

  it("describes the counts from the most severe down", () => {
    const r: FindingReport = {
      tool: "vuln",
      rules: [],
      findings: [one("low"), one("critical"), one("low")],
    };
    expect(describeSummary(summarizeFindings([r], "high"))).toBe("3 findings: 1 critical, 2 low");
    expect(describeSummary(summarizeFindings([], "high"))).toBe("no findings");
    expect(isFailing("medium", "medium")).toBe(true);
  });
});

describe("GitHub annotations", () => {
  it("maps severities to error / warning / notice and places the file, line and column", () => {
    const r: FindingReport = {
      tool: "dockerfile",
      rules: [],
      findings: [one("high"), one("medium"), one("info")],
    };
    const out = toFindingsGithub([r], summarizeFindings([r], "high")).split("\n");
    expect(out[0]).toBe(
      "::error file=Dockerfile,line=3,col=1,title=CD001 (high)::FROM ubuntu has no tag%0AFix: FROM ubuntu:24.04@sha256:…",
    );
    expect(out[1]?.startsWith("::warning ")).toBe(true);
    expect(out[2]?.startsWith("::notice ")).toBe(true);
  });

  it("a hostile message or path can never start a workflow command of its own", () => {
    fc.assert(
      fc.property(fc.array(report, { maxLength: 3 }), severity, (reports, failOn) => {
        const text = toFindingsGithub(reports, summarizeFindings(reports, failOn));
        const lines = text.trimEnd().split("\n");
        const total = reports.reduce((n, r) => n + r.findings.length, 0);
        // One line per finding plus the summary: no injected newline survived.
        expect(lines.length).toBe(total + 1);
        for (const line of lines.slice(0, total))
          expect(line).toMatch(/^::(error|warning|notice) /);
      }),
    );
    const evil = one("high", {
      message: "x\n::add-mask::secret",
      location: { path: "a,b:c", line: 1 },
    });
    const text = toFindingsGithub(
      [{ tool: "secrets", rules: [], findings: [evil] }],
      summarizeFindings([], "high"),
    );
    expect(text).toContain("file=a%2Cb%3Ac,");
    expect(text).toContain("x%0A::add-mask::secret");
  });

  it("image and history findings are named in the message, not attached to a repository file", () => {
    const f = one("critical", {
      location: { path: "app/.env", line: 2, image: "reg/app:1", layer: "sha256:abc" },
    });
    const text = toFindingsGithub(
      [{ tool: "secrets", rules: [], findings: [f] }],
      summarizeFindings([], "high"),
    );
    expect(text).not.toContain("file=");
    expect(text).toContain("::reg/app:1: app/.env: FROM ubuntu");
  });
});

describe("JUnit XML", () => {
  it("is well-formed for any finding text, with a failure per finding at or above --fail-on", () => {
    fc.assert(
      fc.property(fc.array(report, { maxLength: 3 }), severity, (reports, failOn) => {
        const summary = summarizeFindings(reports, failOn);
        const xml = toFindingsJunit(reports, summary);
        expect(XMLValidator.validate(xml)).toBe(true);
        const failures = (xml.match(/<failure /g) ?? []).length;
        expect(failures).toBe(summary.failing);
      }),
    );
  });

  it("a clean tool still shows as one passing test", () => {
    const xml = toFindingsJunit(
      [{ tool: "secrets", rules: [], findings: [] }],
      summarizeFindings([], "high"),
    );
    const doc = new XMLParser({ ignoreAttributes: false }).parse(xml);
    expect(doc.testsuites.testsuite["@_name"]).toBe("customs secrets scan");
    expect(doc.testsuites.testsuite.testcase["@_name"]).toBe("no findings");
    expect(doc.testsuites["@_failures"]).toBe("0");
  });
});

describe("SARIF", () => {
  it("one run per tool; each result's ruleIndex names its rule; levels and scores follow severity", () => {
    const reports: FindingReport[] = [
      {
        tool: "dockerfile",
        rules: [
          { id: "CD002", name: "from-latest", severity: "high", summary: "FROM uses latest" },
        ],
        findings: [one("medium", { ruleId: "CD001" }), one("high", { ruleId: "CD002" })],
      },
      {
        tool: "secrets",
        rules: [],
        findings: [
          one("critical", {
            ruleId: "stripe-secret-key",
            location: { path: "x", image: "r/a:1", layer: "sha256:1" },
          }),
        ],
      },
    ];
    const sarif = toFindingsSarif(reports, "9.9.9") as {
      runs: {
        tool: {
          driver: { name: string; rules: { id: string; properties: Record<string, string> }[] };
        };
        results: { ruleId: string; ruleIndex: number; level: string; locations: unknown[] }[];
      }[];
    };
    expect(sarif.runs.map((r) => r.tool.driver.name)).toEqual([
      "customs dockerfile lint",
      "customs secrets scan",
    ]);
    for (const run of sarif.runs) {
      for (const res of run.results) {
        expect(run.tool.driver.rules[res.ruleIndex]?.id).toBe(res.ruleId);
      }
    }
    expect(sarif.runs[0]?.results.map((r) => r.level)).toEqual(["warning", "error"]);
    expect(sarif.runs[0]?.tool.driver.rules[1]?.properties["security-severity"]).toBe("8.0");
    expect(JSON.stringify(sarif.runs[1]?.results[0]?.locations)).toContain('"uri":"r/a:1/x"');
  });
});

describe("human", () => {
  it("escapes control characters from scanned input and says whether the run failed", () => {
    const f = one("high", { message: "evil \u001b[31mred" });
    const r: FindingReport = { tool: "dockerfile", rules: [], findings: [f] };
    const out = toFindingsHuman([r], summarizeFindings([r], "high"), plain);
    expect(out).not.toContain("\u001b");
    expect(out).toContain("Dockerfile:3:1  HIGH     CD001");
    expect(out).toContain("    fix: FROM ubuntu:24.04@sha256:…");
    expect(out.trimEnd().split("\n").at(-1)).toBe("1 finding: 1 high; failed: 1 at or above high");
  });
});

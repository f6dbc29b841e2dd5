import { afterAll, describe, expect, it } from "vitest";
import type { FindingReport } from "../../src/core/findings/types.js";
import { customs, customsInProcess, tempFiles } from "../support/cli.js";
import { fixture, fixturePath } from "./fixture.js";

const BASE = fixturePath("trivy-base.json");
const NEW = fixturePath("trivy-new.json");
const GRYPE = fixturePath("grype.json");

async function diffJson(args: string[]) {
  const r = await customsInProcess(["vuln", "diff", "-o", "json", ...args]);
  return {
    ...r,
    report: r.stdout ? (JSON.parse(r.stdout).reports[0] as FindingReport) : undefined,
  };
}

describe("customs vuln diff", () => {
  it("reports what is new or more severe in NEW, as findings of the vuln tool", async () => {
    const { status, report } = await diffJson([BASE, NEW]);
    expect(status).toBe(1);
    expect(report?.tool).toBe("vuln");
    expect(report?.findings.map((f) => [f.ruleId, f.severity, f.properties?.change])).toEqual([
      ["CVE-2023-45853", "critical", "raised"],
      ["CVE-2024-29041", "medium", "added"],
      ["GHSA-9wv6-86v2-598j", "high", "added"],
    ]);
    const express = report?.findings[1];
    expect(express?.message).toBe(
      "express 4.18.2: CVE-2024-29041: new medium vulnerability; fixed in 4.19.2, 5.0.0-beta.3 (express: cause malformed URLs to be evaluated)",
    );
    expect(express?.location).toEqual({ path: NEW, image: "registry.example.com/shop/api:1.5.0" });
    expect(express?.fix).toBe("upgrade express to 4.19.2 or later");
    expect(report?.findings[0]?.message).toContain(
      "severity rose from medium to critical; no fix known",
    );
    expect(report?.rules.map((r) => r.id)).toEqual([
      "CVE-2023-45853",
      "CVE-2024-29041",
      "GHSA-9wv6-86v2-598j",
    ]);
    expect(report?.rules[2]?.helpUri).toBe("https://github.com/advisories/GHSA-9wv6-86v2-598j");
  });

  it("compares across formats, matching a GHSA to its CVE alias", async () => {
    // Grype knows path-to-regexp by GHSA with CVE-2024-45296 as alias, Trivy by the same GHSA.
    const { report } = await diffJson([GRYPE, NEW]);
    expect(report?.findings.map((f) => `${f.ruleId} ${f.severity}`)).toEqual([
      "CVE-2023-45853 critical",
      "CVE-2011-3374 info",
      "CVE-2024-29041 medium",
    ]);
  });

  it.each([
    // New in grype.json against trivy-new.json: only CVE-2024-0001 of unknown severity (info).
    [[], 0],
    [["--fail-on", "info"], 1],
    [["--fail-on", "none"], 0],
  ])("exit code with %j for an info-only difference: %d", async (flags, code) => {
    const { status, report } = await diffJson([...flags, NEW, GRYPE]);
    expect(report?.findings.map((f) => `${f.ruleId} ${f.severity}`)).toEqual([
      "CVE-2024-0001 info",
    ]);
    expect(status).toBe(code);
  });

  it.each([
    ["critical", 1],
    ["high", 1],
    ["low", 1],
  ])("--fail-on %s with a critical finding exits %d", async (level, code) => {
    expect((await diffJson(["--fail-on", level, BASE, NEW])).status).toBe(code);
  });

  it("finds nothing in a report against itself, in any format", async () => {
    for (const f of [
      "grype.json",
      "trivy.sarif",
      "cosign-trivy.dsse.json",
      "harbor-additions.json",
    ]) {
      const { status, report } = await diffJson([fixturePath(f), fixturePath(f)]);
      expect([f, status, report?.findings]).toEqual([f, 0, []]);
    }
  });

  it("prints one line per finding, with its fix, for a person", async () => {
    const r = await customsInProcess(["vuln", "diff", BASE, NEW]);
    const lines = r.stdout.split("\n");
    expect(lines).toContain(
      `${NEW}  HIGH     GHSA-9wv6-86v2-598j  path-to-regexp 0.1.7: GHSA-9wv6-86v2-598j: new high vulnerability; fixed in 0.1.10`.replace(
        `${NEW}`,
        `registry.example.com/shop/api:1.5.0: ${NEW}`,
      ),
    );
    expect(lines).toContain("    fix: upgrade path-to-regexp to 0.1.10 or later");
    expect(r.stdout).toContain(
      "3 findings: 1 critical, 1 high, 1 medium; failed: 3 at or above low",
    );
  });
});

describe("bad input exits 2 with a message naming the file", () => {
  const files = tempFiles({
    "broken.json": '{"SchemaVersion": 2,\n "Results": [',
    "wrong.json": '{"matches": [{"vulnerability": {"id": 5}, "artifact": {"name": "x"}}]}',
    "pod.json": '{"kind": "Pod"}',
  });
  afterAll(files.cleanup);
  const at = (name: string) => `${files.dir}/${name}`;

  it.each([
    ["a missing file", () => [BASE, at("nope.json")], "nope.json: cannot read: ENOENT"],
    ["a folder", () => [files.dir, NEW], "is a folder, not a report file"],
    ["truncated JSON", () => [at("broken.json"), NEW], "broken.json:2:14: not JSON"],
    [
      "a wrong field",
      () => [BASE, at("wrong.json")],
      "wrong.json:1:39: Grype report: $.matches[0].vulnerability.id",
    ],
    ["not a report", () => [at("pod.json"), NEW], "pod.json: not a vulnerability report"],
    ["two standard inputs", () => ["-", "-"], "only one of BASE and NEW"],
    ["a bad --fail-on", () => ["--fail-on", "severe", BASE, NEW], "--fail-on must be one of"],
    ["a bad --output", () => ["-o", "xml", BASE, NEW], "--output must be one of human, json"],
  ])("%s", async (_name, args, message) => {
    const r = await customsInProcess(["vuln", "diff", ...args()]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe("");
  });

  it("a missing argument is a usage error", async () => {
    expect((await customsInProcess(["vuln", "diff", BASE])).status).toBe(2);
  });
});

describe("customs vuln show", () => {
  it("prints the normalized report as JSON", async () => {
    const r = await customsInProcess(["vuln", "show", "-o", "json", fixturePath("grype.sarif")]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      scanner: "sarif:grype",
      vulnerabilities: [
        {
          id: "GHSA-9wv6-86v2-598j",
          aliases: [],
          severity: "high",
          package: "path-to-regexp",
          installedVersion: "0.1.7",
          fixedVersions: ["0.1.10"],
          title: "GHSA-9wv6-86v2-598j high vulnerability for path-to-regexp package",
        },
        {
          id: "CVE-2023-45853",
          aliases: [],
          severity: "negligible",
          package: "zlib1g",
          installedVersion: "1:1.2.13.dfsg-1",
          fixedVersions: [],
          title: "CVE-2023-45853 negligible vulnerability for zlib1g package",
        },
      ],
    });
  });

  it("prints JSON that vuln diff reads back", async () => {
    const shown = await customsInProcess(["vuln", "show", "-o", "json", BASE]);
    const saved = tempFiles({ "base.customs.json": shown.stdout });
    try {
      const { status, report } = await diffJson([`${saved.dir}/base.customs.json`, NEW]);
      expect(status).toBe(1);
      expect(report?.findings.map((f) => f.ruleId)).toEqual([
        "CVE-2023-45853",
        "CVE-2024-29041",
        "GHSA-9wv6-86v2-598j",
      ]);
    } finally {
      saved.cleanup();
    }
  });

  it("prints a table as text", async () => {
    const r = await customsInProcess(["vuln", "show", fixturePath("harbor-additions.json")]);
    expect(r.stdout.split("\n").slice(0, 2)).toEqual([
      "harbor:trivy (shop/api@sha256:0f3a1bd8c0e2b1d7a9f5e8c4b3a2d1e0f9c8b7a6d5e4c3b2a1f0e9d8c7b6a5f4, 2026-11-20T09:40:02.51Z): 4 vulnerabilities",
      "critical\tCVE-2023-45853\tzlib1g\t1:1.2.13.dfsg-1\t-",
    ]);
  });
});

describe("the built CLI reads a report from standard input", () => {
  it("vuln diff BASE - exits 1 and names - as the location", () => {
    const r = customs(["vuln", "diff", "-o", "json", BASE, "-"], {
      input: fixture("trivy-new.json"),
    });
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout).reports[0] as FindingReport;
    expect(report.findings.map((f) => f.location?.path)).toEqual(["-", "-", "-"]);
  });

  it("vuln show - with garbage exits 2 naming standard input", () => {
    const r = customs(["vuln", "show", "-"], { input: "\u0000garbage" });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^customs: -(:1:1)?: not JSON/);
    // The quoted input is escaped: no control character reaches the terminal.
    expect(r.stderr).not.toContain("\u0000");
  });
});

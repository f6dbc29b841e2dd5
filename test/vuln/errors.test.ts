import { describe, expect, it } from "vitest";
import { parseVulnerabilityReportText } from "../../src/app/vuln/read.js";
import { CustomsError } from "../../src/core/errors.js";
import { parseVulnerabilityReport } from "../../src/core/vuln/index.js";
import { fixture } from "./fixture.js";

function failure(text: string, name = "report.json"): CustomsError {
  try {
    parseVulnerabilityReportText(text, name);
  } catch (e) {
    if (e instanceof CustomsError) return e;
    throw e;
  }
  throw new Error("expected an error");
}

const trivy = (results: unknown) => JSON.stringify({ SchemaVersion: 2, Results: results }, null, 2);
const vuln = { VulnerabilityID: "CVE-1", PkgName: "p", InstalledVersion: "1" };
const b64 = (value: unknown) => btoa(JSON.stringify(value));

describe("reports of the wrong shape: a clear error naming file, line and JSON path", () => {
  it.each([
    ["not JSON", "{ nope", "VULN_REPORT_INVALID", "report.json:1:3: not JSON"],
    [
      "truncated",
      '{"SchemaVersion": 2,\n "Results": [',
      "VULN_REPORT_INVALID",
      "report.json:2:14: not JSON",
    ],
    ["empty", "", "VULN_REPORT_INVALID", "report.json:1:1: not JSON"],
    ["a list", "[]", "VULN_REPORT_UNKNOWN_FORMAT", "report.json: not a vulnerability report"],
    ["null", "null", "VULN_REPORT_UNKNOWN_FORMAT", "not a vulnerability report"],
    [
      "other JSON",
      '{"kind":"Pod"}',
      "VULN_REPORT_UNKNOWN_FORMAT",
      "expected Trivy JSON, Grype JSON",
    ],
    [
      "Trivy schema 1",
      '{"SchemaVersion": 1, "Results": []}',
      "VULN_REPORT_INVALID",
      "report.json:1:19: Trivy report: $.SchemaVersion: expected 2, got 1",
    ],
    [
      "Trivy package name a number",
      trivy([{ Target: "t", Vulnerabilities: [vuln, { ...vuln, PkgName: 7 }] }]),
      "VULN_REPORT_INVALID",
      "report.json:14:22: Trivy report: $.Results[0].Vulnerabilities[1].PkgName: expected a string, got number 7",
    ],
    [
      "Trivy ID missing (reported where its parent is)",
      trivy([{ Vulnerabilities: [{ PkgName: "p" }] }]),
      "VULN_REPORT_INVALID",
      "report.json:6:9: Trivy report: $.Results[0].Vulnerabilities[0].VulnerabilityID: expected a string, got nothing (the field is missing)",
    ],
    [
      "Trivy Results an object",
      '{"SchemaVersion": 2, "Results": {}}',
      "VULN_REPORT_INVALID",
      "$.Results: expected a list, got an object",
    ],
    [
      "Grype matches not a list",
      '{"matches": 3}',
      "VULN_REPORT_INVALID",
      "Grype report: $.matches",
    ],
    [
      "Grype match without artifact",
      '{"matches": [{"vulnerability": {"id": "CVE-1"}}]}',
      "VULN_REPORT_INVALID",
      "$.matches[0].artifact: expected an object, got nothing",
    ],
    [
      "Grype empty package name",
      '{"matches": [{"vulnerability": {"id": "CVE-1"}, "artifact": {"name": " "}}]}',
      "VULN_REPORT_INVALID",
      "$.matches[0].artifact.name: must not be empty",
    ],
    [
      "SARIF 2.0",
      '{"version": "2.0.0", "runs": []}',
      "VULN_REPORT_INVALID",
      'SARIF report: $.version: expected "2.1.0"',
    ],
    [
      "SARIF run without a tool",
      '{"version": "2.1.0", "runs": [{"results": []}]}',
      "VULN_REPORT_INVALID",
      "$.runs[0].tool: expected an object",
    ],
    [
      "SARIF result without a rule",
      '{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"message": {"text": "m"}}]}]}',
      "VULN_REPORT_INVALID",
      "$.runs[0].results[0].ruleId: no rule ID",
    ],
    [
      "in-toto statement of another predicate",
      '{"predicateType": "https://slsa.dev/provenance/v1", "predicate": {}}',
      "VULN_REPORT_INVALID",
      "$.predicateType: expected https://cosign.sigstore.dev/attestation/vuln/v1",
    ],
    [
      "cosign predicate without a result",
      '{"scanner": {"uri": "pkg:github/aquasecurity/trivy@v1", "result": null}, "metadata": {}}',
      "VULN_REPORT_INVALID",
      "$.scanner.result: missing",
    ],
    [
      "cosign predicate whose result is no known report",
      '{"scanner": {"result": {"hello": 1}}}',
      "VULN_REPORT_UNKNOWN_FORMAT",
      "report.json scanner.result: not a vulnerability report",
    ],
    [
      "cosign predicate with a broken Trivy result",
      '{"scanner": {"result": {"SchemaVersion": 2, "Results": [{"Vulnerabilities": [{}]}]}}}',
      "VULN_REPORT_INVALID",
      "report.json scanner.result: Trivy report: $.Results[0].Vulnerabilities[0].VulnerabilityID",
    ],
    [
      "DSSE payload not base64",
      '{"payloadType": "application/vnd.in-toto+json", "payload": "%%%"}',
      "VULN_REPORT_INVALID",
      "DSSE envelope: $.payload: not base64-encoded UTF-8",
    ],
    [
      "DSSE payload not a statement",
      JSON.stringify({ payloadType: "application/vnd.in-toto+json", payload: b64({ a: 1 }) }),
      "VULN_REPORT_INVALID",
      "DSSE envelope: $.payload: not an in-toto statement",
    ],
    [
      "Customs report with a strange severity",
      '{"scanner": "trivy", "vulnerabilities": [{"id": "CVE-1", "severity": "severe"}]}',
      "VULN_REPORT_INVALID",
      "report.json:1:70: Customs report: $.vulnerabilities[0].severity: expected one of unknown, negligible",
    ],
    [
      "Harbor vulnerability without package",
      JSON.stringify({
        "application/vnd.security.vulnerability.report; version=1.1": {
          vulnerabilities: [{ id: "CVE-1", severity: "High" }],
        },
      }),
      "VULN_REPORT_INVALID",
      'Harbor report: $["application/vnd.security.vulnerability.report; version=1.1"].vulnerabilities[0].package',
    ],
  ])("%s", (_name, text, code, message) => {
    const error = failure(text);
    expect(error.code).toBe(code);
    expect(error.message).toContain(message);
  });

  it("names the DSSE payload, not a line of the file, for a wrong statement inside it", () => {
    const statement = { predicateType: "https://slsa.dev/provenance/v1", predicate: {} };
    const text = JSON.stringify({
      payloadType: "application/vnd.in-toto+json",
      payload: b64(statement),
    });
    expect(failure(text, "att.json").message).toBe(
      'att.json (DSSE payload): cosign vulnerability attestation report: $.predicateType: expected https://cosign.sigstore.dev/attestation/vuln/v1, got "https://slsa.dev/provenance/v1"',
    );
  });

  it("reports a truncated real report as not JSON, with where it ends", () => {
    const text = fixture("trivy-new.json");
    const error = failure(text.slice(0, 700), "new.json");
    expect(error.message).toMatch(/^new\.json:\d+:\d+: not JSON/);
  });

  it("reads a byte order mark and scanners' null lists", () => {
    const report = parseVulnerabilityReport(`\ufeff${trivy(null)}`, "bom.json");
    expect(report.vulnerabilities).toEqual([]);
  });
});

describe("SARIF severity without the scanner's word", () => {
  const sarif = (rule: object, result: object = {}) =>
    JSON.stringify({
      version: "2.1.0",
      runs: [
        {
          tool: { driver: { name: "Scanner", rules: [{ id: "CVE-2024-1", ...rule }] } },
          results: [{ ruleId: "CVE-2024-1", message: { text: "Package: p" }, ...result }],
        },
      ],
    });
  it.each([
    ["a security-severity score", { properties: { "security-severity": "7.1" } }, {}, "high"],
    ["a numeric score", { properties: { "security-severity": 3 } }, {}, "low"],
    ["the result level", {}, { level: "error" }, "high"],
    ["the rule's default level", { defaultConfiguration: { level: "warning" } }, {}, "medium"],
    ["nothing at all", {}, {}, "unknown"],
  ])("from %s", (_name, rule, result, severity) => {
    const report = parseVulnerabilityReport(sarif(rule, result), "s.sarif");
    expect(report.vulnerabilities.map((v) => [v.package, v.severity])).toEqual([["p", severity]]);
    expect(report.scanner).toBe("sarif:scanner");
  });
});

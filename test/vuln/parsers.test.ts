import { describe, expect, it } from "vitest";
import type { VulnerabilityReport } from "../../src/core/supply/facts.js";
import {
  detectVulnerabilityReportFormat,
  parseVulnerabilityReport,
  severityOfScore,
  toVulnerabilitySeverity,
} from "../../src/core/vuln/index.js";
import { fixture } from "./fixture.js";

/** A compact view: id, package, installed version, severity, fixes, aliases. */
function rows(report: VulnerabilityReport): string[] {
  return report.vulnerabilities.map(
    (v) =>
      `${v.id} ${v.package} ${v.installedVersion || "-"} ${v.severity} [${v.fixedVersions.join("|")}] {${v.aliases.join("|")}}`,
  );
}

const TRIVY_NEW = [
  "CVE-2024-2511 libssl3 3.0.11-1~deb12u2 low [3.0.13-1~deb12u1] {}",
  "CVE-2023-45853 zlib1g 1:1.2.13.dfsg-1 critical [] {}",
  "CVE-2011-3374 apt 2.6.1 unknown [] {}",
  // Found in two lock files: one entry, fixes of both.
  "CVE-2024-29041 express 4.18.2 medium [4.19.2|5.0.0-beta.3] {}",
  "GHSA-9wv6-86v2-598j path-to-regexp 0.1.7 high [0.1.10] {CVE-2024-45296}",
];

const GRYPE = [
  "GHSA-9wv6-86v2-598j path-to-regexp 0.1.7 high [0.1.10] {CVE-2024-45296}",
  // The related entry repeating its own ID is not an alias; wont-fix lists no fix.
  "CVE-2023-45853 zlib1g 1:1.2.13.dfsg-1 negligible [] {}",
  "CVE-2024-2511 libssl3 3.0.11-1~deb12u2 low [3.0.13-1~deb12u1] {}",
  "CVE-2024-0001 busybox 1.36.1-r2 unknown [] {}",
];

describe("each format, read from a file of its documented shape", () => {
  it.each([
    [
      "trivy-base.json",
      "trivy",
      "trivy",
      "2026-11-01T10:00:00.000000000Z",
      "registry.example.com/shop/api:1.4.0",
      [
        "CVE-2024-2511 libssl3 3.0.11-1~deb12u2 low [3.0.13-1~deb12u1] {DSA-5678-1}",
        "CVE-2023-45853 zlib1g 1:1.2.13.dfsg-1 medium [] {}",
        "CVE-2011-3374 apt 2.6.1 unknown [] {}",
      ],
    ],
    [
      "trivy-new.json",
      "trivy",
      "trivy",
      "2026-11-20T09:30:12.123456789Z",
      "registry.example.com/shop/api:1.5.0",
      TRIVY_NEW,
    ],
    [
      "grype.json",
      "grype",
      "grype",
      "2026-11-20T09:31:40.004517Z",
      "registry.example.com/shop/api:1.5.0",
      GRYPE,
    ],
    [
      "trivy.sarif",
      "sarif",
      "sarif:trivy",
      undefined,
      "registry.example.com/shop/api:1.5.0",
      [
        "CVE-2024-2511 libssl3 3.0.11-1~deb12u2 low [3.0.13-1~deb12u1] {}",
        "CVE-2024-29041 express 4.18.2 medium [4.19.2|5.0.0-beta.3] {}",
      ],
    ],
    [
      "grype.sarif",
      "sarif",
      "sarif:grype",
      undefined,
      undefined,
      [
        "GHSA-9wv6-86v2-598j path-to-regexp 0.1.7 high [0.1.10] {}",
        // Grype's own word in the message, as in its JSON, not the NVD score (9.8).
        "CVE-2023-45853 zlib1g 1:1.2.13.dfsg-1 negligible [] {}",
      ],
    ],
    [
      "cosign-trivy.intoto.json",
      "cosign-vuln",
      "cosign-vuln:trivy",
      "2026-11-20T09:30:13Z",
      "registry.example.com/shop/api@sha256:0f3a1bd8c0e2b1d7a9f5e8c4b3a2d1e0f9c8b7a6d5e4c3b2a1f0e9d8c7b6a5f4",
      TRIVY_NEW,
    ],
    [
      "cosign-trivy.dsse.json",
      "cosign-vuln",
      "cosign-vuln:trivy",
      "2026-11-20T09:30:13Z",
      "registry.example.com/shop/api@sha256:0f3a1bd8c0e2b1d7a9f5e8c4b3a2d1e0f9c8b7a6d5e4c3b2a1f0e9d8c7b6a5f4",
      TRIVY_NEW,
    ],
    [
      // Empty scanFinishedOn: the inner report's time; no subject: the inner artifact.
      "cosign-grype.predicate.json",
      "cosign-vuln",
      "cosign-vuln:grype",
      "2026-11-20T09:31:40.004517Z",
      "registry.example.com/shop/api:1.5.0",
      GRYPE,
    ],
    [
      "harbor-additions.json",
      "harbor",
      "harbor:trivy",
      "2026-11-20T09:40:02.51Z",
      "shop/api@sha256:0f3a1bd8c0e2b1d7a9f5e8c4b3a2d1e0f9c8b7a6d5e4c3b2a1f0e9d8c7b6a5f4",
      [
        "CVE-2023-45853 zlib1g 1:1.2.13.dfsg-1 critical [] {}",
        "CVE-2024-29041 express 4.18.2 medium [4.19.2|5.0.0-beta.3] {}",
        "CVE-2011-3374 apt 2.6.1 negligible [] {}",
        "CVE-2024-2511 libssl3 3.0.11-1~deb12u2 low [3.0.13-1~deb12u1] {}",
      ],
    ],
  ])("%s (%s)", (file, format, scanner, createdAt, artifact, expected) => {
    const text = fixture(file);
    expect(detectVulnerabilityReportFormat(JSON.parse(text))).toBe(format);
    const report = parseVulnerabilityReport(text, file);
    expect(report.scanner).toBe(scanner);
    expect(report.createdAt).toBe(createdAt);
    expect(report.artifact).toBe(artifact);
    expect(rows(report)).toEqual(expected);
  });

  it("keeps titles, falling back to the first line of a description", () => {
    const report = parseVulnerabilityReport(fixture("harbor-additions.json"), "h.json");
    expect(report.vulnerabilities[0]?.title).toBe(
      "MiniZip in zlib through 1.3 has an integer overflow.",
    );
    expect(report.vulnerabilities[2]?.title).toBeUndefined();
  });
});

describe("text from reports reaches terminals", () => {
  it("escapes control characters in every string, and keeps a description's first line", () => {
    const text = JSON.stringify({
      SchemaVersion: 2,
      ArtifactName: "img\u001b]0;x\u0007",
      Results: [
        {
          Vulnerabilities: [
            {
              VulnerabilityID: "CVE-2024-1\u001b[2J",
              PkgName: "p\u009b31m",
              InstalledVersion: "1\r",
              Description: "first \u001b[31mline\nsecond line",
            },
          ],
        },
      ],
    });
    const report = parseVulnerabilityReport(text, "t.json");
    expect(report.artifact).toBe("img\\u001b]0;x\\u0007");
    expect(report.vulnerabilities[0]).toMatchObject({
      id: "CVE-2024-1\\u001b[2J",
      package: "p\\u009b31m",
      installedVersion: "1\\u000d",
      title: "first \\u001b[31mline",
    });
  });
});

describe("severities", () => {
  it.each([
    ["CRITICAL", "critical"],
    ["High", "high"],
    ["important", "high"],
    ["MEDIUM", "medium"],
    ["Moderate", "medium"],
    ["low", "low"],
    ["Negligible", "negligible"],
    ["None", "negligible"],
    ["UNKNOWN", "unknown"],
    ["", "unknown"],
    ["severe", "unknown"],
    [undefined, "unknown"],
  ])("word %j reads as %s", (word, severity) => {
    expect(toVulnerabilitySeverity(word)).toBe(severity);
  });

  it.each([
    [10, "critical"],
    [9, "critical"],
    [8.9, "high"],
    [7, "high"],
    [6.9, "medium"],
    [4, "medium"],
    [3.9, "low"],
    [0.1, "low"],
    [0, "negligible"],
    [-1, "unknown"],
    [11, "unknown"],
    [Number.NaN, "unknown"],
  ])("score %d reads as %s", (score, severity) => {
    expect(severityOfScore(score)).toBe(severity);
  });
});

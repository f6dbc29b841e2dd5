import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { diffVulnerabilityReports } from "../../src/app/vuln/diff.js";
import { CustomsError } from "../../src/core/errors.js";
import type { Vulnerability, VulnerabilityReport } from "../../src/core/supply/facts.js";
import {
  compareVulnerabilityReports,
  keysOf,
  parseVulnerabilityJson,
  parseVulnerabilityReport,
  VULNERABILITY_SEVERITIES,
} from "../../src/core/vuln/index.js";
import { fixture } from "./fixture.js";

const FILES = [
  "trivy-new.json",
  "grype.json",
  "trivy.sarif",
  "grype.sarif",
  "cosign-trivy.intoto.json",
  "cosign-grype.predicate.json",
  "harbor-additions.json",
];

/** Runs `f`; anything thrown must be a CustomsError. */
function onlyCustomsErrors(f: () => unknown): boolean {
  try {
    f();
    return true;
  } catch (e) {
    if (e instanceof CustomsError) return true;
    throw e;
  }
}

/** Replaces the value at a path (chosen by the numbers) with `replacement`. */
function mutate(json: unknown, picks: readonly number[], replacement: unknown): unknown {
  if (picks.length === 0 || typeof json !== "object" || json === null) return replacement;
  const [pick, ...rest] = picks as [number, ...number[]];
  if (Array.isArray(json)) {
    if (json.length === 0) return replacement;
    const i = pick % json.length;
    return json.map((item, j) => (j === i ? mutate(item, rest, replacement) : item));
  }
  const keys = Object.keys(json);
  if (keys.length === 0) return replacement;
  const key = keys[pick % keys.length] as string;
  return { ...json, [key]: mutate((json as Record<string, unknown>)[key], rest, replacement) };
}

describe("parsers never fail with anything but a CustomsError", () => {
  it("on any JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) =>
        onlyCustomsErrors(() => parseVulnerabilityReport(JSON.stringify(value), "x.json")),
      ),
      { numRuns: 300 },
    );
  });

  it("on objects with the keys detection looks at, holding anything", () => {
    const keys = [
      "SchemaVersion",
      "Results",
      "matches",
      "runs",
      "version",
      "predicateType",
      "predicate",
      "payloadType",
      "payload",
      "scanner",
      "descriptor",
      "source",
      "application/vnd.security.vulnerability.report; version=1.1",
    ];
    const value = fc.oneof(fc.jsonValue(), fc.constant(2), fc.constant("2.1.0"));
    const object = fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: 4 });
    fc.assert(
      fc.property(object, (json) => onlyCustomsErrors(() => parseVulnerabilityJson(json, "x"))),
      { numRuns: 500 },
    );
  });

  it("on real reports with one value replaced by anything", () => {
    const reports = FILES.map((f) => JSON.parse(fixture(f)) as unknown);
    fc.assert(
      fc.property(
        fc.constantFrom(...reports),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.oneof(fc.jsonValue(), fc.constant(undefined)),
        (report, picks, replacement) =>
          onlyCustomsErrors(() => parseVulnerabilityJson(mutate(report, picks, replacement), "x")),
      ),
      { numRuns: 500 },
    );
  });

  it("on real reports cut anywhere, or with any text", () => {
    const texts = FILES.map(fixture);
    fc.assert(
      fc.property(fc.constantFrom(...texts), fc.nat(), fc.string(), (text, cut, tail) =>
        onlyCustomsErrors(() =>
          parseVulnerabilityReport(text.slice(0, cut % (text.length + 1)) + tail, "x.json"),
        ),
      ),
      { numRuns: 300 },
    );
  });
});

const vulnerability: fc.Arbitrary<Vulnerability> = fc.record({
  id: fc.constantFrom("CVE-2024-1", "CVE-2024-2", "GHSA-aaaa-bbbb-cccc", "cve-2024-3"),
  aliases: fc.subarray(["CVE-2024-1", "CVE-2024-9", "GHSA-aaaa-bbbb-cccc"]),
  severity: fc.constantFrom(...VULNERABILITY_SEVERITIES),
  package: fc.constantFrom("openssl", "zlib", "express"),
  installedVersion: fc.constantFrom("1.0", "2.0", ""),
  fixedVersions: fc.subarray(["1.1", "2.1"]),
});

const report: fc.Arbitrary<VulnerabilityReport> = fc.record({
  scanner: fc.constant("trivy"),
  vulnerabilities: fc.array(vulnerability, { maxLength: 12 }),
});

/** Shuffles a report's entries by sorting on random keys. */
function shuffled(r: VulnerabilityReport, seeds: readonly number[]): VulnerabilityReport {
  const order = r.vulnerabilities.map((v, i) => ({
    v,
    k: seeds[i % Math.max(seeds.length, 1)] ?? i,
  }));
  order.sort((a, b) => a.k - b.k);
  return { ...r, vulnerabilities: order.map((o) => o.v) };
}

const signature = (v: Vulnerability) => JSON.stringify(v);

describe("Customs' own report format", () => {
  it.each(FILES)("reads back what it prints for %s", (file) => {
    const report = parseVulnerabilityReport(fixture(file), file);
    expect(parseVulnerabilityReport(JSON.stringify(report, null, 2), "saved.json")).toEqual(report);
  });

  it("reads back any report it prints", () => {
    fc.assert(
      fc.property(report, fc.option(fc.string()), (r, title) => {
        const withTitle = {
          ...r,
          vulnerabilities: r.vulnerabilities.map((v) => (title === null ? v : { ...v, title })),
        };
        const once = parseVulnerabilityJson(withTitle, "a.json");
        expect(parseVulnerabilityJson(JSON.parse(JSON.stringify(once)), "b.json")).toEqual(once);
      }),
    );
  });
});

describe("vuln diff", () => {
  it("finds nothing new in a report compared with itself", () => {
    fc.assert(
      fc.property(report, (a) => {
        expect(diffVulnerabilityReports(a, a, "a.json").findings).toEqual([]);
      }),
    );
  });

  it("splits NEW into changes and unchanged, nothing lost, nothing added", () => {
    fc.assert(
      fc.property(report, report, (a, b) => {
        const { changes, unchanged } = compareVulnerabilityReports(a, b);
        const together = [...changes.map((c) => c.vulnerability), ...unchanged].map(signature);
        expect(together.sort()).toEqual(b.vulnerabilities.map(signature).sort());
      }),
    );
  });

  it("reports as added exactly what shares no package-and-ID key with BASE", () => {
    fc.assert(
      fc.property(report, report, (a, b) => {
        const baseKeys = new Set(a.vulnerabilities.flatMap(keysOf));
        const { changes } = compareVulnerabilityReports(a, b);
        for (const v of b.vulnerabilities) {
          const added = changes.some((c) => c.kind === "added" && c.vulnerability === v);
          expect(added).toBe(!keysOf(v).some((k) => baseKeys.has(k)));
        }
      }),
    );
  });

  it("does not depend on the order of either report", () => {
    fc.assert(
      fc.property(report, report, fc.array(fc.integer()), (a, b, seeds) => {
        const one = diffVulnerabilityReports(a, b, "b.json").findings.map((f) => JSON.stringify(f));
        const two = diffVulnerabilityReports(
          shuffled(a, seeds),
          shuffled(b, seeds),
          "b.json",
        ).findings.map((f) => JSON.stringify(f));
        expect(two.sort()).toEqual(one.sort());
      }),
    );
  });
});

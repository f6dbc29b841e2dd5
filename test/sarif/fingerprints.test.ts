import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CheckedResource, CheckReport } from "../../src/app/check/check.js";
import { toCheckFindings } from "../../src/app/check/index.js";
import { toCheckSarif } from "../../src/cli/output/check-sarif.js";
import { toFindingsSarif } from "../../src/cli/output/findings-sarif.js";
import type { Violation } from "../../src/core/evaluate/index.js";
import { uniqueFingerprints } from "../../src/core/findings/index.js";
import type { FindingReport } from "../../src/core/findings/types.js";

interface SarifLog {
  runs: Array<{ results: Array<{ partialFingerprints: Record<string, string> }> }>;
}

/** Every result's fingerprints, run by run. */
function fingerprintsOf(log: unknown): string[][] {
  return (log as SarifLog).runs.map((run) =>
    run.results.map((r) => JSON.stringify(r.partialFingerprints)),
  );
}

// Only the lines matter to the writers, and these tests are about fingerprints, not lines.
const ANY_LINE = { lineOf: () => 1 } as unknown as CheckedResource["document"];

function violation(container: string, image: string): Violation {
  return {
    policy: "org-images",
    action: "deny",
    scope: "organization",
    container,
    containerType: "containers",
    image,
    normalizedImage: `docker.io/library/${image}`,
    code: "IMAGE_NOT_ALLOWED",
    message: `image ${image} is not allowed`,
  };
}

function deployment(source: string, name: string, violations: Violation[]): CheckedResource {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    namespace: "default",
    name,
    source,
    verdict: "deny",
    violations,
    document: ANY_LINE,
    containers: [],
  };
}

function reportOf(results: CheckedResource[]): CheckReport {
  return {
    summary: { resources: results.length, denied: results.length, warned: 0, allowed: 0 },
    results,
  };
}

const word = fc.constantFrom("a", "b", "server", "redis", "cart", "web");
const resource = fc
  .record({
    file: fc.constantFrom("k8s/a.yaml", "k8s/b.yaml", "c.yaml", "dir\\d.yaml"),
    name: word,
    containers: fc.array(fc.record({ name: word, image: fc.constantFrom("redis", "nginx:1") }), {
      minLength: 1,
      maxLength: 3,
    }),
  })
  .map((r) =>
    deployment(
      r.file,
      r.name,
      r.containers.map((c) => violation(c.name, c.image)),
    ),
  );

describe("SARIF partialFingerprints", () => {
  it("two files with the same Deployment-shaped violation get different fingerprints", () => {
    // Two services, each with its own manifest, both running redis the policy refuses.
    const report = reportOf([
      deployment("kubernetes-manifests/cartservice.yaml", "server", [violation("server", "redis")]),
      deployment("kubernetes-manifests/redis.yaml", "server", [violation("server", "redis")]),
    ]);
    const [check] = fingerprintsOf(toCheckSarif(report, "0.0.0"));
    const [ci] = fingerprintsOf(toFindingsSarif([toCheckFindings(report)], "0.0.0"));
    expect(new Set(check).size).toBe(2);
    expect(new Set(ci).size).toBe(2);
    expect(check?.[0]).toContain("kubernetes-manifests/cartservice.yaml");
  });

  it("a fingerprint does not change when lines move", () => {
    const at = (line: number) =>
      reportOf([
        {
          ...deployment("a.yaml", "web", [violation("web", "redis")]),
          document: { lineOf: () => line } as unknown as CheckedResource["document"],
        },
      ]);
    expect(fingerprintsOf(toCheckSarif(at(3), "0"))).toEqual(
      fingerprintsOf(toCheckSarif(at(40), "0")),
    );
    expect(fingerprintsOf(toFindingsSarif([toCheckFindings(at(3))], "0"))).toEqual(
      fingerprintsOf(toFindingsSarif([toCheckFindings(at(40))], "0")),
    );
  });

  it("are unique in each run and the same on every rendering (check, ci)", () => {
    fc.assert(
      fc.property(fc.array(resource, { maxLength: 30 }), (resources) => {
        const report = reportOf(resources);
        const logs = [
          () => toCheckSarif(report, "0"),
          () => toFindingsSarif([toCheckFindings(report)], "0"),
        ];
        for (const render of logs) {
          const first = fingerprintsOf(render());
          for (const run of first) expect(new Set(run).size).toBe(run.length);
          expect(fingerprintsOf(render())).toEqual(first);
        }
      }),
    );
  });

  it("are unique for every producer's findings, even equal ones, and never empty", () => {
    const finding = fc.record({
      tool: fc.constantFrom("dockerfile", "secrets", "vuln"),
      ruleId: fc.constantFrom("CD001", "aws-access-key", "CVE-2024-1"),
      severity: fc.constant("high"),
      message: fc.constant("m"),
      location: fc.record({
        path: fc.constantFrom("Dockerfile", "app/Dockerfile", "x#2"),
        line: fc.integer({ min: 1, max: 5 }),
      }),
      fingerprint: fc.option(fc.constantFrom("RUN apt-get update", "x#2", ""), {
        nil: undefined,
      }),
    });
    fc.assert(
      fc.property(fc.array(finding, { maxLength: 40 }), (findings) => {
        const report = { tool: "dockerfile", findings, rules: [] } as FindingReport;
        const [run] = fingerprintsOf(toFindingsSarif([report], "0"));
        expect(new Set(run).size).toBe(findings.length);
        expect(fingerprintsOf(toFindingsSarif([report], "0"))).toEqual([run]);
      }),
    );
  });

  it("uniqueFingerprints numbers repeats and steps over keys that look numbered", () => {
    expect(uniqueFingerprints(["a", "a", "a#2", "b", "a"])).toEqual([
      "a",
      "a#3",
      "a#2",
      "b",
      "a#4",
    ]);
  });
});

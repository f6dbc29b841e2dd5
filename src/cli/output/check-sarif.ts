import type { CheckReport } from "../../app/check/index.js";
import {
  lineOfViolation,
  violationFingerprint,
  violationProperties,
} from "../../app/check/index.js";
import { VIOLATION_DESCRIPTIONS } from "../../core/evaluate/index.js";
import { uniqueFingerprints } from "../../core/findings/index.js";

// SARIF 2.1.0: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

const LEVELS = { deny: "error", warn: "warning", audit: "note" } as const;

/** SARIF for code scanning: one result per violation, at the line of the image. */
export function toCheckSarif(report: CheckReport, version: string): unknown {
  const codes = [...new Set(report.results.flatMap((r) => r.violations.map((v) => v.code)))].sort();
  const rules = codes.map((id) => ({
    id,
    name: id,
    shortDescription: { text: VIOLATION_DESCRIPTIONS[id] },
  }));
  // One run's fingerprints are unique: equal identities (a resource repeated in one file) are
  // told apart by their order, which is file order and so stable.
  const fingerprints = uniqueFingerprints(
    report.results.flatMap((r) => r.violations.map((v) => violationFingerprint(r, v))),
  );
  let next = 0;
  const results = report.results.flatMap((r) =>
    r.violations.map((v) => ({
      ruleId: v.code,
      ruleIndex: codes.indexOf(v.code),
      level: LEVELS[v.action],
      message: { text: v.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: r.source.replaceAll("\\", "/") },
            region: { startLine: lineOfViolation(r, v) },
          },
          logicalLocations: [{ name: `${r.kind}/${r.namespace}/${r.name}`, kind: "resource" }],
        },
      ],
      partialFingerprints: { customsViolation: fingerprints[next++] },
      properties: violationProperties(v),
    })),
  );
  return {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "customs", version, rules } },
        results,
      },
    ],
  };
}

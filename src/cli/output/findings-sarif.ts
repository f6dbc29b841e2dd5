import { findingIdentity, uniqueFingerprints } from "../../core/findings/index.js";
import type {
  Finding,
  FindingLocation,
  FindingReport,
  RuleDescriptor,
  Severity,
} from "../../core/findings/types.js";

// SARIF 2.1.0: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

const LEVEL: Record<Severity, "error" | "warning" | "note"> = {
  critical: "error",
  high: "error",
  medium: "warning",
  low: "note",
  info: "note",
};

// GitHub code scanning ranks results by `security-severity` (a CVSS-like score as a string):
// > 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low.
const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: "9.5",
  high: "8.0",
  medium: "5.5",
  low: "2.0",
  info: "0.0",
};

const DRIVER_NAMES = {
  check: "customs check",
  dockerfile: "customs dockerfile lint",
  secrets: "customs secrets scan",
  vuln: "customs vuln diff",
} as const;

function toRule(d: RuleDescriptor): unknown {
  return {
    id: d.id,
    name: d.name,
    shortDescription: { text: d.summary },
    ...(d.fix === undefined ? {} : { help: { text: d.fix } }),
    ...(d.helpUri === undefined ? {} : { helpUri: d.helpUri }),
    defaultConfiguration: { level: LEVEL[d.severity] },
    properties: { "security-severity": SECURITY_SEVERITY[d.severity] },
  };
}

/** Rules that produced findings but have no descriptor still need an entry for ruleIndex. */
function rulesOf(report: FindingReport): RuleDescriptor[] {
  const byId = new Map(report.rules.map((r) => [r.id, r]));
  for (const f of report.findings) {
    if (!byId.has(f.ruleId)) {
      byId.set(f.ruleId, { id: f.ruleId, name: f.ruleId, severity: f.severity, summary: f.ruleId });
    }
  }
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** SARIF URIs use forward slashes; an image path is shown inside the image's name. */
function uriOf(l: FindingLocation): string {
  return (l.image === undefined ? l.path : `${l.image}/${l.path.replace(/^\/+/, "")}`).replaceAll(
    "\\",
    "/",
  );
}

function toLocation(f: Finding): unknown[] {
  const l = f.location;
  if (l === undefined) return [];
  const uri = uriOf(l);
  const region: Record<string, number> = {};
  if (l.line !== undefined) region.startLine = l.line;
  if (l.column !== undefined) region.startColumn = l.column;
  if (l.endLine !== undefined) region.endLine = l.endLine;
  if (l.endColumn !== undefined) region.endColumn = l.endColumn;
  return [
    {
      physicalLocation: {
        artifactLocation: { uri },
        ...(Object.keys(region).length === 0 ? {} : { region }),
      },
    },
  ];
}

/**
 * One fingerprint per result, unique within the run: the producer's fingerprint names the
 * problem, and the file (or image path) and rule are added here so that no producer can make
 * two files' findings one alert. Equal identities left over are told apart by their order.
 */
function fingerprintsOf(findings: readonly Finding[]): string[] {
  return uniqueFingerprints(
    findings.map((f) =>
      findingIdentity(f.location === undefined ? "" : uriOf(f.location), f.ruleId, f.fingerprint),
    ),
  );
}

function toResult(f: Finding, ruleIndex: number, fingerprint: string): unknown {
  const l = f.location;
  const properties: Record<string, string | number | boolean> = {
    severity: f.severity,
    ...f.properties,
  };
  if (l?.commit !== undefined) properties.commit = l.commit;
  if (l?.layer !== undefined) properties.layer = l.layer;
  return {
    ruleId: f.ruleId,
    ruleIndex,
    level: LEVEL[f.severity],
    message: { text: f.fix === undefined ? f.message : `${f.message} Fix: ${f.fix}` },
    locations: toLocation(f),
    partialFingerprints: { customsFinding: fingerprint },
    properties,
  };
}

/** SARIF 2.1.0 for code scanning: one run per tool, every finding a result. */
export function toFindingsSarif(reports: readonly FindingReport[], version: string): unknown {
  return {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: reports.map((report) => {
      const rules = rulesOf(report);
      const index = new Map(rules.map((r, i) => [r.id, i]));
      const fingerprints = fingerprintsOf(report.findings);
      return {
        tool: {
          driver: {
            name: DRIVER_NAMES[report.tool],
            version,
            rules: rules.map(toRule),
          },
        },
        automationDetails: { id: `customs/${report.tool}/` },
        results: report.findings.map((f, i) =>
          toResult(f, index.get(f.ruleId) ?? 0, fingerprints[i] as string),
        ),
      };
    }),
  };
}

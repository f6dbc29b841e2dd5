/**
 * One entry point for every report format: detect by shape, then read strictly. The rules
 * are in docs/vulnerabilities.md ("Detection"); each looks at top-level keys only, so the
 * cost of detection does not depend on the size of the report.
 */
import { CustomsError } from "../errors.js";
import type { VulnerabilityReport } from "../supply/facts.js";
import { parseCosignVulnAttestation } from "./cosign.js";
import { parseCustomsReport } from "./customs.js";
import { parseGrypeReport } from "./grype.js";
import { isHarborReportType, parseHarborReport } from "./harbor.js";
import { isJsonObject, type JsonObject, parseReportJson } from "./read.js";
import { parseSarifReport } from "./sarif.js";
import { parseTrivyReport } from "./trivy.js";

export type VulnerabilityReportFormat =
  | "trivy"
  | "grype"
  | "sarif"
  | "harbor"
  | "cosign-vuln"
  | "customs";

const SUPPORTED =
  "Trivy JSON, Grype JSON, SARIF 2.1.0, a cosign vulnerability attestation, a Harbor report, or Customs' own";

/** Which format a parsed JSON value is in, or undefined. */
export function detectVulnerabilityReportFormat(
  json: unknown,
): VulnerabilityReportFormat | undefined {
  if (!isJsonObject(json)) return undefined;
  if ("payloadType" in json && "payload" in json) return "cosign-vuln";
  if ("predicateType" in json) return "cosign-vuln";
  if (isJsonObject(json.scanner) && "result" in json.scanner) return "cosign-vuln";
  if (typeof json.scanner === "string" && "vulnerabilities" in json) return "customs";
  return detectScannerFormat(json);
}

function detectScannerFormat(json: JsonObject): VulnerabilityReportFormat | undefined {
  if ("SchemaVersion" in json) return "trivy";
  if ("matches" in json) return "grype";
  if ("runs" in json) return "sarif";
  if (Object.keys(json).some(isHarborReportType)) return "harbor";
  return undefined;
}

/** Reads report text in any supported format; `name` (a file path, `-`) goes into errors. */
export function parseVulnerabilityReport(text: string, name: string): VulnerabilityReport {
  return parseVulnerabilityJson(parseReportJson(text, name), name);
}

export function parseVulnerabilityJson(json: unknown, name: string): VulnerabilityReport {
  const format = detectVulnerabilityReportFormat(json);
  if (format === "cosign-vuln") {
    const envelope = "payloadType" in (json as JsonObject);
    // Paths inside a DSSE payload are not positions in the file: name the payload instead.
    const statementName = envelope ? `${name} (DSSE payload)` : name;
    const statement = unwrapEnvelope(json as JsonObject, name);
    return parseCosignVulnAttestation(statement, statementName, parseScanner);
  }
  if (format === "customs") return parseCustomsReport(json, name);
  return parseScanner(json, name);
}

/** The scanner's own report: what a cosign attestation's `scanner.result` may hold. */
function parseScanner(json: unknown, name: string): VulnerabilityReport {
  const format = isJsonObject(json) ? detectScannerFormat(json) : undefined;
  switch (format) {
    case "trivy":
      return parseTrivyReport(json, name);
    case "grype":
      return parseGrypeReport(json, name);
    case "sarif":
      return parseSarifReport(json, name);
    case "harbor":
      return parseHarborReport(json, name);
    default:
      throw new CustomsError(
        "VULN_REPORT_UNKNOWN_FORMAT",
        `${name}: not a vulnerability report Customs reads (expected ${SUPPORTED})`,
      );
  }
}

/** A DSSE envelope (`cosign download attestation`) holds the statement base64-encoded. */
function unwrapEnvelope(json: JsonObject, name: string): unknown {
  if (!("payloadType" in json)) return json;
  const invalid = (why: string) =>
    new CustomsError(
      "VULN_REPORT_INVALID",
      `${name}: DSSE envelope: $.payload: ${why}`,
      "/payload",
    );
  if (typeof json.payload !== "string") throw invalid("expected a base64 string");
  let text: string;
  try {
    const bytes = Uint8Array.from(atob(json.payload), (c) => c.charCodeAt(0));
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw invalid("not base64-encoded UTF-8");
  }
  const statement = parseReportJson(text, `${name} (payload)`);
  if (!isJsonObject(statement) || !("predicateType" in statement)) {
    throw invalid("not an in-toto statement");
  }
  return statement;
}

export { COSIGN_VULN_PREDICATE, parseCosignVulnAttestation } from "./cosign.js";
export { parseCustomsReport } from "./customs.js";
export {
  compareVulnerabilityReports,
  keysOf,
  type VulnerabilityChange,
  type VulnerabilityComparison,
} from "./diff.js";
export { parseGrypeReport } from "./grype.js";
export { HARBOR_REPORT_TYPES, harborReportKey, parseHarborReport } from "./harbor.js";
export { MAX_REPORT_CHARS, parseReportJson, toJsonPathText } from "./read.js";
export {
  detectVulnerabilityReportFormat,
  parseVulnerabilityJson,
  parseVulnerabilityReport,
  type VulnerabilityReportFormat,
} from "./report.js";
export { parseSarifReport } from "./sarif.js";
export {
  compareVulnerabilitySeverity,
  isVulnerabilitySeverity,
  severityOfScore,
  toVulnerabilitySeverity,
  VULNERABILITY_SEVERITIES,
} from "./severity.js";
export { parseTrivyReport } from "./trivy.js";

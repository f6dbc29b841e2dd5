export { diffVulnerabilityReports, toFindingSeverity } from "./diff.js";
export { fetchHarborReport, type HarborFetchOptions } from "./harbor.js";
export { parseVulnerabilityReportText, readVulnerabilityReport } from "./read.js";

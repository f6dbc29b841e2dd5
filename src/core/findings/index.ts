export { describeSummary, type FindingSummary, isFailing, summarizeFindings } from "./summary.js";
export type {
  Finding,
  FindingLocation,
  FindingReport,
  FindingTool,
  RuleDescriptor,
  Severity,
} from "./types.js";
export { compareSeverity, isSeverity, SEVERITIES } from "./types.js";

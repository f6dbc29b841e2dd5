export { findingIdentity, uniqueFingerprints } from "./fingerprint.js";
export {
  describeSummary,
  type FailOn,
  type FindingSummary,
  isFailing,
  isFailOn,
  summarizeFindings,
} from "./summary.js";
export type {
  Finding,
  FindingLocation,
  FindingReport,
  FindingTool,
  RuleDescriptor,
  Severity,
} from "./types.js";
export { compareSeverity, isSeverity, SEVERITIES } from "./types.js";

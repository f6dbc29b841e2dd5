/**
 * The background audit's pure half: a workload's result for each policy that applies to it,
 * and the wgpolicyk8s.io PolicyReports that hold them (docs/audit.md).
 */

export {
  type CachedSupply,
  inventoryContainers,
  judgeWorkload,
  SUPPLY_NOT_CACHED,
} from "./judge.js";
export {
  API_VERSION_OF,
  type AuditedWorkload,
  buildPolicyReport,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  type ObjectRef,
  OWNER_KIND_LABEL,
  POLICY_REPORT_API_VERSION,
  POLICY_REPORTS_GROUP,
  type PolicyReport,
  type PolicyReportResult,
  type PolicyReportSummary,
  policyReportName,
  REPORT_CATEGORY,
  REPORT_SOURCE,
  reportFingerprint,
  reportKey,
  SEVERITY_OF,
  type Severity,
} from "./report.js";
export {
  type ApplicablePolicy,
  type AuditResult,
  auditResults,
  MAX_MESSAGES,
  resultOfAction,
  toInventoryResult,
} from "./results.js";

export {
  AUDIT_DEFAULTS,
  AUDITED_RESOURCES,
  Auditor,
  type AuditorOptions,
  type AuditPass,
  type AuditPolicies,
  auditCandidates,
} from "./auditor.js";
export {
  type AuditLease,
  auditLeaderElection,
  LEADER_DEFAULTS,
  LeaderElection,
  type LeaderElectionOptions,
  type LeaderLock,
} from "./leader.js";
export { type AuditKube, type Clock, rateLimited, realClock, TokenBucket } from "./rate.js";
export { PolicyReportWriter, type SyncResult } from "./writer.js";

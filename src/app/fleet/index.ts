export { pollPolicies, registerAgent, reportNamespaces, reportViolations } from "./agent.js";
export type { AgentInstallContext } from "./agent-install.js";
export { type AuthContext, authenticate } from "./auth.js";
export {
  type Json,
  type NamedBody,
  parseAdminTokenBody,
  parseJsonBody,
  parseNamedBody,
  parseTokenBody,
  preconditionOf,
} from "./bodies.js";
export {
  agentKeys,
  BundleSigner,
  ensureBundleKey,
  listBundleKeys,
  rotateBundleKey,
} from "./bundle-keys.js";
export {
  agentOf,
  CONNECTED_WITHIN_MS,
  createCluster,
  deleteCluster,
  getCluster,
  listClusterNamespaces,
  listClusters,
} from "./clusters.js";
export {
  compliance,
  complianceCsv,
  complianceTrend,
  dailyViolations,
  failingCsv,
  listFailing,
  reportInventory,
  seriesCsv,
  violationsCsv,
  wantsCsv,
} from "./compliance.js";
export type { FleetContext } from "./context.js";
export { DeliveryHub } from "./delivery.js";
export {
  createException,
  deleteException,
  getException,
  listExceptions,
  updateException,
} from "./exceptions.js";
export {
  attachNamespace,
  createOrganization,
  createWorkspace,
  deleteOrganization,
  deleteWorkspace,
  detachNamespace,
  getOrganization,
  getWorkspace,
  listOrganizations,
  listWorkspaceNamespaces,
  listWorkspaces,
  reclaimNamespace,
  updateOrganization,
  updateWorkspace,
} from "./organizations.js";
export { createPolicy, deletePolicy, getPolicy, listPolicies, updatePolicy } from "./policies.js";
export { previewPolicy } from "./preview.js";
export { FailureLimiter } from "./rate-limit.js";
export { countViolations, listAudit, listViolations } from "./records.js";
export {
  beginSignIn,
  checkCsrf,
  endSession,
  finishSignIn,
  idleEndOf,
  liveSession,
  principalOf,
  SIGN_IN_SECONDS,
  type SsoContext,
  toReturnTo,
} from "./sso.js";
export {
  createAdminToken,
  createApiToken,
  listAdminTokens,
  listTokens,
  revokeAdminToken,
  revokeApiToken,
  rotateAdminToken,
  rotateApiToken,
} from "./token-admin.js";

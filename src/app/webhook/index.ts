export {
  type AdmissionOutcome,
  type NamespaceDirectory,
  outcomeText,
  readReview,
} from "./admission.js";
export { startClusterSource } from "./cluster-source.js";
export {
  DEFAULT_AGENT_AUDIT_INTERVAL_MS,
  type RenderedInstall,
  renderAgentInstall,
} from "./install.js";
export { NamespaceCache } from "./namespaces.js";
export { handlePolicyAdmission, policyAdmission } from "./policy-admission.js";
export {
  type RunningWebhook,
  type RunWebhookOptions,
  runWebhook,
  type ServedWebhook,
  startWebhookRuntime,
  type WebhookHooks,
  type WebhookRuntimeMetrics,
  type WebhookRuntimeOptions,
} from "./run.js";
export {
  admitRequestWithSupply,
  admitWithSupply,
  handleAdmissionWithSupply,
} from "./supply-admission.js";

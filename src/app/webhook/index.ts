export type { AdmissionOutcome, NamespaceDirectory } from "./admission.js";
export { startClusterSource } from "./cluster-source.js";
export { type RenderedInstall, renderAgentInstall } from "./install.js";
export { NamespaceCache } from "./namespaces.js";
export { handlePolicyAdmission } from "./policy-admission.js";
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
export { handleAdmissionWithSupply } from "./supply-admission.js";

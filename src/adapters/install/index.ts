export {
  AGENT_CONTROL_PLANE_CA,
  AGENT_TOKEN_SECRET,
  type AgentInstallOptions,
  buildAgentCaConfigMap,
  buildAgentDeployment,
  buildAgentRbac,
  buildAgentTokenSecret,
  buildAgentWebhookConfiguration,
} from "./agent.js";
export {
  ADMISSION_RULES,
  buildCertManagerObjects,
  buildExtras,
  buildNamespace,
  buildRegistryCaConfigMap,
  buildRegistryCredentialsSecret,
  buildServiceAndBudget,
  buildTlsSecret,
  type Component,
  DEFAULT_RESOURCES,
  exemptOf,
  type FailurePolicy,
  type InstallOptions,
  type PullPolicy,
  REGISTRY_CA_CONFIGMAP,
  REGISTRY_CREDENTIALS_SECRET,
  type Resources,
  serviceDnsNames,
} from "./common.js";
export {
  buildImagePolicyCrd,
  buildImagePolicyExceptionCrd,
  buildWorkspaceCrd,
} from "./crds.js";
export {
  buildDeployment,
  buildMutatingWebhookConfiguration,
  buildRbac,
  buildWebhookConfiguration,
  POLICIES_WEBHOOK_NAME,
  POLICY_ADMISSION_RULES,
  WEBHOOK_NAME,
} from "./objects.js";

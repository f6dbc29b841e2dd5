export { buildImagePolicyCrd, buildWorkspaceCrd } from "./crds.js";
export {
  ADMISSION_RULES,
  buildCertManagerObjects,
  buildDeployment,
  buildMutatingWebhookConfiguration,
  buildNamespace,
  buildRbac,
  buildServiceAndBudget,
  buildTlsSecret,
  buildWebhookConfiguration,
  type InstallOptions,
  serviceDnsNames,
  WEBHOOK_NAME,
} from "./objects.js";

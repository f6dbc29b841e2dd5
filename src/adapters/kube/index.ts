export { type WatchBackoff, watchBackoffDelay } from "./backoff.js";
export { KubeClient, KubeError, type KubeObject, type WatchEvent } from "./client.js";
export {
  inClusterConnection,
  type KubeConnection,
  type KubeconfigSelection,
  kubeconfigFiles,
  loadKubeconfig,
  SERVICE_ACCOUNT_TOKEN_FILE,
} from "./config.js";
export type { CredentialSource, KubeCredentials } from "./credentials.js";
export { type ExecOptions, type ExecPlugin, execCredentials, runExecPlugin } from "./exec.js";
export { type Informer, type InformerOptions, namespacedKey, startInformer } from "./informer.js";
export { type LeaseKube, LeaseLock, type LeaseLockOptions, podIdentity } from "./lease.js";
export { serviceAccountTokenSource } from "./service-account-token.js";

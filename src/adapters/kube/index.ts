export { type WatchBackoff, watchBackoffDelay } from "./backoff.js";
export { KubeClient, KubeError, type KubeObject, type WatchEvent } from "./client.js";
export {
  inClusterConnection,
  type KubeConnection,
  kubeconfigNamespace,
  loadKubeconfig,
  SERVICE_ACCOUNT_TOKEN_FILE,
} from "./config.js";
export { type Informer, type InformerOptions, startInformer } from "./informer.js";

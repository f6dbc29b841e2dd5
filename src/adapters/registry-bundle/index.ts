export {
  buildImagePolicy,
  buildIngress,
  buildNetworkPolicy,
  buildService,
} from "./access.js";
export {
  BCRYPT_COST,
  buildDefaultServiceAccount,
  buildPullSecret,
  type DockerCredential,
  toDockerConfigJson,
  toHtpasswd,
  toHtpasswdLine,
} from "./credentials.js";
export {
  buildCertificate,
  buildDeployment,
  buildHtpasswdSecret,
  buildNamespace,
  buildPersistentVolumeClaim,
  buildTlsSecret,
  REGISTRY_IMAGE,
  REGISTRY_PORT,
  type RegistryBundleOptions,
  registryDnsNames,
  type TlsMode,
} from "./objects.js";
export {
  checkNamespace,
  parseRegistryHost,
  parseUsers,
  type RegistryHost,
  type RegistryUser,
} from "./options.js";

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
  htpasswdAuth,
  REGISTRY_AUTH_DIR,
  REGISTRY_IMAGE,
  REGISTRY_PORT,
  type RegistryAuthMount,
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
export {
  buildTokenAccountsSecret,
  buildTokenConfigMap,
  buildTokenDeployment,
  buildTokenNetworkPolicy,
  buildTokenRootsConfigMap,
  buildTokenService,
  buildTokenSigningSecret,
  TOKEN_ISSUER,
  TOKEN_NAME,
  TOKEN_PORT,
  type TokenBundleOptions,
  tokenAuthEnv,
  tokenRealm,
  toTokenServiceConfig,
} from "./token.js";

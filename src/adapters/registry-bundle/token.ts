/**
 * The token service of `customs registry manifests --auth token` (docs/registry-access.md):
 * its configuration, accounts, signing key, workload and network path. Pure builders, no I/O.
 */
import { stringify } from "yaml";
import type { Account } from "../../core/registry-token/index.js";
import { buildNetworkPolicy } from "./access.js";
import { labels, meta, type RegistryBundleOptions } from "./objects.js";

export const TOKEN_NAME = "registry-token";
export const TOKEN_PORT = 5001;
export const TOKEN_ISSUER = "customs-registry-token";
const CONFIG_DIR = "/etc/customs/token";
const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const tokenLabels = () => ({ ...labels(), "app.kubernetes.io/name": TOKEN_NAME });

export interface TokenBundleOptions {
  /** The customs image that runs `customs registry token-server`. */
  readonly image: string;
  readonly pullAccount: string;
  readonly pushAccount: string;
  /** Repository patterns the push account may push to (and pull from). */
  readonly pushRepositories: readonly string[];
  readonly pushSecretName: string;
  /** More accounts, already hashed (`--accounts-file`), after the pull and push accounts. */
  readonly extraAccounts: readonly Account[];
}

/** Where clients ask for tokens: the registry's own host, path /token (same Ingress). */
export const tokenRealm = (o: RegistryBundleOptions) => `https://${o.host.domain}/token`;

/** The RegistryTokenService configuration, paths as mounted in the token service's pod. */
export function toTokenServiceConfig(o: RegistryBundleOptions): string {
  return stringify({
    apiVersion: "customs.dev/v1alpha1",
    kind: "RegistryTokenService",
    spec: {
      service: o.host.domain,
      issuer: TOKEN_ISSUER,
      listen: { host: "0.0.0.0", port: TOKEN_PORT },
      tls: { certificate: `${CONFIG_DIR}/tls/tls.crt`, key: `${CONFIG_DIR}/tls/tls.key` },
      signing: {
        certificate: `${CONFIG_DIR}/signing/signing.crt`,
        key: `${CONFIG_DIR}/signing/signing.key`,
      },
      accountsFile: `${CONFIG_DIR}/accounts/accounts.yaml`,
      tokenLifetimeSeconds: 300,
    },
  });
}

export function buildTokenConfigMap(o: RegistryBundleOptions) {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { ...meta(o, TOKEN_NAME), labels: tokenLabels() },
    data: { "config.yaml": toTokenServiceConfig(o) },
  };
}

/** bcrypt hashes only; still a Secret, since hashes can be attacked offline. */
export function buildTokenAccountsSecret(o: RegistryBundleOptions, accountsYaml: string) {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { ...meta(o, `${TOKEN_NAME}-accounts`), labels: tokenLabels() },
    type: "Opaque",
    data: { "accounts.yaml": b64(accountsYaml) },
  };
}

/** Mounted by the token service only: the registry never sees the key. */
export function buildTokenSigningSecret(
  o: RegistryBundleOptions,
  signer: { certPem: string; keyPem: string },
) {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { ...meta(o, `${TOKEN_NAME}-signing`), labels: tokenLabels() },
    type: "Opaque",
    data: { "signing.crt": b64(signer.certPem), "signing.key": b64(signer.keyPem) },
  };
}

/**
 * The registry's `auth.token.rootcertbundle`: public certificates, so a ConfigMap. During a
 * key rotation it holds the old and the new signing certificate.
 */
export function buildTokenRootsConfigMap(o: RegistryBundleOptions, certPems: readonly string[]) {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: meta(o, `${TOKEN_NAME}-roots`),
    data: {
      "rootcertbundle.pem": certPems
        .map((p) => p.trim())
        .join("\n")
        .concat("\n"),
    },
  };
}

export function buildTokenDeployment(o: RegistryBundleOptions, t: TokenBundleOptions) {
  // A fresh object each time: a shared one would print as a YAML anchor and alias.
  const probe = (initialDelaySeconds: number) => ({
    httpGet: { path: "/healthz", port: TOKEN_PORT, scheme: "HTTPS" },
    initialDelaySeconds,
    periodSeconds: 10,
    timeoutSeconds: 3,
  });
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { ...meta(o, TOKEN_NAME), labels: tokenLabels() },
    spec: {
      // The rate limiter's memory is per replica; one replica keeps its count exact.
      replicas: 1,
      selector: { matchLabels: tokenLabels() },
      template: {
        metadata: { labels: tokenLabels() },
        spec: {
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 65532,
            runAsGroup: 65532,
            seccompProfile: { type: "RuntimeDefault" },
          },
          containers: [
            {
              name: "token",
              image: t.image,
              args: ["registry", "token-server", "--config", `${CONFIG_DIR}/config/config.yaml`],
              ports: [{ name: "https", containerPort: TOKEN_PORT, protocol: "TCP" }],
              readinessProbe: probe(1),
              livenessProbe: probe(5),
              resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
              },
              volumeMounts: ["config", "accounts", "signing", "tls"].map((name) => ({
                name,
                mountPath: `${CONFIG_DIR}/${name}`,
                readOnly: true,
              })),
            },
          ],
          volumes: [
            { name: "config", configMap: { name: TOKEN_NAME } },
            { name: "accounts", secret: { secretName: `${TOKEN_NAME}-accounts` } },
            { name: "signing", secret: { secretName: `${TOKEN_NAME}-signing` } },
            { name: "tls", secret: { secretName: o.tlsSecret } },
          ],
        },
      },
    },
  };
}

export function buildTokenService(o: RegistryBundleOptions) {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { ...meta(o, TOKEN_NAME), labels: tokenLabels() },
    spec: {
      type: "ClusterIP",
      selector: tokenLabels(),
      ports: [{ name: "https", port: TOKEN_PORT, targetPort: "https", protocol: "TCP" }],
    },
  };
}

/** Like the registry's: port 5001 only, from the ingress controller's namespace when given. */
export function buildTokenNetworkPolicy(o: RegistryBundleOptions) {
  return buildNetworkPolicy(o, { name: TOKEN_NAME, labels: tokenLabels(), port: TOKEN_PORT });
}

/** The registry's `auth.token` settings, as the environment of its container. */
export function tokenAuthEnv(o: RegistryBundleOptions, rootsPath: string): Record<string, string> {
  return {
    REGISTRY_AUTH: "token",
    REGISTRY_AUTH_TOKEN_REALM: tokenRealm(o),
    REGISTRY_AUTH_TOKEN_SERVICE: o.host.domain,
    REGISTRY_AUTH_TOKEN_ISSUER: TOKEN_ISSUER,
    REGISTRY_AUTH_TOKEN_ROOTCERTBUNDLE: rootsPath,
  };
}

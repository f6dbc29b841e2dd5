/**
 * The storage, secrets and workload of an in-cluster Docker Distribution registry
 * (`customs registry manifests`): pure builders, no I/O. docs/registry.md explains each choice.
 */
import type { RegistryHost } from "./options.js";

/**
 * The default of `--registry-image`. Pinned by tag; docs/registry.md asks platform teams to
 * pin the digest they reviewed, or to run a mirror (ghcr.io/customs-dev/registry:2.8).
 */
export const REGISTRY_IMAGE = "registry:2.8.3";
export const REGISTRY_PORT = 5000;
export const REGISTRY_NAME = "registry";
const NAME = REGISTRY_NAME;
const DATA_DIR = "/var/lib/registry";
const TLS_DIR = "/etc/registry/tls";
const AUTH_DIR = "/etc/registry/auth";
// A fresh object each time: a shared one would print as YAML anchors and aliases.
export const labels = () => ({
  "app.kubernetes.io/name": NAME,
  "app.kubernetes.io/part-of": "customs",
});

export type TlsMode =
  | { readonly kind: "self-signed" }
  | { readonly kind: "secret" }
  | { readonly kind: "cert-manager"; readonly issuer: string; readonly issuerKind: string };

export interface RegistryBundleOptions {
  readonly host: RegistryHost;
  readonly namespace: string;
  readonly storageClass: string | undefined;
  readonly size: string;
  /** Name of the kubernetes.io/tls Secret the registry and the Ingress serve. */
  readonly tlsSecret: string;
  readonly tls: TlsMode;
  /** Namespace of the ingress controller allowed by the NetworkPolicy; undefined = any namespace. */
  readonly ingressNamespace: string | undefined;
  readonly ingressClass: string | undefined;
  /** ImagePolicy scope: a workspace, or undefined for the whole organization. */
  readonly workspace: string | undefined;
  /** The registry:2-compatible image the registry runs (`--registry-image`). */
  readonly registryImage: string;
}

export const meta = (o: RegistryBundleOptions, name: string) => ({
  name,
  namespace: o.namespace,
  labels: labels(),
});

/** Names the in-cluster clients (and the kubelet through the Ingress) use: all in the SANs. */
export function registryDnsNames(
  o: Pick<RegistryBundleOptions, "host" | "namespace">,
  withTokenService = false,
): string[] {
  // The token service serves the same certificate (`--auth token`), under its own Service.
  const services = withTokenService ? [NAME, `${NAME}-token`] : [NAME];
  return [
    o.host.hostname,
    ...services.flatMap((s) => [
      `${s}.${o.namespace}.svc`,
      `${s}.${o.namespace}.svc.cluster.local`,
    ]),
  ];
}

/**
 * The Namespace as `customs install` and the Helm chart (`namespace.create`) print it: the
 * chart installs the registry into the release namespace, which other components may share,
 * so it carries no component name.
 */
export function buildNamespace(o: RegistryBundleOptions) {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: o.namespace,
      labels: {
        "app.kubernetes.io/part-of": "customs",
        "pod-security.kubernetes.io/enforce": "restricted",
      },
    },
  };
}

export function buildHtpasswdSecret(o: RegistryBundleOptions, htpasswd: string) {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: meta(o, `${NAME}-htpasswd`),
    type: "Opaque",
    data: { htpasswd: Buffer.from(htpasswd, "utf8").toString("base64") },
  };
}

/** Self-signed mode: the serving pair, and the CA under `ca.crt` so nodes can fetch it. */
export function buildTlsSecret(
  o: RegistryBundleOptions,
  serving: { certPem: string; keyPem: string },
  caPem: string,
) {
  const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: meta(o, o.tlsSecret),
    type: "kubernetes.io/tls",
    data: { "tls.crt": b64(serving.certPem), "tls.key": b64(serving.keyPem), "ca.crt": b64(caPem) },
  };
}

export function buildCertificate(
  o: RegistryBundleOptions,
  issuer: string,
  issuerKind: string,
  withTokenService = false,
) {
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: meta(o, NAME),
    spec: {
      secretName: o.tlsSecret,
      dnsNames: registryDnsNames(o, withTokenService),
      issuerRef: { name: issuer, kind: issuerKind, group: "cert-manager.io" },
      privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
    },
  };
}

export function buildPersistentVolumeClaim(o: RegistryBundleOptions) {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: meta(o, `${NAME}-data`),
    spec: {
      accessModes: ["ReadWriteOnce"],
      ...(o.storageClass ? { storageClassName: o.storageClass } : {}),
      resources: { requests: { storage: o.size } },
    },
  };
}

/** How the registry checks logins: its `auth` environment and the volume it reads from. */
export interface RegistryAuthMount {
  readonly env: Record<string, string>;
  readonly volume: Record<string, unknown>;
}

/** htpasswd (the default): the bcrypt file from the registry-htpasswd Secret. */
export function htpasswdAuth(o: RegistryBundleOptions): RegistryAuthMount {
  return {
    env: {
      REGISTRY_AUTH: "htpasswd",
      REGISTRY_AUTH_HTPASSWD_REALM: `${o.host.hostname} registry`,
      REGISTRY_AUTH_HTPASSWD_PATH: `${AUTH_DIR}/htpasswd`,
    },
    volume: { secret: { secretName: `${NAME}-htpasswd` } },
  };
}

export const REGISTRY_AUTH_DIR = AUTH_DIR;

export function buildDeployment(o: RegistryBundleOptions, auth = htpasswdAuth(o)) {
  const probe = (initialDelaySeconds: number) => ({
    // `/` answers 200 without credentials; `/v2/` would answer 401 with htpasswd on.
    httpGet: { path: "/", port: REGISTRY_PORT, scheme: "HTTPS" },
    initialDelaySeconds,
    periodSeconds: 10,
    timeoutSeconds: 3,
  });
  const env: Record<string, string> = {
    REGISTRY_HTTP_ADDR: `:${REGISTRY_PORT}`,
    REGISTRY_HTTP_TLS_CERTIFICATE: `${TLS_DIR}/tls.crt`,
    REGISTRY_HTTP_TLS_KEY: `${TLS_DIR}/tls.key`,
    ...auth.env,
    REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: DATA_DIR,
    // Deleting manifests breaks every workload pinned to them; keep it off.
    REGISTRY_STORAGE_DELETE_ENABLED: "false",
  };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta(o, NAME),
    spec: {
      replicas: 1,
      // One ReadWriteOnce volume: the old pod must let go before the new one mounts it.
      strategy: { type: "Recreate" },
      selector: { matchLabels: labels() },
      template: {
        metadata: { labels: labels() },
        spec: {
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            runAsGroup: 1000,
            fsGroup: 1000,
            seccompProfile: { type: "RuntimeDefault" },
          },
          containers: [
            {
              name: NAME,
              image: o.registryImage,
              ports: [{ name: "https", containerPort: REGISTRY_PORT, protocol: "TCP" }],
              env: Object.entries(env).map(([name, value]) => ({ name, value })),
              readinessProbe: probe(2),
              livenessProbe: probe(10),
              resources: {
                requests: { cpu: "100m", memory: "128Mi" },
                limits: { memory: "512Mi" },
              },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
              },
              volumeMounts: [
                { name: "data", mountPath: DATA_DIR },
                { name: "tls", mountPath: TLS_DIR, readOnly: true },
                { name: "auth", mountPath: AUTH_DIR, readOnly: true },
                { name: "tmp", mountPath: "/tmp" },
              ],
            },
          ],
          volumes: [
            { name: "data", persistentVolumeClaim: { claimName: `${NAME}-data` } },
            { name: "tls", secret: { secretName: o.tlsSecret } },
            { name: "auth", ...auth.volume },
            { name: "tmp", emptyDir: {} },
          ],
        },
      },
    },
  };
}

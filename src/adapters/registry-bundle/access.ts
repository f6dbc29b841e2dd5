/**
 * How the registry is reached (ClusterIP Service, Ingress, NetworkPolicy) and what workloads
 * may pull from it (the ImagePolicy): pure builders, no I/O.
 */
import {
  labels,
  meta,
  REGISTRY_NAME as NAME,
  REGISTRY_PORT,
  type RegistryBundleOptions,
} from "./objects.js";

/** ClusterIP only: the registry is reached through the Ingress, never a node port. */
export function buildService(o: RegistryBundleOptions) {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta(o, NAME),
    spec: {
      type: "ClusterIP",
      selector: labels(),
      ports: [{ name: "https", port: REGISTRY_PORT, targetPort: "https", protocol: "TCP" }],
    },
  };
}

/** With `--auth token`, `/token` goes to the token service (same host, so the realm is too). */
export function buildIngress(
  o: RegistryBundleOptions,
  tokenService?: { name: string; port: string },
) {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: {
      ...meta(o, NAME),
      annotations: {
        // Image layers are large: no body limit, and the registry itself speaks HTTPS.
        "nginx.ingress.kubernetes.io/proxy-body-size": "0",
        "nginx.ingress.kubernetes.io/backend-protocol": "HTTPS",
      },
    },
    spec: {
      ...(o.ingressClass ? { ingressClassName: o.ingressClass } : {}),
      tls: [{ hosts: [o.host.hostname], secretName: o.tlsSecret }],
      rules: [
        {
          host: o.host.hostname,
          http: {
            paths: [
              ...(tokenService
                ? [
                    {
                      path: "/token",
                      pathType: "Exact",
                      backend: {
                        service: { name: tokenService.name, port: { name: tokenService.port } },
                      },
                    },
                  ]
                : []),
              {
                path: "/",
                pathType: "Prefix",
                backend: { service: { name: NAME, port: { name: "https" } } },
              },
            ],
          },
        },
      ],
    },
  };
}

/** Which pods a NetworkPolicy guards, and their one port. */
export interface GuardedPods {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly port: number;
}

/**
 * Ingress to the pods' one port only (5000 for the registry). From the ingress controller's
 * namespace when given (`kubernetes.io/metadata.name`, set by the API server on every
 * namespace), else from any namespace (so in-cluster CI can push to the Service directly).
 */
export function buildNetworkPolicy(
  o: RegistryBundleOptions,
  pods: GuardedPods = { name: NAME, labels: labels(), port: REGISTRY_PORT },
) {
  const namespaceSelector =
    o.ingressNamespace === undefined
      ? {}
      : { matchLabels: { "kubernetes.io/metadata.name": o.ingressNamespace } };
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    // Copies: one object in two places would print as a YAML anchor and alias.
    metadata: { ...meta(o, pods.name), labels: { ...pods.labels } },
    spec: {
      podSelector: { matchLabels: { ...pods.labels } },
      policyTypes: ["Ingress"],
      ingress: [{ from: [{ namespaceSelector }], ports: [{ protocol: "TCP", port: pods.port }] }],
    },
  };
}

/** Admits images from this registry only, and only by digest (everywhere but its own namespace). */
export function buildImagePolicy(o: RegistryBundleOptions) {
  const rule = {
    hostname: o.host.hostname,
    ...(o.host.port ? { port: o.host.port } : {}),
    requireDigest: true,
  };
  return {
    apiVersion: "customs.dev/v1alpha1",
    kind: "ImagePolicy",
    metadata: { name: `${o.namespace}-registry-only`, labels: labels() },
    spec: {
      ...(o.workspace ? { workspace: o.workspace } : {}),
      // Not the registry's own namespace: its pod runs the upstream image from Docker Hub,
      // and an allowlist of this registry would keep the registry itself from starting.
      namespaceSelector: {
        matchExpressions: [
          { key: "kubernetes.io/metadata.name", operator: "NotIn", values: [o.namespace] },
        ],
      },
      recipe: "custom",
      input: { rules: [rule] },
    },
  };
}

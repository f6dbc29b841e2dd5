/**
 * The Kubernetes objects of a Customs installation (`customs install`): pure builders, no I/O.
 * Why each setting is what it is sits beside it; docs/install.md says the same for users.
 */

export interface InstallOptions {
  readonly namespace: string;
  readonly image: string;
  readonly replicas: number;
  /** Seconds the API server waits for the webhook (1–30). */
  readonly timeoutSeconds: number;
  /** PEM bundle the API server trusts for the webhook (self-signed mode); undefined with cert-manager. */
  readonly caBundle: string | undefined;
  readonly certManager: boolean;
  /** Also register `POST /mutate` (digest pinning for policies with pinDigests: true). */
  readonly mutate?: boolean;
}

export const WEBHOOK_NAME = "validate.customs.dev";
const APP = "customs-webhook";
const labels = { "app.kubernetes.io/name": APP, "app.kubernetes.io/part-of": "customs" };

/** Every workload kind of the spec, and the ephemeral-containers subresource of pods. */
export const ADMISSION_RULES = [
  {
    apiGroups: [""],
    apiVersions: ["v1"],
    operations: ["CREATE", "UPDATE"],
    resources: ["pods", "pods/ephemeralcontainers", "replicationcontrollers", "podtemplates"],
    scope: "Namespaced",
  },
  {
    apiGroups: ["apps"],
    apiVersions: ["v1"],
    operations: ["CREATE", "UPDATE"],
    resources: ["deployments", "replicasets", "statefulsets", "daemonsets"],
    scope: "Namespaced",
  },
  {
    apiGroups: ["batch"],
    apiVersions: ["v1"],
    operations: ["CREATE", "UPDATE"],
    resources: ["jobs", "cronjobs"],
    scope: "Namespaced",
  },
];

export function buildNamespace(o: InstallOptions) {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: o.namespace,
      labels: { ...labels, "pod-security.kubernetes.io/enforce": "restricted" },
    },
  };
}

export function buildRbac(o: InstallOptions) {
  const meta = (name: string) => ({ name, labels });
  return [
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { ...meta(APP), namespace: o.namespace },
      automountServiceAccountToken: true,
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: meta(APP),
      // Read-only, and only what the webhook decides with: its policies and namespace labels.
      rules: [
        {
          apiGroups: ["customs.dev"],
          resources: ["imagepolicies", "workspaces"],
          verbs: ["get", "list", "watch"],
        },
        { apiGroups: [""], resources: ["namespaces"], verbs: ["get", "list", "watch"] },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: meta(APP),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: APP },
      subjects: [{ kind: "ServiceAccount", name: APP, namespace: o.namespace }],
    },
  ];
}

export function buildDeployment(o: InstallOptions) {
  const probe = (path: string) => ({
    httpGet: { path, port: 8443, scheme: "HTTPS" },
    periodSeconds: 10,
    timeoutSeconds: 2,
  });
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: APP, namespace: o.namespace, labels },
    spec: {
      replicas: o.replicas,
      selector: { matchLabels: labels },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: APP,
          priorityClassName: "system-cluster-critical",
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 65532,
            runAsGroup: 65532,
            seccompProfile: { type: "RuntimeDefault" },
          },
          // Spread replicas so that one node going down does not take admission with it.
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: "kubernetes.io/hostname",
              whenUnsatisfiable: "ScheduleAnyway",
              labelSelector: { matchLabels: labels },
            },
          ],
          terminationGracePeriodSeconds: 30,
          containers: [
            {
              name: "webhook",
              image: o.image,
              args: [
                "serve",
                "--from-cluster",
                "--listen",
                "0.0.0.0:8443",
                "--tls-cert",
                "/tls/tls.crt",
                "--tls-key",
                "/tls/tls.key",
                ...(o.mutate ? ["--mutate"] : []),
              ],
              ports: [{ name: "https", containerPort: 8443 }],
              readinessProbe: probe("/readyz"),
              livenessProbe: probe("/healthz"),
              resources: {
                requests: { cpu: "100m", memory: "128Mi" },
                limits: { memory: "512Mi" },
              },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
              },
              volumeMounts: [{ name: "tls", mountPath: "/tls", readOnly: true }],
            },
          ],
          volumes: [{ name: "tls", secret: { secretName: `${APP}-tls` } }],
        },
      },
    },
  };
}

export function buildServiceAndBudget(o: InstallOptions) {
  return [
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: APP, namespace: o.namespace, labels },
      spec: {
        type: "ClusterIP",
        selector: labels,
        ports: [{ name: "https", port: 443, targetPort: 8443 }],
      },
    },
    {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: APP, namespace: o.namespace, labels },
      spec: { minAvailable: 1, selector: { matchLabels: labels } },
    },
  ];
}

export function buildWebhookConfiguration(o: InstallOptions) {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingWebhookConfiguration",
    metadata: {
      name: "customs",
      labels,
      ...(o.certManager
        ? { annotations: { "cert-manager.io/inject-ca-from": `${o.namespace}/${APP}` } }
        : {}),
    },
    webhooks: [
      {
        name: WEBHOOK_NAME,
        admissionReviewVersions: ["v1"],
        sideEffects: "None",
        // Fail closed: if the webhook cannot answer, nothing it guards is admitted.
        failurePolicy: "Fail",
        matchPolicy: "Equivalent",
        timeoutSeconds: o.timeoutSeconds,
        clientConfig: {
          service: { name: APP, namespace: o.namespace, path: "/validate", port: 443 },
          ...(o.caBundle === undefined
            ? {}
            : { caBundle: Buffer.from(o.caBundle).toString("base64") }),
        },
        rules: ADMISSION_RULES,
        // Never its own namespace (it could not start its own pods) nor kube-system (the
        // cluster could lock itself out): these namespaces are outside every policy.
        namespaceSelector: {
          matchExpressions: [
            {
              key: "kubernetes.io/metadata.name",
              operator: "NotIn",
              values: [o.namespace, "kube-system"],
            },
          ],
        },
      },
    ],
  };
}

/**
 * The optional mutating webhook: pins images to digests for policies that opt in. It may not
 * refuse anything (the validating webhook does), so a failure to reach it only skips pinning.
 */
export function buildMutatingWebhookConfiguration(o: InstallOptions) {
  const validating = buildWebhookConfiguration(o);
  const [hook] = validating.webhooks;
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "MutatingWebhookConfiguration",
    metadata: validating.metadata,
    webhooks: [
      {
        ...hook,
        name: "mutate.customs.dev",
        failurePolicy: "Ignore",
        reinvocationPolicy: "IfNeeded",
        timeoutSeconds: Math.max(o.timeoutSeconds, 5),
        clientConfig: {
          ...hook?.clientConfig,
          service: { ...hook?.clientConfig.service, path: "/mutate" },
        },
      },
    ],
  };
}

export function buildTlsSecret(
  o: InstallOptions,
  cert: { certPem: string; keyPem: string },
  caPem: string,
) {
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "kubernetes.io/tls",
    metadata: { name: `${APP}-tls`, namespace: o.namespace, labels },
    stringData: { "tls.crt": cert.certPem, "tls.key": cert.keyPem, "ca.crt": caPem },
  };
}

export function buildCertManagerObjects(o: InstallOptions) {
  return [
    {
      apiVersion: "cert-manager.io/v1",
      kind: "Issuer",
      metadata: { name: `${APP}-selfsigned`, namespace: o.namespace },
      spec: { selfSigned: {} },
    },
    {
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: { name: APP, namespace: o.namespace },
      spec: {
        secretName: `${APP}-tls`,
        dnsNames: serviceDnsNames(o.namespace),
        issuerRef: { name: `${APP}-selfsigned`, kind: "Issuer" },
        duration: "2160h",
        renewBefore: "360h",
        privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
      },
    },
  ];
}

export function serviceDnsNames(namespace: string): string[] {
  return [`${APP}.${namespace}.svc`, `${APP}.${namespace}.svc.cluster.local`];
}

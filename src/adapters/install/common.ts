/**
 * What the webhook (`customs install webhook`) and the agent (`customs install agent`) share:
 * labels, the hardened pod, TLS, the webhook configuration, Service, budget, network policy and
 * ServiceMonitor. The Helm chart (deploy/helm/customs) renders the same objects from the same
 * values; test/helm-parity.test.ts compares them object by object, so a change here needs the
 * same change in the chart's templates.
 */
import { DEFAULT_EXEMPT_NAMESPACES, NAMESPACE_NAME_LABEL } from "../../core/policy/index.js";

/** Seconds a terminating webhook Pod keeps serving before SIGTERM (see the preStop hook). */
export const PRESTOP_SECONDS = 5;

export type FailurePolicy = "Fail" | "Ignore";
export type PullPolicy = "Always" | "IfNotPresent" | "Never";

/** Container resources as Kubernetes spells them (quantities are strings). */
export interface Resources {
  readonly requests?: Readonly<Record<string, string>>;
  readonly limits?: Readonly<Record<string, string>>;
}

export const DEFAULT_RESOURCES: Resources = {
  requests: { cpu: "100m", memory: "128Mi" },
  limits: { memory: "512Mi" },
};

/** The options the webhook and the agent have alike (the chart's per-component values). */
export interface InstallOptions {
  readonly namespace: string;
  readonly image: string;
  readonly replicas: number;
  /** Seconds the API server waits for the webhook (1–30); the server gets the same value. */
  readonly timeoutSeconds: number;
  /** PEM bundle the API server trusts for the webhook (self-signed mode); undefined with cert-manager. */
  readonly caBundle: string | undefined;
  readonly certManager: boolean;
  /** Also register `POST /mutate` (digest pinning for policies with pinDigests: true). */
  readonly mutate?: boolean;
  readonly imagePullPolicy?: PullPolicy;
  readonly imagePullSecrets?: readonly string[];
  /** Fail (default): nothing the webhook guards is admitted while it cannot answer. */
  readonly failurePolicy?: FailurePolicy;
  /** Namespaces outside every policy (default: kube-system, customs-system); `namespace` always is. */
  readonly exemptNamespaces?: readonly string[];
  readonly resources?: Resources;
  /** A PodDisruptionBudget (minAvailable 1) when there is more than one replica (default on). */
  readonly podDisruptionBudget?: boolean;
  /** A NetworkPolicy that lets in only the webhook port (default off). */
  readonly networkPolicy?: boolean;
  /** A prometheus-operator ServiceMonitor for /metrics (default off). */
  readonly serviceMonitor?: boolean;
  /** A kubernetes.io/dockerconfigjson Secret with registry credentials for supply-chain facts. */
  readonly registryCredentialsSecret?: string;
  /** A ConfigMap whose `ca.crt` holds extra CAs for registries. */
  readonly registryCaConfigMap?: string;
  /** Run the background audit this often (RBAC to watch workloads only then; docs/audit.md). */
  readonly auditIntervalMs?: number;
  /** With the audit: API requests a second at most (`--audit-qps`; 5 when absent). */
  readonly auditQps?: number;
  /** With the audit: evaluations between yields (`--audit-batch`; 100 when absent). */
  readonly auditBatch?: number;
  /** With the audit: write PolicyReports (the default; RBAC on policyreports only then). */
  readonly policyReports?: boolean;
  /**
   * The CA of the API server's client certificate (`--client-ca-file`): reviews are answered
   * only to callers it signed. The chart's `webhook.clientCA` / `agent.clientCA`.
   */
  readonly clientCa?: ClientCaSource;
}

/** The audit's default `--audit-qps`: not written out when it is the value. */
export const DEFAULT_AUDIT_QPS = 5;

/** The audit's default `--audit-batch`: not written out when it is the value. */
export const DEFAULT_AUDIT_BATCH = 100;

/**
 * What the background audit reads and writes: list and watch of every workload kind it
 * judges, and the PolicyReports it keeps (never ClusterPolicyReports: every result is about
 * a namespaced workload).
 */
export function auditRules(policyReports: boolean): Record<string, unknown>[] {
  return [
    { apiGroups: [""], resources: ["pods"], verbs: ["list", "watch"] },
    {
      apiGroups: ["apps"],
      resources: ["deployments", "statefulsets", "daemonsets", "replicasets"],
      verbs: ["list", "watch"],
    },
    { apiGroups: ["batch"], resources: ["cronjobs", "jobs"], verbs: ["list", "watch"] },
    ...(policyReports
      ? [
          {
            apiGroups: ["wgpolicyk8s.io"],
            resources: ["policyreports"],
            verbs: ["get", "list", "create", "update", "delete"],
          },
        ]
      : []),
  ];
}

/** The audit's flags after `--audit-interval`: only what differs from the defaults. */
export function auditArgs(o: InstallOptions): string[] {
  if (o.auditIntervalMs === undefined) return [];
  return [
    ...(o.auditQps !== undefined && o.auditQps !== DEFAULT_AUDIT_QPS
      ? ["--audit-qps", String(o.auditQps)]
      : []),
    ...(o.auditBatch !== undefined && o.auditBatch !== DEFAULT_AUDIT_BATCH
      ? ["--audit-batch", String(o.auditBatch)]
      : []),
    ...(o.policyReports === false ? ["--no-policy-reports"] : []),
  ];
}

/** An existing ConfigMap or Secret and the key holding the CA bundle (PEM). */
export type ClientCaSource =
  | { readonly configMap: string; readonly key: string }
  | { readonly secret: string; readonly key: string };

/** Names of the objects the chart creates from inline values (shared by both components). */
export const REGISTRY_CREDENTIALS_SECRET = "customs-registry-credentials";
export const REGISTRY_CA_CONFIGMAP = "customs-registry-ca";
export const WEBHOOK_PORT = 8443;

export type Component = "customs-webhook" | "customs-agent";

export function labelsOf(app: Component | "customs-control-plane") {
  return { "app.kubernetes.io/name": app, "app.kubernetes.io/part-of": "customs" };
}

/**
 * apiVersion, kind and metadata of an object of component `app` in the install namespace.
 * `labels` is passed in so that the selectors reusing it share the one object.
 */
function ownObject(
  o: InstallOptions,
  app: Component | "customs-control-plane",
  type: { apiVersion: string; kind: string },
  labels: Record<string, string> = labelsOf(app),
  name: string = app,
) {
  return { ...type, metadata: { name, namespace: o.namespace, labels } };
}

/** The exempt namespaces with the install's own namespace first, each once. */
export function exemptOf(o: InstallOptions): string[] {
  return [...new Set([o.namespace, ...(o.exemptNamespaces ?? DEFAULT_EXEMPT_NAMESPACES)])];
}

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
      labels: {
        "app.kubernetes.io/part-of": "customs",
        "pod-security.kubernetes.io/enforce": "restricted",
      },
    },
  };
}

export function buildServiceAccount(o: InstallOptions, app: Component | "customs-control-plane") {
  return {
    ...ownObject(o, app, { apiVersion: "v1", kind: "ServiceAccount" }),
    automountServiceAccountToken: true,
  };
}

export function buildClusterRoleAndBinding(
  o: InstallOptions,
  app: Component,
  rules: Record<string, unknown>[],
) {
  const labels = labelsOf(app);
  return [
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: app, labels },
      rules,
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: app, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: app },
      subjects: [{ kind: "ServiceAccount", name: app, namespace: o.namespace }],
    },
  ];
}

/** The Lease the audit's replicas elect their leader with (docs/audit.md). */
export const AUDIT_LEASE = "customs-audit";

/**
 * The audit's leader election, in the install namespace only: get and update of the one
 * Lease by name; create cannot be limited to a name (the name is not known when it is
 * authorized), so it is granted on leases of that namespace.
 */
export function buildAuditLeaseRbac(o: InstallOptions, app: Component) {
  const labels = labelsOf(app);
  const name = `${app}-audit-lease`;
  return [
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name, namespace: o.namespace, labels },
      rules: [
        {
          apiGroups: ["coordination.k8s.io"],
          resources: ["leases"],
          resourceNames: [AUDIT_LEASE],
          verbs: ["get", "update"],
        },
        { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name, namespace: o.namespace, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
      subjects: [{ kind: "ServiceAccount", name: app, namespace: o.namespace }],
    },
  ];
}

/** uid 65532 (the image's user), no privilege, nothing written outside the mounted volumes. */
export const POD_SECURITY_CONTEXT = {
  runAsNonRoot: true,
  runAsUser: 65532,
  runAsGroup: 65532,
  fsGroup: 65532,
  seccompProfile: { type: "RuntimeDefault" },
};
export const CONTAINER_SECURITY_CONTEXT = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ["ALL"] },
};

interface Mount {
  readonly volume: Record<string, unknown>;
  readonly mount: Record<string, unknown>;
  readonly args: readonly string[];
}

/** Registry credentials and CAs for supply-chain facts, as volumes and the server's flags. */
export function registryMounts(o: InstallOptions, caFlag: string): Mount[] {
  const out: Mount[] = [];
  if (o.registryCredentialsSecret !== undefined) {
    out.push({
      volume: {
        name: "registry-credentials",
        secret: {
          secretName: o.registryCredentialsSecret,
          items: [{ key: ".dockerconfigjson", path: "config.json" }],
        },
      },
      mount: { name: "registry-credentials", mountPath: "/etc/customs/registry", readOnly: true },
      args: ["--registry-config", "/etc/customs/registry/config.json"],
    });
  }
  if (o.registryCaConfigMap !== undefined) {
    out.push({
      volume: { name: "registry-ca", configMap: { name: o.registryCaConfigMap } },
      mount: { name: "registry-ca", mountPath: "/etc/customs/registry-ca", readOnly: true },
      args: [caFlag, "/etc/customs/registry-ca/ca.crt"],
    });
  }
  return out;
}

/** The API server's client CA as a volume and `--client-ca-file` (none when not given). */
export function clientCaMounts(o: InstallOptions): Mount[] {
  const ca = o.clientCa;
  if (ca === undefined) return [];
  const items = [{ key: ca.key, path: "ca.crt" }];
  return [
    {
      volume:
        "configMap" in ca
          ? { name: "client-ca", configMap: { name: ca.configMap, items } }
          : { name: "client-ca", secret: { secretName: ca.secret, items } },
      mount: { name: "client-ca", mountPath: "/etc/customs/client-ca", readOnly: true },
      args: ["--client-ca-file", "/etc/customs/client-ca/ca.crt"],
    },
  ];
}

/** The flags of a webhook-serving command: its port, the mounted TLS pair, its deadline. */
export function servingArgs(o: InstallOptions): string[] {
  return [
    "--listen",
    `0.0.0.0:${WEBHOOK_PORT}`,
    "--tls-cert",
    "/tls/tls.crt",
    "--tls-key",
    "/tls/tls.key",
    // The facts budget derives from it: the answer comes before the API server gives up.
    "--timeout-seconds",
    String(o.timeoutSeconds),
  ];
}

/** The pod of a webhook-serving component: hardened, spread, probed, /tmp writable. */
export function buildWebhookPod(
  o: InstallOptions,
  app: Component,
  container: { name: string; args: string[]; mounts: Mount[] },
) {
  const labels = labelsOf(app);
  const probe = (path: string) => ({
    httpGet: { path, port: WEBHOOK_PORT, scheme: "HTTPS" },
    periodSeconds: 10,
    timeoutSeconds: 2,
  });
  const pullSecrets = o.imagePullSecrets ?? [];
  return {
    ...ownObject(o, app, { apiVersion: "apps/v1", kind: "Deployment" }, labels),
    spec: {
      replicas: o.replicas,
      selector: { matchLabels: labels },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: app,
          priorityClassName: "system-cluster-critical",
          securityContext: POD_SECURITY_CONTEXT,
          ...(pullSecrets.length > 0
            ? { imagePullSecrets: pullSecrets.map((name) => ({ name })) }
            : {}),
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
              name: container.name,
              image: o.image,
              imagePullPolicy: o.imagePullPolicy ?? "IfNotPresent",
              args: [...container.args, ...container.mounts.flatMap((m) => m.args)],
              ports: [{ name: "https", containerPort: WEBHOOK_PORT }],
              readinessProbe: probe("/readyz"),
              livenessProbe: probe("/healthz"),
              // A deleted Pod stays in the Service's endpoints until kube-proxy and the API
              // server's own resolver have seen it go: it keeps serving meanwhile, then drains
              // on SIGTERM. Without this, admission calls land on a closed port for a moment
              // and fail closed (the kubelet's own sleep: the image has no shell).
              lifecycle: { preStop: { sleep: { seconds: PRESTOP_SECONDS } } },
              resources: o.resources ?? DEFAULT_RESOURCES,
              securityContext: CONTAINER_SECURITY_CONTEXT,
              volumeMounts: [
                { name: "tls", mountPath: "/tls", readOnly: true },
                // The root filesystem is read-only; Node and TLS libraries may want a /tmp.
                { name: "tmp", mountPath: "/tmp" },
                ...container.mounts.map((m) => m.mount),
              ],
            },
          ],
          volumes: [
            { name: "tls", secret: { secretName: `${app}-tls` } },
            { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
            ...container.mounts.map((m) => m.volume),
          ],
        },
      },
    },
  };
}

/** Service; a PodDisruptionBudget when a voluntary eviction can leave a replica serving. */
export function buildServiceAndBudget(o: InstallOptions, app: Component = "customs-webhook") {
  const labels = labelsOf(app);
  const service = {
    ...ownObject(o, app, { apiVersion: "v1", kind: "Service" }, labels),
    spec: {
      type: "ClusterIP",
      selector: labels,
      ports: [{ name: "https", port: 443, targetPort: WEBHOOK_PORT }],
    },
  };
  // With one replica, minAvailable 1 would block every node drain forever: no budget then.
  if (o.podDisruptionBudget === false || o.replicas < 2) return [service];
  return [
    service,
    {
      ...ownObject(o, app, { apiVersion: "policy/v1", kind: "PodDisruptionBudget" }, labels),
      spec: { minAvailable: 1, selector: { matchLabels: labels } },
    },
  ];
}

/**
 * Only the webhook port is let in, from anywhere: the API server calls from addresses no
 * selector can name (host network, or outside the cluster on managed control planes).
 */
export function buildNetworkPolicy(o: InstallOptions, app: Component) {
  const labels = labelsOf(app);
  return {
    ...ownObject(o, app, { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy" }, labels),
    spec: {
      podSelector: { matchLabels: labels },
      policyTypes: ["Ingress"],
      ingress: [{ ports: [{ protocol: "TCP", port: WEBHOOK_PORT }] }],
    },
  };
}

export function buildServiceMonitor(o: InstallOptions, app: Component) {
  const labels = labelsOf(app);
  return {
    ...ownObject(
      o,
      app,
      { apiVersion: "monitoring.coreos.com/v1", kind: "ServiceMonitor" },
      labels,
    ),
    spec: {
      selector: { matchLabels: labels },
      endpoints: [
        {
          port: "https",
          scheme: "https",
          path: "/metrics",
          interval: "30s",
          // Verified against the serving certificate's CA, under the Service's name.
          tlsConfig: {
            ca: { secret: { name: `${app}-tls`, key: "ca.crt" } },
            serverName: `${app}.${o.namespace}.svc`,
          },
        },
      ],
    },
  };
}

/** The optional objects of a component, in the order both renderers print them. */
export function buildExtras(o: InstallOptions, app: Component) {
  return [
    ...(o.networkPolicy ? [buildNetworkPolicy(o, app)] : []),
    ...(o.serviceMonitor ? [buildServiceMonitor(o, app)] : []),
  ];
}

export function buildValidatingWebhook(
  o: InstallOptions,
  app: Component,
  configurationName: string,
  webhookName: string,
) {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingWebhookConfiguration",
    metadata: {
      name: configurationName,
      labels: labelsOf(app),
      ...(o.certManager
        ? { annotations: { "cert-manager.io/inject-ca-from": `${o.namespace}/${app}` } }
        : {}),
    },
    webhooks: [
      {
        name: webhookName,
        admissionReviewVersions: ["v1"],
        sideEffects: "None",
        // Fail closed by default: if the webhook cannot answer, nothing it guards is admitted.
        failurePolicy: o.failurePolicy ?? "Fail",
        matchPolicy: "Equivalent",
        timeoutSeconds: o.timeoutSeconds,
        clientConfig: {
          service: { name: app, namespace: o.namespace, path: "/validate", port: 443 },
          ...(o.caBundle === undefined
            ? {}
            : { caBundle: Buffer.from(o.caBundle).toString("base64") }),
        },
        rules: ADMISSION_RULES,
        // Never its own namespace (it could not start its own pods) nor kube-system (the
        // cluster could lock itself out): these namespaces are outside every policy. The
        // native policies' bindings exempt the same list (--exempt-namespace).
        namespaceSelector: {
          matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: "NotIn", values: exemptOf(o) }],
        },
      },
    ],
  };
}

export function buildTlsSecret(
  o: InstallOptions,
  cert: { certPem: string; keyPem: string },
  caPem: string,
  app: Component = "customs-webhook",
) {
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "kubernetes.io/tls",
    metadata: { name: `${app}-tls`, namespace: o.namespace, labels: labelsOf(app) },
    stringData: { "tls.crt": cert.certPem, "tls.key": cert.keyPem, "ca.crt": caPem },
  };
}

const ISSUER = { apiVersion: "cert-manager.io/v1", kind: "Issuer" };

export function buildCertManagerObjects(o: InstallOptions, app: Component = "customs-webhook") {
  const labels = labelsOf(app);
  return [
    {
      ...ownObject(o, app, ISSUER, labels, `${app}-selfsigned`),
      spec: { selfSigned: {} },
    },
    {
      ...ownObject(o, app, { apiVersion: "cert-manager.io/v1", kind: "Certificate" }, labels),
      spec: {
        secretName: `${app}-tls`,
        dnsNames: serviceDnsNames(o.namespace, app),
        issuerRef: { name: `${app}-selfsigned`, kind: "Issuer" },
        duration: "2160h",
        renewBefore: "360h",
        privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
      },
    },
  ];
}

export function serviceDnsNames(namespace: string, app: Component = "customs-webhook"): string[] {
  return [`${app}.${namespace}.svc`, `${app}.${namespace}.svc.cluster.local`];
}

/** Metadata of an object the webhook and the agent both use: of no one component. */
function sharedMetadata(o: InstallOptions, name: string) {
  return { name, namespace: o.namespace, labels: { "app.kubernetes.io/part-of": "customs" } };
}

/** Registry credentials given inline (a docker config.json), as the Secret both mount. */
export function buildRegistryCredentialsSecret(o: InstallOptions, dockerConfigJson: string) {
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "kubernetes.io/dockerconfigjson",
    metadata: sharedMetadata(o, REGISTRY_CREDENTIALS_SECRET),
    stringData: { ".dockerconfigjson": dockerConfigJson },
  };
}

/** Registry CAs given inline (PEM), as the ConfigMap both mount. */
export function buildRegistryCaConfigMap(o: InstallOptions, pem: string) {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: sharedMetadata(o, REGISTRY_CA_CONFIGMAP),
    data: { "ca.crt": pem },
  };
}

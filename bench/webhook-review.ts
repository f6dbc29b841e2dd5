/** The AdmissionReview `npm run bench:webhook` sends (bench/webhook.ts). */

const container = (name: string, image: string, port: number) => ({
  name,
  image,
  imagePullPolicy: "IfNotPresent",
  args: ["--config=/etc/app/config.yaml", "--log-format=json", `--port=${port}`],
  ports: [{ name: "http", containerPort: port, protocol: "TCP" }],
  env: [
    { name: "APP_ENV", value: "production" },
    { name: "OTEL_EXPORTER_OTLP_ENDPOINT", value: "http://otel-collector.observability:4317" },
    { name: "POD_NAME", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.name" } } },
    {
      name: "DB_PASSWORD",
      valueFrom: { secretKeyRef: { name: "payments-db", key: "password" } },
    },
  ],
  resources: {
    requests: { cpu: "100m", memory: "128Mi" },
    limits: { cpu: "500m", memory: "512Mi" },
  },
  readinessProbe: {
    httpGet: { path: "/readyz", port, scheme: "HTTP" },
    periodSeconds: 10,
    timeoutSeconds: 1,
    successThreshold: 1,
    failureThreshold: 3,
  },
  livenessProbe: {
    httpGet: { path: "/healthz", port, scheme: "HTTP" },
    initialDelaySeconds: 10,
    periodSeconds: 10,
    timeoutSeconds: 1,
    successThreshold: 1,
    failureThreshold: 3,
  },
  securityContext: {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
  },
  volumeMounts: [
    { name: "config", mountPath: "/etc/app", readOnly: true },
    { name: "tmp", mountPath: "/tmp" },
  ],
  terminationMessagePath: "/dev/termination-log",
  terminationMessagePolicy: "File",
});

/**
 * A CREATE review of a 3-container Deployment as an API server sends it (managed fields,
 * probes, env, resources, security context), about 6 KB.
 */
export function deploymentReview(i: number): string {
  const name = `payments-api-${i}`;
  const labels = { app: name, team: "payments", "app.kubernetes.io/part-of": "checkout" };
  return JSON.stringify({
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: `7f3b2a10-1c2d-4e5f-8a9b-${i.toString(16).padStart(12, "0")}`,
      kind: { group: "apps", version: "v1", kind: "Deployment" },
      resource: { group: "apps", version: "v1", resource: "deployments" },
      requestKind: { group: "apps", version: "v1", kind: "Deployment" },
      requestResource: { group: "apps", version: "v1", resource: "deployments" },
      name,
      namespace: "team-payments",
      operation: "CREATE",
      userInfo: {
        username: "system:serviceaccount:argocd:argocd-application-controller",
        uid: "2b9c1d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e",
        groups: ["system:serviceaccounts", "system:serviceaccounts:argocd", "system:authenticated"],
      },
      object: {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: {
          name,
          namespace: "team-payments",
          uid: "9a8b7c6d-5e4f-3a2b-1c0d-e9f8a7b6c5d4",
          creationTimestamp: "2026-12-07T05:00:00Z",
          labels,
          annotations: {
            "argocd.argoproj.io/tracking-id": `checkout:apps/Deployment:team-payments/${name}`,
            "deployment.kubernetes.io/revision": "1",
          },
          managedFields: [
            {
              manager: "argocd-controller",
              operation: "Apply",
              apiVersion: "apps/v1",
              time: "2026-12-07T05:00:00Z",
              fieldsType: "FieldsV1",
              fieldsV1: {
                "f:metadata": { "f:labels": { "f:app": {}, "f:team": {} } },
                "f:spec": {
                  "f:replicas": {},
                  "f:selector": {},
                  "f:template": { "f:spec": { 'k:{"name":"app"}': {}, 'k:{"name":"proxy"}': {} } },
                },
              },
            },
          ],
        },
        spec: {
          replicas: 3,
          revisionHistoryLimit: 10,
          progressDeadlineSeconds: 600,
          selector: { matchLabels: { app: name } },
          strategy: {
            type: "RollingUpdate",
            rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 },
          },
          template: {
            metadata: { labels, annotations: { "prometheus.io/scrape": "true" } },
            spec: {
              serviceAccountName: "payments-api",
              restartPolicy: "Always",
              dnsPolicy: "ClusterFirst",
              schedulerName: "default-scheduler",
              terminationGracePeriodSeconds: 30,
              securityContext: { fsGroup: 2000, seccompProfile: { type: "RuntimeDefault" } },
              containers: [
                container(
                  "app",
                  `registry.mycorp.local:5000/team-payments/api:v1.${i % 13}.0@sha256:${(i % 500).toString(16).padStart(64, "0")}`,
                  8080,
                ),
                container("proxy", "quay.io/envoyproxy/envoy:v1.31.2", 9901),
                container("cache", `redis:7.${i % 4}`, 6379),
              ],
              volumes: [
                { name: "config", configMap: { name: `${name}-config`, defaultMode: 420 } },
                { name: "tmp", emptyDir: {} },
              ],
            },
          },
        },
        status: {},
      },
      oldObject: null,
      dryRun: false,
      options: { apiVersion: "meta.k8s.io/v1", kind: "CreateOptions", fieldManager: "argocd" },
    },
  });
}

/** AdmissionReview requests as a kube-apiserver sends them, for tests. */
let counter = 0;

const GVK: Record<string, { group: string; version: string; resource: string }> = {
  Pod: { group: "", version: "v1", resource: "pods" },
  Deployment: { group: "apps", version: "v1", resource: "deployments" },
  CronJob: { group: "batch", version: "v1", resource: "cronjobs" },
  PodTemplate: { group: "", version: "v1", resource: "podtemplates" },
  ConfigMap: { group: "", version: "v1", resource: "configmaps" },
};

export function review(
  object: Record<string, unknown>,
  options: {
    operation?: string;
    oldObject?: unknown;
    subResource?: string;
    namespace?: string;
    uid?: string;
  } = {},
): Record<string, unknown> {
  const kind = String(object.kind);
  const g = GVK[kind] ?? { group: "", version: "v1", resource: `${kind.toLowerCase()}s` };
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  return {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: options.uid ?? `uid-${++counter}`,
      kind: { group: g.group, version: g.version, kind },
      resource: { group: g.group, version: g.version, resource: g.resource },
      ...(options.subResource ? { subResource: options.subResource } : {}),
      name: metadata.name ?? "",
      namespace: options.namespace ?? metadata.namespace ?? "default",
      operation: options.operation ?? "CREATE",
      userInfo: { username: "tester" },
      object,
      oldObject: options.oldObject ?? null,
      dryRun: false,
    },
  };
}

export function pod(
  name: string,
  images: string[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "team-a" },
    spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })), ...extra },
  };
}

export function deployment(name: string, images: string[], replicas = 1): Record<string, unknown> {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "team-a" },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) },
      },
    },
  };
}

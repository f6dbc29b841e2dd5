/**
 * The admission webhook's objects (`customs install webhook`): pure builders, no I/O. What the
 * webhook and the agent share is in common.ts; why each setting is what it is sits beside it.
 */
import {
  buildClusterRoleAndBinding,
  buildServiceAccount,
  buildValidatingWebhook,
  buildWebhookPod,
  type InstallOptions,
  registryMounts,
  WEBHOOK_PORT,
} from "./common.js";

export const WEBHOOK_NAME = "validate.customs.dev";
const APP = "customs-webhook";

export function buildRbac(o: InstallOptions) {
  return [
    buildServiceAccount(o, APP),
    // Read-only, and only what the webhook decides with: its policies and namespace labels.
    ...buildClusterRoleAndBinding(o, APP, [
      {
        apiGroups: ["customs.dev"],
        resources: ["imagepolicies", "workspaces"],
        verbs: ["get", "list", "watch"],
      },
      { apiGroups: [""], resources: ["namespaces"], verbs: ["get", "list", "watch"] },
    ]),
  ];
}

export function buildDeployment(o: InstallOptions) {
  return buildWebhookPod(o, APP, {
    name: "webhook",
    args: [
      "serve",
      "--from-cluster",
      "--listen",
      `0.0.0.0:${WEBHOOK_PORT}`,
      "--tls-cert",
      "/tls/tls.crt",
      "--tls-key",
      "/tls/tls.key",
      // The facts budget derives from it: the answer comes before the API server gives up.
      "--timeout-seconds",
      String(o.timeoutSeconds),
      ...(o.mutate ? ["--mutate"] : []),
    ],
    mounts: registryMounts(o, "--ca-file"),
  });
}

export function buildWebhookConfiguration(o: InstallOptions) {
  return buildValidatingWebhook(o, APP, "customs", WEBHOOK_NAME);
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

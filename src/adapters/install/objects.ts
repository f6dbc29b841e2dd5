/**
 * The admission webhook's objects (`customs install webhook`): pure builders, no I/O. What the
 * webhook and the agent share is in common.ts; why each setting is what it is sits beside it.
 */
import {
  auditArgs,
  auditRules,
  buildAuditLeaseRbac,
  buildClusterRoleAndBinding,
  buildServiceAccount,
  buildValidatingWebhook,
  buildWebhookPod,
  clientCaMounts,
  type InstallOptions,
  registryMounts,
  servingArgs,
} from "./common.js";

export const WEBHOOK_NAME = "validate.customs.dev";
export const POLICIES_WEBHOOK_NAME = "policies.customs.dev";

/** Customs' own resources, checked by the validator when created or changed. */
export const POLICY_ADMISSION_RULES = [
  {
    apiGroups: ["customs.dev"],
    apiVersions: ["v1alpha1"],
    operations: ["CREATE", "UPDATE"],
    resources: ["imagepolicies", "workspaces", "imagepolicyexceptions"],
    scope: "Cluster",
  },
];
const APP = "customs-webhook";

export function buildRbac(o: InstallOptions) {
  return [
    buildServiceAccount(o, APP),
    // Read-only, and only what the webhook decides with: its policies and namespace labels.
    ...buildClusterRoleAndBinding(o, APP, [
      {
        apiGroups: ["customs.dev"],
        resources: ["imagepolicies", "workspaces", "imagepolicyexceptions"],
        verbs: ["get", "list", "watch"],
      },
      // Ready True, or Ready False with the validator's reason, on each ImagePolicy.
      {
        apiGroups: ["customs.dev"],
        resources: ["imagepolicies/status", "imagepolicyexceptions/status"],
        verbs: ["update"],
      },
      { apiGroups: [""], resources: ["namespaces"], verbs: ["get", "list", "watch"] },
      // The background audit, only when asked for (docs/audit.md).
      ...(o.auditIntervalMs === undefined ? [] : auditRules(o.policyReports !== false)),
    ]),
    ...(o.auditIntervalMs === undefined ? [] : buildAuditLeaseRbac(o, APP)),
  ];
}

export function buildDeployment(o: InstallOptions) {
  return buildWebhookPod(o, APP, {
    name: "webhook",
    args: [
      "serve",
      "webhook",
      "--from-cluster",
      ...servingArgs(o),
      ...(o.mutate ? ["--mutate"] : []),
      ...(o.auditIntervalMs === undefined ? [] : ["--audit-interval", String(o.auditIntervalMs)]),
      ...auditArgs(o),
    ],
    mounts: [...registryMounts(o, "--ca-file"), ...clientCaMounts(o)],
  });
}

export function buildWebhookConfiguration(o: InstallOptions) {
  const configuration = buildValidatingWebhook(o, APP, "customs", WEBHOOK_NAME);
  const [hook] = configuration.webhooks;
  if (hook === undefined) return configuration;
  // A second entry, so that --failure-policy Ignore for workloads never lets a policy the
  // engine refuses into the cluster: an unreachable webhook refuses policy changes (DELETE
  // is not checked, so a policy can always be removed).
  const { namespaceSelector: _cluster, ...rest } = hook;
  const policies = {
    ...rest,
    name: POLICIES_WEBHOOK_NAME,
    failurePolicy: "Fail" as const,
    rules: POLICY_ADMISSION_RULES,
  };
  return { ...configuration, webhooks: [hook, policies] };
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

/**
 * The cluster agent's objects (`customs install agent`, and the manifest the control plane
 * hands out when a cluster is added): the agent is the cluster's admission webhook, fed by the
 * control plane. Its token lives in a Secret mounted as a file: never in args or env, where
 * anyone who can read the pod spec or list processes would see it.
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
  exemptOf,
  type InstallOptions,
  registryMounts,
  servingArgs,
} from "./common.js";

const APP = "customs-agent";
export const AGENT_TOKEN_SECRET = "customs-agent-token";
export const AGENT_CONTROL_PLANE_CA = "customs-agent-control-plane-ca";

/**
 * The agent's background audit interval when an install names none (the chart's
 * `agent.auditIntervalMs`): installed agents audit by default, because the control plane's
 * compliance view and impact preview are built from the inventory the audit sends. 0 turns it off.
 */
export const DEFAULT_AGENT_AUDIT_INTERVAL_MS = 600_000;

/**
 * The audit interval an agent install renders: absent is the default, 0 is off (undefined,
 * as the builders below read it).
 */
export function agentAuditInterval(auditIntervalMs: number | undefined): number | undefined {
  const ms = auditIntervalMs ?? DEFAULT_AGENT_AUDIT_INTERVAL_MS;
  return ms === 0 ? undefined : ms;
}

export interface AgentInstallOptions extends InstallOptions {
  /** https://host:port of the control plane. */
  readonly controlPlaneUrl: string;
  /** Whether a CA for the control plane is mounted (the ConfigMap AGENT_CONTROL_PLANE_CA). */
  readonly controlPlaneCa: boolean;
  /** The Secret holding the token under the key `token` (default AGENT_TOKEN_SECRET). */
  readonly tokenSecret?: string;
  /** Also apply the policies as ValidatingAdmissionPolicies (RBAC for them only then). */
  readonly vap?: boolean;
  /** With the audit: read pull Secrets (RBAC to list secrets only then). */
  readonly readPullSecrets?: boolean;
}

/** Least privilege: namespaces always; pods and native policies only when asked for. */
export function buildAgentRbac(o: AgentInstallOptions) {
  const rules: Record<string, unknown>[] = [
    { apiGroups: [""], resources: ["namespaces"], verbs: ["get", "list", "watch"] },
  ];
  if (o.auditIntervalMs !== undefined) {
    rules.push(...auditRules(o.policyReports !== false));
    if (o.readPullSecrets) rules.push({ apiGroups: [""], resources: ["secrets"], verbs: ["list"] });
  }
  if (o.vap) {
    rules.push({
      apiGroups: ["admissionregistration.k8s.io"],
      resources: ["validatingadmissionpolicies", "validatingadmissionpolicybindings"],
      verbs: ["get", "list", "create", "update", "delete"],
    });
  }
  return [
    buildServiceAccount(o, APP),
    ...buildClusterRoleAndBinding(o, APP, rules),
    ...(o.auditIntervalMs === undefined ? [] : buildAuditLeaseRbac(o, APP)),
  ];
}

export function buildAgentTokenSecret(o: AgentInstallOptions, token: string) {
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "Opaque",
    metadata: {
      name: AGENT_TOKEN_SECRET,
      namespace: o.namespace,
      labels: { "app.kubernetes.io/name": APP, "app.kubernetes.io/part-of": "customs" },
    },
    stringData: { token },
  };
}

export function buildAgentCaConfigMap(o: AgentInstallOptions, caPem: string) {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: AGENT_CONTROL_PLANE_CA,
      namespace: o.namespace,
      labels: { "app.kubernetes.io/name": APP, "app.kubernetes.io/part-of": "customs" },
    },
    data: { "ca.crt": caPem },
  };
}

export function buildAgentDeployment(o: AgentInstallOptions) {
  const mounts = [
    {
      volume: { name: "token", secret: { secretName: o.tokenSecret ?? AGENT_TOKEN_SECRET } },
      mount: { name: "token", mountPath: "/etc/customs/agent", readOnly: true },
      args: ["--token-file", "/etc/customs/agent/token"],
    },
    ...(o.controlPlaneCa
      ? [
          {
            volume: { name: "control-plane-ca", configMap: { name: AGENT_CONTROL_PLANE_CA } },
            mount: {
              name: "control-plane-ca",
              mountPath: "/etc/customs/control-plane",
              readOnly: true,
            },
            args: ["--ca-file", "/etc/customs/control-plane/ca.crt"],
          },
        ]
      : []),
    {
      // The last applied bundle: kept across container restarts (enforcing while offline).
      volume: { name: "state", emptyDir: { sizeLimit: "64Mi" } },
      mount: { name: "state", mountPath: "/var/lib/customs-agent" },
      args: ["--state-dir", "/var/lib/customs-agent"],
    },
    ...registryMounts(o, "--registry-ca-file"),
    ...clientCaMounts(o),
  ];
  return buildWebhookPod(o, APP, {
    name: "agent",
    args: [
      "agent",
      "--control-plane",
      o.controlPlaneUrl,
      ...servingArgs(o),
      ...(o.vap ? ["--vap"] : []),
      ...(o.auditIntervalMs === undefined ? [] : ["--audit-interval", String(o.auditIntervalMs)]),
      ...(o.auditIntervalMs !== undefined && o.readPullSecrets ? ["--read-pull-secrets"] : []),
      ...auditArgs(o),
      // The --vap bindings exempt what the webhook configuration exempts.
      ...exemptOf(o).flatMap((ns) => ["--exempt-namespace", ns]),
    ],
    mounts,
  });
}

export function buildAgentWebhookConfiguration(o: AgentInstallOptions) {
  return buildValidatingWebhook(o, APP, "customs-agent", "validate.customs.dev");
}

import {
  type AgentInstallOptions,
  agentAuditInterval,
  buildAgentCaConfigMap,
  buildAgentDeployment,
  buildAgentRbac,
  buildAgentTokenSecret,
  buildAgentWebhookConfiguration,
  buildCertManagerObjects,
  buildDeployment,
  buildExtras,
  buildImagePolicyCrd,
  buildImagePolicyExceptionCrd,
  buildMutatingWebhookConfiguration,
  buildNamespace,
  buildRbac,
  buildRegistryCaConfigMap,
  buildRegistryCredentialsSecret,
  buildServiceAndBudget,
  buildTlsSecret,
  buildWebhookConfiguration,
  buildWorkspaceCrd,
  type Component,
  type InstallOptions,
  REGISTRY_CA_CONFIGMAP,
  REGISTRY_CREDENTIALS_SECRET,
  serviceDnsNames,
} from "../../adapters/install/index.js";
import type { PemPair } from "../../adapters/pki/index.js";

export { DEFAULT_AGENT_AUDIT_INTERVAL_MS } from "../../adapters/install/index.js";

/** What both renderers take besides the objects' options: TLS material and inline values. */
interface RenderExtras {
  /** Reuse this CA (so a re-render only issues a new serving certificate). */
  readonly ca?: PemPair;
  /** Also trusted during a CA rotation: the CA that signed the certificate still being served. */
  readonly previousCaPem?: string;
  readonly certDays: number;
  /** Print the Namespace (default true; the chart's namespace.create). */
  readonly createNamespace?: boolean;
  /** A docker config.json to store as the registry credentials Secret (instead of an existing one). */
  readonly registryDockerConfig?: string;
  /** PEM CAs for registries to store as a ConfigMap (instead of an existing one). */
  readonly registryCaPem?: string;
}

export interface RenderInstallOptions extends Omit<InstallOptions, "caBundle">, RenderExtras {}

export interface RenderAgentOptions
  extends Omit<AgentInstallOptions, "caBundle" | "controlPlaneCa">,
    RenderExtras {
  /**
   * The background audit's interval: absent is DEFAULT_AGENT_AUDIT_INTERVAL_MS (the agent
   * audits by default), 0 is off.
   */
  readonly auditIntervalMs?: number;
  /** The agent token, stored in a Secret (or give tokenSecret: an existing one). */
  readonly token?: string;
  /** The CA that signed the control plane's certificate (PEM). */
  readonly controlPlaneCaPem?: string;
}

export interface RenderedInstall {
  readonly objects: Record<string, unknown>[];
  /** The CA in use (new or reused), so a later rotation can name it as the previous one. */
  readonly ca: PemPair | undefined;
}

/** Serving certificate objects, and the caBundle the webhook configuration carries. */
async function servingTls(o: RenderExtras & InstallOptions, app: Component) {
  // Loaded on use: the X.509 library costs ~200 ms of start-up that other commands need not pay.
  const { createCertificateAuthority, issueServerCertificate } = await import(
    "../../adapters/pki/index.js"
  );
  if (o.certManager) {
    return { ca: undefined, caBundle: undefined, objects: buildCertManagerObjects(o, app) };
  }
  const ca = o.ca ?? (await createCertificateAuthority(`${app} CA`));
  const serving = await issueServerCertificate(
    ca,
    { dns: serviceDnsNames(o.namespace, app) },
    o.certDays,
  );
  const caBundle = o.previousCaPem === undefined ? ca.certPem : `${ca.certPem}${o.previousCaPem}`;
  return { ca, caBundle, objects: [buildTlsSecret(o, serving, ca.certPem, app)] };
}

/** Inline registry credentials and CAs become objects; the options then name them. */
function registryObjects<T extends InstallOptions>(o: T & RenderExtras) {
  const options: T = {
    ...o,
    ...(o.registryDockerConfig === undefined
      ? {}
      : { registryCredentialsSecret: REGISTRY_CREDENTIALS_SECRET }),
    ...(o.registryCaPem === undefined ? {} : { registryCaConfigMap: REGISTRY_CA_CONFIGMAP }),
  };
  const objects: Record<string, unknown>[] = [
    ...(o.registryDockerConfig === undefined
      ? []
      : [buildRegistryCredentialsSecret(o, o.registryDockerConfig)]),
    ...(o.registryCaPem === undefined ? [] : [buildRegistryCaConfigMap(o, o.registryCaPem)]),
  ];
  return { options, objects };
}

/**
 * Everything `customs install webhook` prints, in apply order: CRDs and namespace first, the
 * webhook configuration last (so the API server does not call a webhook that is not running
 * yet — with failurePolicy Fail that would block the rollout of its own Deployment's pods...
 * which the namespace exclusion also prevents).
 */
export async function renderInstall(o: RenderInstallOptions): Promise<RenderedInstall> {
  const tls = await servingTls({ ...o, caBundle: undefined }, "customs-webhook");
  const registry = registryObjects<InstallOptions>({ ...o, caBundle: tls.caBundle });
  const options = registry.options;
  return {
    ca: tls.ca,
    objects: [
      buildImagePolicyCrd(),
      buildWorkspaceCrd(),
      buildImagePolicyExceptionCrd(),
      ...(o.createNamespace === false ? [] : [buildNamespace(options)]),
      ...registry.objects,
      ...buildRbac(options),
      ...tls.objects,
      buildDeployment(options),
      ...buildServiceAndBudget(options, "customs-webhook"),
      ...buildExtras(options, "customs-webhook"),
      buildWebhookConfiguration(options),
      ...(o.mutate ? [buildMutatingWebhookConfiguration(options)] : []),
    ],
  };
}

/**
 * Everything `customs install agent` prints (and the control plane's "Add cluster" manifest):
 * the token in a Secret, the control plane's CA, the agent's serving certificate and its
 * ValidatingWebhookConfiguration, last.
 */
export async function renderAgentInstall(o: RenderAgentOptions): Promise<RenderedInstall> {
  const tls = await servingTls({ ...o, caBundle: undefined }, "customs-agent");
  const registry = registryObjects<AgentInstallOptions>({
    ...o,
    // The audit is on unless turned off with 0 (DEFAULT_AGENT_AUDIT_INTERVAL_MS).
    auditIntervalMs: agentAuditInterval(o.auditIntervalMs),
    caBundle: tls.caBundle,
    controlPlaneCa: o.controlPlaneCaPem !== undefined,
  });
  const options = registry.options;
  return {
    ca: tls.ca,
    objects: [
      ...(o.createNamespace === false ? [] : [buildNamespace(options)]),
      ...registry.objects,
      ...(o.token === undefined ? [] : [buildAgentTokenSecret(options, o.token)]),
      ...(o.controlPlaneCaPem === undefined
        ? []
        : [buildAgentCaConfigMap(options, o.controlPlaneCaPem)]),
      ...buildAgentRbac(options),
      ...tls.objects,
      buildAgentDeployment(options),
      ...buildServiceAndBudget(options, "customs-agent"),
      ...buildExtras(options, "customs-agent"),
      buildAgentWebhookConfiguration(options),
    ],
  };
}

import { readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { stringify } from "yaml";
import type { ClientCaSource, PullPolicy, Resources } from "../../adapters/install/index.js";
import type { RenderedInstall } from "../../app/webhook/index.js";
import { CustomsError } from "../../core/errors.js";
import { DEFAULT_EXEMPT_NAMESPACES, isDnsLabel } from "../../core/policy/index.js";
import { type OutputFormat, outputOption, YAML_OR_JSON } from "../flags/index.js";
import { examples } from "../help.js";
import { collect, productVersion, write } from "../io.js";

interface InstallFlags {
  namespace: string;
  createNamespace: boolean;
  image?: string;
  imagePullPolicy: string;
  imagePullSecret?: string[];
  replicas: string;
  timeout: string;
  failurePolicy: string;
  exemptNamespace?: string[];
  cpuRequest: string;
  memoryRequest: string;
  memoryLimit: string;
  podDisruptionBudget: boolean;
  networkPolicy?: boolean;
  serviceMonitor?: boolean;
  registrySecret?: string;
  registryConfig?: string;
  registryCaConfigmap?: string;
  registryCa?: string[];
  certManager?: boolean;
  caCert?: string;
  caKey?: string;
  previousCa?: string;
  writeCa?: string;
  certDays: string;
  output: OutputFormat;
  mutate?: boolean;
  controlPlane?: string;
  controlPlaneCa?: string;
  tokenFile?: string;
  tokenSecret?: string;
  vap?: boolean;
  auditInterval?: string;
  auditQps?: string;
  auditBatch?: string;
  policyReports?: boolean;
  readPullSecrets?: boolean;
  clientCaConfigmap?: string;
  clientCaSecret?: string;
  clientCaKey: string;
}

/** The image every component runs: the chart's default too (image.repository, appVersion). */
export const IMAGE_REPOSITORY = "ghcr.io/customs-dev/customs";
export function defaultImage(): string {
  return `${IMAGE_REPOSITORY}:${productVersion()}`;
}

export function toYamlStream(objects: readonly unknown[]): string {
  return objects.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join("");
}

function int(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new CustomsError("USAGE", `${name} must be an integer from ${min} to ${max}`);
  return n;
}

function oneOf<T extends string>(name: string, text: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(text))
    throw new CustomsError("USAGE", `${name} must be one of ${allowed.join(", ")}, got "${text}"`);
  return text as T;
}

function dnsLabel(name: string, text: string): string {
  if (!isDnsLabel(text))
    throw new CustomsError("USAGE", `${name}: "${text}" is not a valid Kubernetes name`);
  return text;
}

function readText(flag: string, path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new CustomsError("FILE_UNREADABLE", `${flag} ${path}: ${(e as Error).message}`);
  }
}

/** The options of both components, checked. */
function commonOptions(flags: InstallFlags) {
  dnsLabel("--namespace", flags.namespace);
  if ((flags.caCert === undefined) !== (flags.caKey === undefined))
    throw new CustomsError("USAGE", "--ca-cert and --ca-key go together");
  if (flags.registrySecret !== undefined && flags.registryConfig !== undefined)
    throw new CustomsError("USAGE", "--registry-secret and --registry-config exclude each other");
  if (flags.registryCaConfigmap !== undefined && flags.registryCa !== undefined)
    throw new CustomsError("USAGE", "--registry-ca-configmap and --registry-ca exclude each other");
  const resources: Resources = {
    requests: { cpu: flags.cpuRequest, memory: flags.memoryRequest },
    limits: { memory: flags.memoryLimit },
  };
  return {
    namespace: flags.namespace,
    createNamespace: flags.createNamespace,
    image: flags.image ?? defaultImage(),
    imagePullPolicy: oneOf<PullPolicy>("--image-pull-policy", flags.imagePullPolicy, [
      "Always",
      "IfNotPresent",
      "Never",
    ]),
    imagePullSecrets: (flags.imagePullSecret ?? []).map((s) => dnsLabel("--image-pull-secret", s)),
    replicas: int("--replicas", flags.replicas, 1, 20),
    timeoutSeconds: int("--timeout", flags.timeout, 1, 30),
    failurePolicy: oneOf("--failure-policy", flags.failurePolicy, ["Fail", "Ignore"] as const),
    exemptNamespaces: [
      ...new Set(
        (flags.exemptNamespace ?? DEFAULT_EXEMPT_NAMESPACES).map((n) =>
          dnsLabel("--exempt-namespace", n),
        ),
      ),
    ],
    resources,
    podDisruptionBudget: flags.podDisruptionBudget,
    networkPolicy: flags.networkPolicy === true,
    serviceMonitor: flags.serviceMonitor === true,
    certManager: flags.certManager === true,
    certDays: int("--cert-days", flags.certDays, 1, 3650),
    ...(flags.registrySecret === undefined
      ? {}
      : { registryCredentialsSecret: dnsLabel("--registry-secret", flags.registrySecret) }),
    ...(flags.registryConfig === undefined
      ? {}
      : { registryDockerConfig: readText("--registry-config", flags.registryConfig) }),
    ...(flags.registryCaConfigmap === undefined
      ? {}
      : { registryCaConfigMap: dnsLabel("--registry-ca-configmap", flags.registryCaConfigmap) }),
    ...(flags.registryCa === undefined
      ? {}
      : { registryCaPem: flags.registryCa.map((f) => readText("--registry-ca", f)).join("") }),
    ...(flags.caCert && flags.caKey
      ? {
          ca: {
            certPem: readText("--ca-cert", flags.caCert),
            keyPem: readText("--ca-key", flags.caKey),
          },
        }
      : {}),
    ...(flags.previousCa ? { previousCaPem: readText("--previous-ca", flags.previousCa) } : {}),
    ...clientCaOption(flags),
  };
}

/** `--client-ca-configmap` or `--client-ca-secret` (one), with `--client-ca-key`. */
function clientCaOption(flags: InstallFlags): { clientCa?: ClientCaSource } {
  const { clientCaConfigmap: configMap, clientCaSecret: secret, clientCaKey: key } = flags;
  if (configMap !== undefined && secret !== undefined)
    throw new CustomsError(
      "USAGE",
      "--client-ca-configmap and --client-ca-secret exclude each other",
    );
  // A ConfigMap or Secret key: letters, digits, '-', '_' and '.' (Kubernetes' rule).
  if (!/^[-._a-zA-Z0-9]{1,253}$/.test(key))
    throw new CustomsError("USAGE", `--client-ca-key: "${key}" is not a valid key`);
  if (configMap !== undefined)
    return { clientCa: { configMap: dnsLabel("--client-ca-configmap", configMap), key } };
  if (secret !== undefined)
    return { clientCa: { secret: dnsLabel("--client-ca-secret", secret), key } };
  return {};
}

const AGENT_ONLY = [
  "controlPlane",
  "controlPlaneCa",
  "tokenFile",
  "tokenSecret",
  "vap",
  "readPullSecrets",
];

async function render(component: string, flags: InstallFlags): Promise<RenderedInstall> {
  // Loaded here, not at start: every other command would pay for the install objects.
  const { renderAgentInstall, renderInstall } = await import("../../app/webhook/install.js");
  const common = commonOptions(flags);
  if (component === "webhook") {
    const given = AGENT_ONLY.filter((k) => flags[k as keyof InstallFlags] !== undefined);
    if (given.length > 0)
      throw new CustomsError("USAGE", `agent options given to the webhook: ${given.join(", ")}`);
    return renderInstall({ ...common, mutate: flags.mutate === true, ...auditOptions(flags) });
  }
  if (flags.mutate) throw new CustomsError("USAGE", "--mutate is for the webhook");
  if (flags.controlPlane === undefined || !/^https?:\/\/[^\s/]+/.test(flags.controlPlane))
    throw new CustomsError("USAGE", "install agent needs --control-plane https://host:port");
  if ((flags.tokenFile === undefined) === (flags.tokenSecret === undefined))
    throw new CustomsError(
      "USAGE",
      "give the agent token with --token-file FILE or name a Secret with --token-secret NAME",
    );
  const token =
    flags.tokenFile === undefined ? undefined : readText("--token-file", flags.tokenFile).trim();
  if (token === "") throw new CustomsError("USAGE", `--token-file ${flags.tokenFile} is empty`);
  return renderAgentInstall({
    ...common,
    controlPlaneUrl: flags.controlPlane,
    ...(token === undefined ? {} : { token }),
    ...(flags.tokenSecret === undefined
      ? {}
      : { tokenSecret: dnsLabel("--token-secret", flags.tokenSecret) }),
    ...(flags.controlPlaneCa === undefined
      ? {}
      : { controlPlaneCaPem: readText("--control-plane-ca", flags.controlPlaneCa) }),
    vap: flags.vap === true,
    ...agentAuditOptions(flags),
    readPullSecrets: flags.readPullSecrets === true,
  });
}

/**
 * The agent's background audit: on by default (renderAgentInstall fills in the interval,
 * DEFAULT_AGENT_AUDIT_INTERVAL_MS), `--audit-interval 0` turns it off. The webhook's stays
 * opt-in (auditOptions): it runs without a control plane, so its audit only writes PolicyReports.
 */
function agentAuditOptions(flags: InstallFlags) {
  if (flags.auditInterval === undefined) return auditSettings(flags);
  const ms = Number(flags.auditInterval);
  const blank = flags.auditInterval.trim() === "";
  if (blank || !Number.isInteger(ms) || !(ms === 0 || (ms >= 1000 && ms <= 86_400_000)))
    throw new CustomsError(
      "USAGE",
      "--audit-interval must be 0 (off) or an integer from 1000 to 86400000",
    );
  if (ms !== 0) return { auditIntervalMs: ms, ...auditSettings(flags) };
  if (flags.auditQps !== undefined)
    throw new CustomsError("USAGE", "--audit-qps needs the audit: not with --audit-interval 0");
  if (flags.auditBatch !== undefined)
    throw new CustomsError("USAGE", "--audit-batch needs the audit: not with --audit-interval 0");
  return { auditIntervalMs: 0 };
}

/** The background audit's options, for the webhook (opt-in: off without --audit-interval). */
function auditOptions(flags: InstallFlags) {
  if (flags.auditInterval === undefined) {
    if (flags.auditQps !== undefined)
      throw new CustomsError("USAGE", "--audit-qps needs --audit-interval");
    if (flags.auditBatch !== undefined)
      throw new CustomsError("USAGE", "--audit-batch needs --audit-interval");
    return {};
  }
  return {
    auditIntervalMs: int("--audit-interval", flags.auditInterval, 1000, 86_400_000),
    ...auditSettings(flags),
  };
}

/** What the audit's other flags set, when the audit runs. */
function auditSettings(flags: InstallFlags) {
  return {
    ...(flags.auditQps === undefined
      ? {}
      : { auditQps: int("--audit-qps", flags.auditQps, 1, 1_000) }),
    ...(flags.auditBatch === undefined
      ? {}
      : { auditBatch: int("--audit-batch", flags.auditBatch, 1, 100_000) }),
    policyReports: flags.policyReports !== false,
  };
}

export function registerInstall(program: Command): void {
  const install = program
    .command("install")
    .description(
      "print the manifests that install the admission webhook (default) or the cluster agent (apply with kubectl apply -f -); the Helm chart renders the same objects",
    )
    .argument("[component]", "webhook or agent", "webhook")
    .option("--namespace <name>", "namespace to install into", "customs-system")
    .option("--no-create-namespace", "do not print the Namespace object")
    .option("--image <image>", `container image (default: ${IMAGE_REPOSITORY}:VERSION)`)
    .option("--image-pull-policy <policy>", "Always, IfNotPresent or Never", "IfNotPresent")
    .option("--image-pull-secret <name>", "Secret to pull the image with (repeatable)", collect)
    .option("--replicas <n>", "replicas", "2")
    .option("--timeout <seconds>", "how long the API server waits for the webhook (1–30)", "5")
    .option("--failure-policy <policy>", "Fail (fail closed) or Ignore", "Fail")
    .option(
      "--exempt-namespace <name>",
      `namespace outside every policy (repeatable; replaces the defaults: ${DEFAULT_EXEMPT_NAMESPACES.join(", ")}; the install namespace always is)`,
      collect,
    )
    .option("--cpu-request <quantity>", "CPU request", "100m")
    .option("--memory-request <quantity>", "memory request", "128Mi")
    .option("--memory-limit <quantity>", "memory limit", "512Mi")
    .option("--no-pod-disruption-budget", "no PodDisruptionBudget (there is none with 1 replica)")
    .option("--network-policy", "a NetworkPolicy that lets in only the webhook port")
    .option("--service-monitor", "a prometheus-operator ServiceMonitor for /metrics")
    .option(
      "--registry-secret <name>",
      "existing kubernetes.io/dockerconfigjson Secret with registry credentials",
    )
    .option(
      "--registry-config <file>",
      "docker config.json with registry credentials, stored in a Secret",
    )
    .option("--registry-ca-configmap <name>", "existing ConfigMap whose ca.crt holds registry CAs")
    .option("--registry-ca <pem>", "registry CA, stored in a ConfigMap (repeatable)", collect)
    .option("--cert-manager", "let cert-manager issue and rotate the serving certificate")
    .option(
      "--ca-cert <file>",
      "reuse this CA certificate (with --ca-key) instead of making a new one",
    )
    .option("--ca-key <file>", "the CA's private key")
    .option("--previous-ca <file>", "also trust this CA during a rotation")
    .option("--write-ca <prefix>", "save the CA as PREFIX.crt and PREFIX.key for later rotations")
    .option("--cert-days <n>", "validity of the serving certificate", "365")
    .option(
      "--mutate",
      "webhook: also register POST /mutate (digest pinning for policies with pinDigests: true)",
    )
    .option("--control-plane <url>", "agent: the control plane's URL (https://host:port)")
    .option("--control-plane-ca <pem>", "agent: CA that signed the control plane's certificate")
    .option("--token-file <file>", "agent: file holding the agent token, stored in a Secret")
    .option("--token-secret <name>", "agent: existing Secret holding the token under `token`")
    .option("--vap", "agent: also apply the policies as ValidatingAdmissionPolicies")
    .option(
      "--audit-interval <ms>",
      "audit the cluster's workloads this often in ms (and on every change), into PolicyReports; agent: default 600000, 0 turns it off; webhook: off by default",
    )
    .option("--audit-qps <n>", "agent: API requests a second the audit makes at most (default 5)")
    .option(
      "--audit-batch <n>",
      "agent: workloads the audit evaluates between two yields to admission requests (default 100)",
    )
    .option(
      "--no-policy-reports",
      "agent: the audit writes no PolicyReports (and gets no RBAC for them)",
    )
    .option(
      "--read-pull-secrets",
      "agent: the audit reads pull Secrets to check require-pull-secret's registries (grants listing secrets)",
    )
    .option(
      "--client-ca-configmap <name>",
      "answer reviews only to the API server: existing ConfigMap with the CA of its client certificate (--client-ca-file)",
    )
    .option("--client-ca-secret <name>", "as --client-ca-configmap, from an existing Secret")
    .option("--client-ca-key <key>", "the key of that ConfigMap or Secret holding the CA", "ca.crt")
    .addOption(outputOption(YAML_OR_JSON, "yaml"));
  examples(install, [
    ["install the admission webhook", "customs install | kubectl apply -f -"],
    [
      "with cert-manager and a NetworkPolicy",
      "customs install --cert-manager --network-policy | kubectl apply -f -",
    ],
    [
      "the cluster agent of a control plane",
      "customs install agent --control-plane https://customs.example.com --token-file agent.token | kubectl apply -f -",
    ],
  ]);
  install.action(async (component: string, flags: InstallFlags) => {
    oneOf("component", component, ["webhook", "agent"]);
    const rendered = await render(component, flags);
    if (flags.writeCa && rendered.ca) {
      writeFileSync(`${flags.writeCa}.crt`, rendered.ca.certPem);
      writeFileSync(`${flags.writeCa}.key`, rendered.ca.keyPem, { mode: 0o600 });
    }
    if (flags.output === "json")
      write(
        `${JSON.stringify({ apiVersion: "v1", kind: "List", items: rendered.objects }, null, 2)}\n`,
      );
    else write(toYamlStream(rendered.objects));
  });
}

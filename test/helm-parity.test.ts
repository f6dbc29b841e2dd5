/**
 * `customs install` and the Helm chart render the same objects for the same options: for each
 * row, `customs install … -o json` against `helm template` with the equivalent values, object
 * by object. Only generated key material differs (each run makes its own CA and keys); it is
 * checked for what it must do (the caBundle verifies the serving certificate) and then masked.
 */
import { X509Certificate } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import bcrypt from "bcryptjs";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { customsInProcess, tempFiles } from "./support/cli.js";
import { helmBinary, helmTemplate, maskRegistryMaterial } from "./support/helm.js";

// Rendered objects are walked freely here; their shapes are asserted field by field.
// biome-ignore lint/suspicious/noExplicitAny: test-only access to nested manifest fields
type Obj = Record<string, any>;

const found = helmBinary();
if ("skip" in found) console.warn(`skipping the Helm parity test: ${found.skip}`);

const DIGEST = `sha256:${"a".repeat(64)}`;
const files = tempFiles({
  "config.json": '{"auths":{"registry.corp.example":{"auth":"dXNlcjpwYXNz"}}}',
  "ca.pem": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
  token: "cst_0123456789abcdef_secret-of-the-agent",
});
const file = (name: string) => join(files.dir, name);

// Accounts as `customs registry account add` writes them (cost 4 keeps the test fast).
const EXTRA_ACCOUNTS = [
  {
    name: "release-bot",
    type: "robot",
    secret: bcrypt.hashSync("bot-secret", 4).replace(/^\$2b\$/, "$2y$"),
    grants: [{ repositories: ["team/*"], actions: ["pull", "push"] }],
  },
  {
    name: "alice@example.com",
    secret: bcrypt.hashSync("alice-secret", 4).replace(/^\$2b\$/, "$2y$"),
    grants: [{ repositories: ["tools/*", "team/app"], actions: ["pull"] }],
  },
];
const accountsFile = join(files.dir, "accounts.yaml");
writeFileSync(
  accountsFile,
  stringify({
    apiVersion: "customs.dev/v1alpha1",
    kind: "RegistryAccounts",
    accounts: EXTRA_ACCOUNTS,
  }),
);

interface Row {
  readonly name: string;
  readonly component: "webhook" | "agent";
  readonly cli: string[];
  readonly helm: string[];
}

const AGENT = ["--set", "webhook.enabled=false", "--set", "agent.enabled=true"];

const ROWS: Row[] = [
  { name: "webhook defaults", component: "webhook", cli: [], helm: [] },
  {
    name: "webhook with the background audit",
    component: "webhook",
    cli: ["--audit-interval", "600000", "--audit-qps", "3"],
    helm: ["--set", "webhook.auditIntervalMs=600000", "--set", "webhook.auditQps=3"],
  },
  {
    name: "webhook with the audit yielding every 20 evaluations",
    component: "webhook",
    cli: ["--audit-interval", "600000", "--audit-batch", "20"],
    helm: ["--set", "webhook.auditIntervalMs=600000", "--set", "webhook.auditBatch=20"],
  },
  {
    name: "webhook with every option",
    component: "webhook",
    cli: [
      ...["--image", `ghcr.io/customs-dev/customs:0.1.0@${DIGEST}`],
      ...["--image-pull-policy", "Always", "--image-pull-secret", "regcred"],
      ...["--replicas", "3", "--timeout", "10", "--failure-policy", "Ignore"],
      ...["--exempt-namespace", "kube-system", "--exempt-namespace", "infra"],
      ...["--cpu-request", "200m", "--memory-request", "256Mi", "--memory-limit", "1Gi"],
      ...["--network-policy", "--service-monitor", "--mutate"],
    ],
    helm: [
      ...["--set", "image.tag=0.1.0", "--set", `image.digest=${DIGEST}`],
      ...["--set", "image.pullPolicy=Always", "--set", "image.pullSecrets={regcred}"],
      ...["--set", "webhook.replicas=3", "--set", "timeoutSeconds=10"],
      ...["--set", "failurePolicy=Ignore", "--set", "exemptNamespaces={kube-system,infra}"],
      ...["--set", "webhook.resources.requests.cpu=200m"],
      ...["--set", "webhook.resources.requests.memory=256Mi"],
      ...["--set", "webhook.resources.limits.memory=1Gi"],
      ...["--set", "networkPolicy.enabled=true", "--set", "serviceMonitor.enabled=true"],
      ...["--set", "webhook.mutate=true"],
    ],
  },
  {
    name: "webhook, one replica, cert-manager, inline registry credentials and CA",
    component: "webhook",
    cli: [
      ...["--replicas", "1", "--cert-manager"],
      ...["--registry-config", file("config.json"), "--registry-ca", file("ca.pem")],
    ],
    helm: [
      ...["--set", "webhook.replicas=1", "--set", "certificates.certManager=true"],
      ...["--set-file", `registryCredentials.dockerConfigJson=${file("config.json")}`],
      ...["--set-file", `registryCA.bundle=${file("ca.pem")}`],
    ],
  },
  {
    name: "webhook with existing registry Secret and ConfigMap, no budget",
    component: "webhook",
    cli: [
      ...["--registry-secret", "pull-creds", "--registry-ca-configmap", "corp-cas"],
      "--no-pod-disruption-budget",
    ],
    helm: [
      ...["--set", "registryCredentials.existingSecret=pull-creds"],
      ...["--set", "registryCA.existingConfigMap=corp-cas"],
      ...["--set", "podDisruptionBudget.enabled=false"],
    ],
  },
  {
    name: "agent with token and control-plane CA files",
    component: "agent",
    cli: [
      ...["--control-plane", "https://customs.example.com:8643"],
      ...["--control-plane-ca", file("ca.pem"), "--token-file", file("token")],
    ],
    helm: [
      ...AGENT,
      ...["--set", "agent.controlPlane.url=https://customs.example.com:8643"],
      ...["--set-file", `agent.controlPlane.caBundle=${file("ca.pem")}`],
      ...["--set-file", `agent.token=${file("token")}`],
    ],
  },
  {
    name: "agent with --vap, audit, an existing token Secret, cert-manager, registry access",
    component: "agent",
    cli: [
      ...["--control-plane", "https://cp.internal:8643", "--token-secret", "agent-token"],
      ...["--vap", "--audit-interval", "60000", "--read-pull-secrets"],
      ...["--replicas", "1", "--cert-manager"],
      ...["--exempt-namespace", "kube-system", "--exempt-namespace", "monitoring"],
      ...["--registry-secret", "pull-creds", "--registry-ca", file("ca.pem")],
      ...["--timeout", "8", "--network-policy"],
    ],
    helm: [
      ...AGENT,
      ...["--set", "agent.controlPlane.url=https://cp.internal:8643"],
      ...["--set", "agent.existingTokenSecret=agent-token"],
      ...["--set", "agent.vap=true", "--set", "agent.auditIntervalMs=60000"],
      ...["--set", "agent.readPullSecrets=true"],
      ...["--set", "agent.replicas=1", "--set", "certificates.certManager=true"],
      ...["--set", "exemptNamespaces={kube-system,monitoring}"],
      ...["--set", "registryCredentials.existingSecret=pull-creds"],
      ...["--set-file", `registryCA.bundle=${file("ca.pem")}`],
      ...["--set", "timeoutSeconds=8", "--set", "networkPolicy.enabled=true"],
    ],
  },
  {
    name: "agent with the audit at 7 requests a second and no PolicyReports",
    component: "agent",
    cli: [
      ...["--control-plane", "https://cp.internal:8643", "--token-secret", "agent-token"],
      ...["--audit-interval", "600000", "--audit-qps", "7", "--no-policy-reports"],
      ...["--audit-batch", "500"],
    ],
    helm: [
      ...AGENT,
      ...["--set", "agent.controlPlane.url=https://cp.internal:8643"],
      ...["--set", "agent.existingTokenSecret=agent-token"],
      ...["--set", "agent.auditIntervalMs=600000", "--set", "agent.auditQps=7"],
      ...["--set", "agent.auditBatch=500"],
      ...["--set", "agent.policyReports=false"],
    ],
  },
  {
    name: "agent with the audit off (--audit-interval 0, agent.auditIntervalMs=0)",
    component: "agent",
    cli: [
      ...["--control-plane", "https://cp.internal:8643", "--token-secret", "agent-token"],
      ...["--audit-interval", "0"],
    ],
    helm: [
      ...AGENT,
      ...["--set", "agent.controlPlane.url=https://cp.internal:8643"],
      ...["--set", "agent.existingTokenSecret=agent-token"],
      ...["--set", "agent.auditIntervalMs=0"],
    ],
  },
  {
    name: "webhook answering only the API server (client CA from a ConfigMap)",
    component: "webhook",
    cli: ["--client-ca-configmap", "apiserver-client-ca"],
    helm: ["--set", "webhook.clientCA.existingConfigMap=apiserver-client-ca"],
  },
  {
    name: "agent answering only the API server (client CA from a Secret, another key)",
    component: "agent",
    cli: [
      ...["--control-plane", "https://cp.internal:8643", "--token-secret", "agent-token"],
      ...["--client-ca-secret", "apiserver-client-ca", "--client-ca-key", "ca.pem"],
    ],
    helm: [
      ...AGENT,
      ...["--set", "agent.controlPlane.url=https://cp.internal:8643"],
      ...["--set", "agent.existingTokenSecret=agent-token"],
      ...["--set", "agent.clientCA.existingSecret=apiserver-client-ca"],
      ...["--set", "agent.clientCA.key=ca.pem"],
    ],
  },
];

/** Checks then masks what each run generates: the CA, keys and certificate, and the caBundle. */
function masked(objects: Obj[]): Map<string, Obj> {
  const caBundles = new Map<string, string>();
  const out = new Map<string, Obj>();
  for (const o of objects) {
    const copy = structuredClone(o);
    if (copy.kind === "Secret" && copy.type === "kubernetes.io/tls") {
      const serving = new X509Certificate(copy.stringData["tls.crt"]);
      caBundles.set(copy.metadata.name.replace(/-tls$/, ""), copy.stringData["ca.crt"]);
      expect(
        serving.checkHost(`${copy.metadata.name.replace(/-tls$/, "")}.customs-system.svc`),
      ).toBeTruthy();
      for (const k of Object.keys(copy.stringData)) copy.stringData[k] = "<generated>";
    }
    if (/WebhookConfiguration$/.test(copy.kind)) {
      for (const w of copy.webhooks) {
        if (w.clientConfig.caBundle === undefined) continue;
        const ca = caBundles.get(w.clientConfig.service.name);
        expect(Buffer.from(w.clientConfig.caBundle, "base64").toString()).toBe(ca);
        w.clientConfig.caBundle = "<generated>";
      }
    }
    out.set(`${copy.kind}/${copy.metadata.namespace ?? ""}/${copy.metadata.name}`, copy);
  }
  return out;
}

afterAll(() => files.cleanup());

describe.skipIf("skip" in found)(
  "customs install and the Helm chart render the same objects",
  () => {
    const helmPath = "path" in found ? found.path : "";

    it.each(ROWS)("$name", async (row) => {
      const cli = await customsInProcess([
        "install",
        row.component,
        "--namespace",
        "customs-system",
        ...row.cli,
        "-o",
        "json",
      ]);
      expect(cli.status, cli.stderr).toBe(0);
      const ours = masked(JSON.parse(cli.stdout).items as Obj[]);
      // The wgpolicyk8s.io CRDs are Helm's to install when absent (crds/ is never upgraded);
      // `customs install` prints none, since kubectl apply would replace Kyverno's.
      const chart = masked(
        helmTemplate(helmPath, [
          "--set",
          "namespace.create=true",
          ...(row.component === "webhook" ? ["--include-crds"] : []),
          ...row.helm,
        ]).filter((o: Obj) => !String(o.metadata?.name).endsWith(".wgpolicyk8s.io")) as Obj[],
      );
      expect([...chart.keys()].sort()).toEqual([...ours.keys()].sort());
      for (const [key, object] of ours) expect(chart.get(key), key).toEqual(object);
    });
  },
);

interface RegistryRow {
  readonly name: string;
  readonly cli: string[];
  readonly helm: string[];
  /** htpasswd users' clear passwords (the bcrypt hashes must verify them). */
  readonly passwords?: Record<string, string>;
  /** The serving certificate's names when the chart and the CLI generate it. */
  readonly dnsNames?: string[];
}

const NS = "customs-system";
const svcNames = (...services: string[]) =>
  services.flatMap((s) => [`${s}.${NS}.svc`, `${s}.${NS}.svc.cluster.local`]);
const REGISTRY = ["--set", "webhook.enabled=false", "--set", "registry.enabled=true"];
const MIRROR = `ghcr.io/customs-dev/registry:2.8@${DIGEST}`;
const TOKEN_IMAGE = `registry.corp.example/customs-dev/customs:0.1.0@${DIGEST}`;

const REGISTRY_ROWS: RegistryRow[] = [
  {
    name: "htpasswd, defaults",
    cli: [
      "--host",
      "registry.example.com",
      "--user",
      "alice:s3cret:with colon",
      "--user",
      "bob:hunter2",
    ],
    helm: [
      ...["--set", "registry.host=registry.example.com"],
      "--set-json",
      'registry.htpasswd.users=[{"name":"alice","password":"s3cret:with colon"},{"name":"bob","password":"hunter2"}]',
    ],
    passwords: { alice: "s3cret:with colon", bob: "hunter2" },
    dnsNames: ["registry.example.com", ...svcNames("registry")],
  },
  {
    name: "htpasswd, every option: a port, a mirrored image, storage, ingress, workspace, two pull namespaces",
    cli: [
      ...["--host", "registry.example.com:5443", "--user", "puller:pw-1"],
      ...["--registry-image", MIRROR, "--storage-class", "fast", "--size", "50Gi"],
      ...["--ingress-namespace", "ingress-nginx", "--ingress-class", "nginx"],
      ...["--workspace", "team-a", "--pull-secret-name", "registry-pull"],
      ...["--pull-secret-namespace", "team-a", "--pull-secret-namespace", "team-b"],
      ...["--cert-days", "90"],
    ],
    helm: [
      ...["--set", "registry.host=registry.example.com:5443"],
      ...["--set-json", 'registry.htpasswd.users=[{"name":"puller","password":"pw-1"}]'],
      ...["--set", `registry.image=${MIRROR}`, "--set", "registry.persistence.storageClass=fast"],
      ...["--set", "registry.persistence.size=50Gi"],
      ...["--set", "registry.networkPolicy.ingressNamespace=ingress-nginx"],
      ...[
        "--set",
        "registry.ingress.className=nginx",
        "--set",
        "registry.imagePolicy.workspace=team-a",
      ],
      ...["--set", "registry.pullSecret.name=registry-pull"],
      ...[
        "--set",
        "registry.pullSecret.namespaces={team-a,team-b}",
        "--set",
        "registry.tls.days=90",
      ],
    ],
    passwords: { puller: "pw-1" },
    dnsNames: ["registry.example.com", ...svcNames("registry")],
  },
  {
    name: "token, defaults",
    cli: ["--host", "registry.example.com", "--auth", "token"],
    helm: ["--set", "registry.host=registry.example.com", "--set", "registry.auth=token"],
    dnsNames: ["registry.example.com", ...svcNames("registry", "registry-token")],
  },
  {
    name: "token, every option: private images, accounts, cert-manager, no ImagePolicy",
    cli: [
      ...["--host", "registry.corp.example", "--auth", "token", "--registry-image", MIRROR],
      ...["--token-image", TOKEN_IMAGE, "--pull-account", "nodes", "--push-account", "builder"],
      ...["--push-repositories", "team/*,tools/*", "--push-secret-name", "builder-creds"],
      ...["--accounts-file", accountsFile, "--tls-secret", "corp-tls"],
      ...["--cert-manager-issuer", "corp-ca", "--cert-manager-issuer-kind", "Issuer"],
      ...["--no-image-policy", "--ingress-namespace", "ingress-nginx"],
    ],
    helm: [
      ...["--set", "registry.host=registry.corp.example", "--set", "registry.auth=token"],
      ...["--set", `registry.image=${MIRROR}`, "--set", `registry.token.image=${TOKEN_IMAGE}`],
      ...[
        "--set",
        "registry.token.pullAccount=nodes",
        "--set",
        "registry.token.pushAccount=builder",
      ],
      ...["--set", "registry.token.pushRepositories={team/*,tools/*}"],
      ...["--set", "registry.token.pushSecretName=builder-creds"],
      ...["--set-json", `registry.token.accounts=${JSON.stringify(EXTRA_ACCOUNTS)}`],
      ...["--set", "registry.tls.secretName=corp-tls", "--set", "registry.tls.source=certManager"],
      ...["--set", "registry.tls.certManager.issuer=corp-ca"],
      ...["--set", "registry.tls.certManager.issuerKind=Issuer"],
      ...["--set", "registry.imagePolicy.enabled=false"],
      ...["--set", "registry.networkPolicy.ingressNamespace=ingress-nginx"],
    ],
  },
  {
    name: "token with an existing TLS Secret and the chart's image tag",
    cli: [
      ...["--host", "registry.example.com", "--auth", "token", "--tls-secret", "mine"],
      ...["--token-image", `ghcr.io/customs-dev/customs:0.1.0@${DIGEST}`],
    ],
    helm: [
      ...["--set", "registry.host=registry.example.com", "--set", "registry.auth=token"],
      ...["--set", "registry.tls.source=existingSecret", "--set", "registry.tls.secretName=mine"],
      ...["--set", `image.digest=${DIGEST}`],
    ],
  },
];

describe.skipIf("skip" in found)(
  "customs registry manifests and the chart's registry render the same objects",
  () => {
    const helmPath = "path" in found ? found.path : "";

    it.each(REGISTRY_ROWS)("$name", async (row) => {
      const cli = await customsInProcess([
        ...["registry", "manifests", "--namespace", NS],
        ...row.cli,
        ...["-o", "json"],
      ]);
      expect(cli.status, cli.stderr).toBe(0);
      const expectations = { passwords: row.passwords ?? {}, dnsNames: row.dnsNames ?? [] };
      const ours = await maskRegistryMaterial(JSON.parse(cli.stdout).items as Obj[], expectations);
      const chart = await maskRegistryMaterial(
        helmTemplate(helmPath, [
          "--set",
          "namespace.create=true",
          ...REGISTRY,
          ...row.helm,
        ]) as Obj[],
        expectations,
      );
      expect([...chart.keys()].sort()).toEqual([...ours.keys()].sort());
      for (const [key, object] of ours) expect(chart.get(key), key).toEqual(object);
    });
  },
);

/**
 * The chart (deploy/helm/customs): what it shares with the code (CRDs, version, defaults)
 * without Helm; `helm lint --strict` and `helm template` with several value sets, the values
 * schema and the control plane's objects with Helm (skipped with a printed reason when
 * scripts/helm/build.sh has not built it).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import {
  buildImagePolicyCrd,
  buildImagePolicyExceptionCrd,
  buildWorkspaceCrd,
} from "../src/adapters/install/index.js";
import { toTokenSigner } from "../src/adapters/registry-token/index.js";
import { givenToken } from "../src/app/fleet/bootstrap.js";
import { IMAGE_REPOSITORY } from "../src/cli/commands/install.js";
import { parseOidcConfig } from "../src/core/oidc/config.js";
import { DEFAULT_EXEMPT_NAMESPACES } from "../src/core/policy/index.js";
import { parseAccounts, parseTokenServiceConfig } from "../src/core/registry-token/index.js";
import { parseTrustedProxies } from "../src/server/control-plane/client-address.js";
import { customsInProcess, ROOT } from "./support/cli.js";
import { CHART, helm, helmBinary, helmTemplate } from "./support/helm.js";

// Rendered objects are walked freely here; their shapes are asserted field by field.
// biome-ignore lint/suspicious/noExplicitAny: test-only access to nested manifest fields
type Obj = Record<string, any>;

const read = (path: string) => readFileSync(join(CHART, path), "utf8");

describe("the chart agrees with the code", () => {
  it("its CRDs are the ones customs install applies (scripts/helm/gen-crds.mjs writes them)", () => {
    for (const crd of [
      buildImagePolicyCrd(),
      buildWorkspaceCrd(),
      buildImagePolicyExceptionCrd(),
    ]) {
      const name = (crd.metadata as { name: string }).name;
      const file = parseAllDocuments(read(`crds/${name}.yaml`))[0]?.toJS();
      expect(file).toEqual(JSON.parse(JSON.stringify(crd)));
    }
  });

  it("its version and appVersion are the package's, its image and exemptions the CLI's", () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    const chart = parse(read("Chart.yaml"));
    expect(chart.version).toBe(version);
    expect(chart.appVersion).toBe(version);
    const values = parse(read("values.yaml"));
    expect(values.image.repository).toBe(IMAGE_REPOSITORY);
    expect(values.exemptNamespaces).toEqual(DEFAULT_EXEMPT_NAMESPACES);
    expect(values.timeoutSeconds).toBe(5);
  });
});

const found = helmBinary();
if ("skip" in found) console.warn(`skipping the Helm chart tests: ${found.skip}`);

describe.skipIf("skip" in found)("helm lint and helm template", () => {
  const helmPath = "path" in found ? found.path : "";
  const VALUE_SETS: string[][] = [
    [],
    ["--set", "webhook.mutate=true", "--set", "networkPolicy.enabled=true"],
    [
      ...["--set", "webhook.enabled=false", "--set", "agent.enabled=true"],
      ...["--set", "agent.controlPlane.url=https://cp:8643", "--set", "agent.token=cst_1_x"],
      ...["--set", "agent.vap=true", "--set", "certificates.certManager=true"],
    ],
    ["--set", "controlPlane.enabled=true", "--set", "serviceMonitor.enabled=true"],
    [
      ...["--set", "registry.enabled=true", "--set", "registry.host=registry.example.com"],
      ...[
        "--set",
        "registry.htpasswd.users[0].name=ci",
        "--set",
        "registry.htpasswd.users[0].password=pw",
      ],
    ],
    [
      ...["--set", "webhook.enabled=false", "--set", "registry.enabled=true"],
      ...["--set", "registry.host=registry.example.com:5443", "--set", "registry.auth=token"],
      ...["--set", "registry.image=ghcr.io/customs-dev/registry:2.8"],
      ...[
        "--set",
        "registry.tls.source=certManager",
        "--set",
        "registry.tls.certManager.issuer=ca",
      ],
      ...["--set", "registry.pullSecret.namespaces={default,team-a}"],
    ],
    [
      ...["--set", "controlPlane.enabled=true", "--set", "controlPlane.replicas=3"],
      ...["--set", "controlPlane.database.existingSecret=cp-db"],
      ...["--set", "controlPlane.externalUrl=https://customs.example.com"],
    ],
    [
      ...["--set", "controlPlane.enabled=true", "--set", "serviceMonitor.enabled=true"],
      ...["--set", "controlPlane.sso.existingSecret=cp-sso", "--set", "controlPlane.sso.caKey=ca"],
      ...["--set", "controlPlane.trustedProxies={10.0.0.0/8,fd00::/8}"],
      ...["--set", "controlPlane.metrics.tokenSecret.name=cp-metrics"],
      ...["--set", "webhook.clientCA.existingConfigMap=apiserver-client-ca"],
    ],
    [
      ...["--set", "webhook.enabled=false", "--set", "agent.enabled=true"],
      ...["--set", "agent.controlPlane.url=https://cp:8643", "--set", "agent.token=cst_1_x"],
      ...["--set", "agent.clientCA.existingSecret=apiserver-client-ca"],
    ],
  ];

  it.each(
    VALUE_SETS.map((v) => [v.join(" ") || "(defaults)", v]),
  )("helm lint --strict %s", (_name, values) => {
    const r = helm(helmPath, ["lint", "--strict", CHART, ...(values as string[])]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it("the schema refuses unknown values and wrong types", () => {
    for (const bad of [
      ["--set", "webhok.enabled=true"],
      ["--set", "timeoutSeconds=60"],
      ["--set", "failurePolicy=Maybe"],
      ["--set", "exemptNamespaces={Kube_System}"],
      ["--set", "image.digest=latest"],
      ["--set", "webhook.replicas=two"],
      ["--set", "registry.enbled=true"],
      ["--set", "registry.auth=basic"],
      ["--set", "registry.host=Registry.Example.com"],
      ["--set", "registry.host=registry.example.com/path"],
      ["--set", "registry.tls.source=selfSigned"],
      ["--set", "registry.tls.days=0"],
      ["--set", "registry.tls.certManager.issuerKind=Cluster"],
      ["--set", "registry.persistence.size=lots"],
      ["--set", "registry.pullSecret.namespaces={Team_A}"],
      ["--set", "registry.token.pushAccount=has:colon"],
      ["--set", "registry.token.pushRepositories={}"],
      ["--set-json", 'registry.htpasswd.users=[{"name":"a:b","password":"x"}]'],
      ["--set-json", 'registry.htpasswd.users=[{"name":"a","password":""}]'],
      ["--set-json", `registry.htpasswd.users=[{"name":"a","password":"${"x".repeat(73)}"}]`],
      // A clear-text secret where a bcrypt hash belongs is refused (and never hashed here).
      ["--set-json", 'registry.token.accounts=[{"name":"bot","secret":"hunter2","grants":[]}]'],
      [
        "--set-json",
        `registry.token.accounts=[{"name":"bot","secret":"$2y$10$${"a".repeat(53)}","grants":[{"repositories":["*"],"actions":["admin"]}]}]`,
      ],
      // Trust boundaries: names and addresses only; a secret has no value to go into.
      ["--set", "controlPlane.trustedProxies={proxy.example.com}"],
      ["--set", "controlPlane.trustedProxies={10.0.0.0/33}"],
      ["--set", "controlPlane.trustedProxies={10.0.0.256}"],
      ["--set", "controlPlane.trustedProxies=10.0.0.0/8"],
      ["--set", "controlPlane.sso.clientSecret=hunter2"],
      ["--set", "controlPlane.sso.existingSecret=Bad_Name"],
      ["--set", "controlPlane.sso.configKey=a/b"],
      ["--set", "controlPlane.metrics.token=a-token-of-sixteen+"],
      ["--set", "controlPlane.metrics.tokenSecret.key="],
      ["--set", "webhook.clientCA.bundle=PEM"],
      ["--set", "webhook.clientCA.existingConfigMap=Bad_Name"],
      ["--set", "agent.clientCA.existingSecret=bad/name"],
      ["--set", "agent.auditIntervalMs=500"],
      ["--set", "agent.auditIntervalMs=86400001"],
    ]) {
      const r = helm(helmPath, ["template", "customs", CHART, ...bad]);
      expect(r.status, bad.join(" ")).not.toBe(0);
      expect(r.stderr).toMatch(/schema|values don't meet/i);
    }
  });

  it("the agent needs a control plane URL and one token; registry access one way", () => {
    const r = helm(helmPath, ["template", "customs", CHART, "--set", "agent.enabled=true"]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("agent.controlPlane.url");
    for (const [values, message] of [
      [
        [
          ...["--set", "agent.enabled=true", "--set", "agent.controlPlane.url=https://cp"],
          ...["--set", "agent.token=t", "--set", "agent.existingTokenSecret=s"],
        ],
        "one of them",
      ],
      [
        [
          "--set",
          "registryCredentials.existingSecret=s",
          "--set",
          "registryCredentials.dockerConfigJson=x",
        ],
        "not both",
      ],
      [["--set", "registryCA.existingConfigMap=c", "--set", "registryCA.bundle=x"], "not both"],
    ] as const) {
      const bad = helm(helmPath, ["template", "customs", CHART, ...values]);
      expect(bad.status, values.join(" ")).not.toBe(0);
      expect(bad.stderr).toContain(message);
    }
  });

  it("the registry needs a registry host, logins one way, distinct accounts, an issuer", () => {
    const registry = (...values: string[]) => [
      ...["template", "customs", CHART, "--set", "registry.enabled=true"],
      ...values,
    ];
    const user = ["--set", "registry.htpasswd.users[0].name=ci"];
    const pw = ["--set", "registry.htpasswd.users[0].password=pw"];
    const token = ["--set", "registry.auth=token"];
    for (const [values, message] of [
      [[], "registry.host is required"],
      [["--set", "registry.host=registry", ...user, ...pw], "not a registry host"],
      [["--set", "registry.host=10.0.0.1:5000", ...user, ...pw], "not an IP address"],
      [["--set", "registry.host=registry.example.com"], "at least one"],
      [
        ["--set", "registry.host=r.example.com", ...token, ...user, ...pw],
        "registry.auth=htpasswd",
      ],
      [
        [
          ...["--set", "registry.host=r.example.com", ...token],
          ...["--set", "registry.token.pullAccount=ci"],
        ],
        "must differ",
      ],
      [
        [
          ...["--set", "registry.host=r.example.com", ...token],
          "--set-json",
          `registry.token.accounts=[{"name":"ci","secret":"$2y$10$${"a".repeat(53)}","grants":[]}]`,
        ],
        "generated pull or push account",
      ],
      [
        [
          ...["--set", "registry.host=r.example.com", ...user, ...pw],
          ...["--set", "registry.tls.source=certManager"],
        ],
        "certManager.issuer",
      ],
      [
        [
          "--set",
          "registry.host=r.example.com",
          "--set-json",
          'registry.htpasswd.users=[{"name":"a","password":"x"},{"name":"a","password":"y"}]',
        ],
        "given twice",
      ],
    ] as const) {
      const bad = helm(helmPath, registry(...values));
      expect(bad.status, values.join(" ")).not.toBe(0);
      expect(bad.stderr).toContain(message);
    }
  });

  it("the chart's token service material is what the token service and the registry accept", () => {
    const objects = helmTemplate(helmPath, [
      ...["--set", "registry.enabled=true", "--set", "registry.host=registry.example.com"],
      ...["--set", "registry.auth=token"],
    ]) as Obj[];
    const get = (kind: string, name: string) =>
      objects.find((o) => o.kind === kind && o.metadata.name === name) as Obj;
    const text = (o: Obj, key: string) => Buffer.from(o.data[key], "base64").toString("utf8");
    const config = get("ConfigMap", "registry-token").data["config.yaml"];
    expect(parseTokenServiceConfig(parse(config), "config.yaml").service).toBe(
      "registry.example.com",
    );
    const accounts = parseAccounts(
      parse(text(get("Secret", "registry-token-accounts"), "accounts.yaml")),
      "accounts.yaml",
    );
    expect(accounts.map((a) => a.name)).toEqual(["ci", "cluster-pull"]);
    const signing = get("Secret", "registry-token-signing");
    // Sprig writes the key as SEC1 ("EC PRIVATE KEY"), the CLI as PKCS#8: both load.
    expect(() =>
      toTokenSigner(text(signing, "signing.crt"), text(signing, "signing.key")),
    ).not.toThrow();
    // No credential in any process argument or environment variable.
    const push = JSON.parse(text(get("Secret", "registry-push"), ".dockerconfigjson"));
    const secret = push.auths["registry.example.com"].password as string;
    expect(secret).toMatch(/^[A-Za-z0-9]{43}$/);
    const workloads = JSON.stringify(objects.filter((o) => o.kind === "Deployment"));
    expect(workloads).not.toContain(secret);
    expect(workloads).not.toContain("$2y$");
  });

  it("control plane on SQLite: one replica, a kept PVC, Recreate, an admin token Secret it accepts", () => {
    const objects = helmTemplate(helmPath, ["--set", "controlPlane.enabled=true"]) as Obj[];
    const get = (kind: string, name: string) =>
      objects.find((o) => o.kind === kind && o.metadata.name === name) as Obj;
    const deployment = get("Deployment", "customs-control-plane");
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy.type).toBe("Recreate");
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext.runAsUser).toBe(65532);
    expect(pod.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
    expect(pod.volumes).toContainEqual({
      name: "data",
      persistentVolumeClaim: { claimName: "customs-control-plane-data" },
    });
    expect(get("PersistentVolumeClaim", "customs-control-plane-data").metadata.annotations).toEqual(
      { "helm.sh/resource-policy": "keep" },
    );
    const admin = get("Secret", "customs-control-plane-admin").stringData.token;
    expect(() => givenToken(admin)).not.toThrow();
    expect(JSON.stringify(pod.containers[0].args)).not.toContain(admin);
    expect(pod.containers[0].args).toContain("--external-url");
  });

  it("control plane on PostgreSQL: N replicas, the URL from a Secret file, never in args", () => {
    const url = "postgres://customs:hunter2@db:5432/customs";
    const objects = helmTemplate(helmPath, [
      ...["--set", "controlPlane.enabled=true", "--set", "controlPlane.replicas=3"],
      ...["--set", `controlPlane.database.url=${url}`],
    ]) as Obj[];
    const deployment = objects.find((o) => o.kind === "Deployment") as Obj;
    expect(deployment.spec.replicas).toBe(3);
    expect(JSON.stringify(deployment)).not.toContain("hunter2");
    expect(deployment.spec.template.spec.containers[0].args).toContain("--database-file");
    expect(objects.map((o) => o.kind)).not.toContain("PersistentVolumeClaim");
    expect(objects.map((o) => o.kind)).toContain("PodDisruptionBudget");
    const r = helm(helmPath, [
      ...["template", "customs", CHART, "--set", "controlPlane.enabled=true"],
      ...["--set", "controlPlane.replicas=2"],
    ]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("needs PostgreSQL");
  });
});

/**
 * The defences of the servers that only a flag turns on: each value renders its flag and the
 * mount the flag reads, every flag is one the command knows, and no secret is in a value, an
 * argument or a ConfigMap (values hold names of Secrets; the pods read files).
 */
describe.skipIf("skip" in found)("trust boundaries on a chart install", () => {
  const helmPath = "path" in found ? found.path : "";
  const CP = ["--set", "webhook.enabled=false", "--set", "controlPlane.enabled=true"];
  const container = (objects: Obj[], name: string) =>
    objects.find((o) => o.kind === "Deployment" && o.metadata.name === name)?.spec.template.spec;

  /** Each `--flag` of a rendered container is one `customs … --help` lists. */
  async function expectFlagsKnown(command: string[], args: string[]) {
    const help = await customsInProcess([...command, "--help"]);
    const flags = args.filter((a) => a.startsWith("--"));
    expect(flags.length).toBeGreaterThan(0);
    for (const flag of flags) expect(help.stdout, flag).toContain(`${flag} `);
  }

  /** The file a flag names is the path of an item of a volume mounted read-only. */
  function expectFileMounted(pod: Obj, args: string[], flag: string, volume: string) {
    const file = args[args.indexOf(flag) + 1] as string;
    const mount = pod.containers[0].volumeMounts.find((m: Obj) => m.name === volume);
    expect(mount.readOnly).toBe(true);
    const source = pod.volumes.find((v: Obj) => v.name === volume);
    const items: Obj[] = (source.secret ?? source.configMap).items;
    expect(items.map((i) => `${mount.mountPath}/${i.path}`)).toContain(file);
  }

  it("by default no defence flag is given and nothing extra is mounted", () => {
    const objects = helmTemplate(helmPath, [
      ...CP,
      "--set",
      "serviceMonitor.enabled=true",
    ]) as Obj[];
    const args: string[] = container(objects, "customs-control-plane").containers[0].args;
    for (const flag of ["--oidc-config", "--trusted-proxy", "--metrics-token-file"])
      expect(args).not.toContain(flag);
    const monitor = objects.find((o) => o.kind === "ServiceMonitor") as Obj;
    expect(monitor.spec.endpoints[0].authorization).toBeUndefined();
    const webhook = helmTemplate(helmPath, []) as Obj[];
    expect(container(webhook, "customs-webhook").containers[0].args).not.toContain(
      "--client-ca-file",
    );
  });

  it("controlPlane.sso mounts the named Secret's keys read-only and passes --oidc-config", async () => {
    const objects = helmTemplate(helmPath, [
      ...CP,
      ...["--set", "controlPlane.sso.existingSecret=customs-sso"],
      ...["--set", "controlPlane.sso.configKey=config.yaml"],
      ...[
        "--set",
        "controlPlane.sso.clientSecretKey=secret",
        "--set",
        "controlPlane.sso.caKey=idp",
      ],
    ]) as Obj[];
    const pod = container(objects, "customs-control-plane");
    const args: string[] = pod.containers[0].args;
    expect(args.slice(args.indexOf("--oidc-config"), args.indexOf("--oidc-config") + 2)).toEqual([
      "--oidc-config",
      "/etc/customs/sso/oidc.yaml",
    ]);
    expectFileMounted(pod, args, "--oidc-config", "sso");
    const sso = pod.volumes.find((v: Obj) => v.name === "sso");
    expect(sso.secret).toEqual({
      secretName: "customs-sso",
      items: [
        { key: "config.yaml", path: "oidc.yaml" },
        { key: "secret", path: "client-secret" },
        { key: "idp", path: "ca.crt" },
      ],
    });
    // The configuration docs/sso.md gives for a chart install names the mounted files.
    const config = parseOidcConfig({
      issuer: "https://dex.example.com/dex",
      clientID: "customs",
      clientSecretFile: "/etc/customs/sso/client-secret",
      caFile: "/etc/customs/sso/ca.crt",
      mappings: [{ group: "platform-team", role: "organization-admin" }],
    });
    const mounted = sso.secret.items.map((i: Obj) => `/etc/customs/sso/${i.path}`);
    expect(mounted).toContain(config.clientSecretFile);
    expect(mounted).toContain(config.caFile);
    // No ConfigMap of the release carries sign-in material; no env at all.
    expect(objects.filter((o) => o.kind === "ConfigMap")).toEqual([]);
    expect(pod.containers[0].env).toBeUndefined();
    await expectFlagsKnown(["serve", "control-plane"], args);
  });

  it("controlPlane.trustedProxies gives one --trusted-proxy each, all of them accepted", () => {
    const proxies = ["10.0.0.0/8", "192.168.1.7", "fd00::/8", "::1"];
    const objects = helmTemplate(helmPath, [
      ...CP,
      "--set-json",
      `controlPlane.trustedProxies=${JSON.stringify(proxies)}`,
    ]) as Obj[];
    const args: string[] = container(objects, "customs-control-plane").containers[0].args;
    const given = args.flatMap((a, i) => (a === "--trusted-proxy" ? [args[i + 1] as string] : []));
    expect(given).toEqual(proxies);
    const trusted = parseTrustedProxies(given);
    expect(trusted.has("10.1.2.3")).toBe(true);
    expect(trusted.has("192.168.1.8")).toBe(false);
  });

  it("controlPlane.metrics.tokenSecret: --metrics-token-file from the Secret, sent by the ServiceMonitor", () => {
    const objects = helmTemplate(helmPath, [
      ...CP,
      ...["--set", "serviceMonitor.enabled=true"],
      ...["--set", "controlPlane.metrics.tokenSecret.name=prometheus-customs"],
      ...["--set", "controlPlane.metrics.tokenSecret.key=bearer"],
    ]) as Obj[];
    const pod = container(objects, "customs-control-plane");
    const args: string[] = pod.containers[0].args;
    expect(args[args.indexOf("--metrics-token-file") + 1]).toBe("/etc/customs/metrics/token");
    expectFileMounted(pod, args, "--metrics-token-file", "metrics-token");
    expect(pod.volumes.find((v: Obj) => v.name === "metrics-token").secret).toEqual({
      secretName: "prometheus-customs",
      items: [{ key: "bearer", path: "token" }],
    });
    const monitor = objects.find((o) => o.kind === "ServiceMonitor") as Obj;
    expect(monitor.spec.endpoints[0].authorization).toEqual({
      type: "Bearer",
      credentials: { name: "prometheus-customs", key: "bearer" },
    });
  });

  it("the agent audits every 10 minutes by default; agent.auditIntervalMs=0 turns it off", () => {
    const agent = [
      ...["--set", "webhook.enabled=false", "--set", "agent.enabled=true"],
      ...["--set", "agent.controlPlane.url=https://cp:8643", "--set", "agent.token=cst_1_x"],
    ];
    const render = (extra: string[]) => {
      const objects = helmTemplate(helmPath, [...agent, ...extra]) as Obj[];
      const args: string[] = container(objects, "customs-agent").containers[0].args;
      const role = objects.find((o) => o.kind === "ClusterRole") as Obj;
      return { args, resources: role.rules.flatMap((r: Obj) => r.resources) as string[] };
    };
    const on = render([]);
    expect(on.args[on.args.indexOf("--audit-interval") + 1]).toBe("600000");
    expect(on.resources).toEqual(expect.arrayContaining(["pods", "policyreports"]));
    const off = render(["--set", "agent.auditIntervalMs=0"]);
    expect(off.args).not.toContain("--audit-interval");
    expect(off.resources).toEqual(["namespaces"]);
    // The webhook's audit stays opt-in.
    const webhook = helmTemplate(helmPath, []) as Obj[];
    expect(container(webhook, "customs-webhook").containers[0].args).not.toContain(
      "--audit-interval",
    );
  });

  it.each([
    ["webhook", [], "customs-webhook", ["serve", "webhook"]],
    [
      "agent",
      [
        ...["--set", "webhook.enabled=false", "--set", "agent.enabled=true"],
        ...["--set", "agent.controlPlane.url=https://cp:8643", "--set", "agent.token=cst_1_x"],
      ],
      "customs-agent",
      ["agent"],
    ],
  ] as const)("%s.clientCA: --client-ca-file from a ConfigMap or a Secret, not both", async (component, base, name, command) => {
    for (const [source, expected] of [
      [
        "existingConfigMap",
        { configMap: { name: "apiserver-ca", items: [{ key: "ca.pem", path: "ca.crt" }] } },
      ],
      [
        "existingSecret",
        { secret: { secretName: "apiserver-ca", items: [{ key: "ca.pem", path: "ca.crt" }] } },
      ],
    ] as const) {
      const objects = helmTemplate(helmPath, [
        ...base,
        ...["--set", `${component}.clientCA.${source}=apiserver-ca`],
        ...["--set", `${component}.clientCA.key=ca.pem`],
      ]) as Obj[];
      const pod = container(objects, name);
      const args: string[] = pod.containers[0].args;
      expect(args[args.indexOf("--client-ca-file") + 1]).toBe("/etc/customs/client-ca/ca.crt");
      expect(pod.volumes.find((v: Obj) => v.name === "client-ca")).toEqual({
        name: "client-ca",
        ...expected,
      });
      expectFileMounted(pod, args, "--client-ca-file", "client-ca");
      await expectFlagsKnown([...command], args);
    }
    const both = helm(helmPath, [
      ...["template", "customs", CHART, ...base],
      ...["--set", `${component}.clientCA.existingConfigMap=a`],
      ...["--set", `${component}.clientCA.existingSecret=b`],
    ]);
    expect(both.status).not.toBe(0);
    expect(both.stderr).toContain(
      `${component}.clientCA: existingConfigMap or existingSecret, not both`,
    );
  });
});

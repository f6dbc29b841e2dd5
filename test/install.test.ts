import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderAgentInstall, renderInstall } from "../src/app/webhook/install.js";
import { customs, customsInProcess, ROOT, tempFiles } from "./support/cli.js";

// Rendered Kubernetes objects are walked freely here; their shapes are asserted field by field.
// biome-ignore lint/suspicious/noExplicitAny: test-only access to nested manifest fields
type Obj = Record<string, any>;

const base = {
  namespace: "customs-system",
  image: "r.example/customs:1",
  replicas: 2,
  timeoutSeconds: 5,
  certManager: false,
  certDays: 30,
};

describe("customs install", () => {
  it("renders every object, CRDs first and the webhook configuration last", async () => {
    const { objects } = await renderInstall(base);
    expect(objects.map((o) => o.kind)).toEqual([
      "CustomResourceDefinition",
      "CustomResourceDefinition",
      "CustomResourceDefinition",
      "Namespace",
      "ServiceAccount",
      "ClusterRole",
      "ClusterRoleBinding",
      "Secret",
      "Deployment",
      "Service",
      "PodDisruptionBudget",
      "ValidatingWebhookConfiguration",
    ]);
  });

  it("fails closed, with a timeout, and never guards its own namespace or kube-system", async () => {
    const { objects } = await renderInstall(base);
    const hook = (objects.at(-1) as Obj).webhooks[0];
    expect(hook.failurePolicy).toBe("Fail");
    expect(hook.timeoutSeconds).toBe(5);
    expect(hook.sideEffects).toBe("None");
    expect(hook.namespaceSelector.matchExpressions).toEqual([
      {
        key: "kubernetes.io/metadata.name",
        operator: "NotIn",
        values: ["customs-system", "kube-system"],
      },
    ]);
    const resources = hook.rules.flatMap((r: Obj) => r.resources);
    for (const r of [
      "pods",
      "pods/ephemeralcontainers",
      "deployments",
      "replicasets",
      "statefulsets",
      "daemonsets",
      "jobs",
      "cronjobs",
      "replicationcontrollers",
      "podtemplates",
    ]) {
      expect(resources).toContain(r);
    }
  });

  it("the CA bundle verifies the serving certificate, which names the Service", async () => {
    const { objects } = await renderInstall(base);
    const secret = objects.find((o) => o.kind === "Secret") as Obj;
    const hook = (objects.at(-1) as Obj).webhooks[0];
    const ca = new X509Certificate(Buffer.from(hook.clientConfig.caBundle, "base64"));
    const serving = new X509Certificate(secret.stringData["tls.crt"]);
    expect(serving.verify(ca.publicKey)).toBe(true);
    expect(serving.subjectAltName).toContain("DNS:customs-webhook.customs-system.svc");
    expect(serving.checkHost("customs-webhook.customs-system.svc")).toBe(
      "customs-webhook.customs-system.svc",
    );
  });

  it("during a CA rotation trusts both CAs, and reuses a given CA", async () => {
    const first = await renderInstall(base);
    const second = await renderInstall({ ...base, previousCaPem: first.ca!.certPem });
    const bundle = Buffer.from(
      (second.objects.at(-1) as Obj).webhooks[0].clientConfig.caBundle,
      "base64",
    ).toString();
    expect(bundle.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(bundle).toContain(first.ca!.certPem.trim());
    const reused = await renderInstall({ ...base, ca: first.ca! });
    expect(reused.ca!.certPem).toBe(first.ca!.certPem);
  });

  it("runs the webhook hardened: 2 replicas, non-root, read-only root filesystem, probes, a PDB", async () => {
    const { objects } = await renderInstall(base);
    const deployment = objects.find((o) => o.kind === "Deployment") as Obj;
    const pod = deployment.spec.template.spec;
    expect(deployment.spec.replicas).toBe(2);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    const c = pod.containers[0];
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(pod.securityContext).toMatchObject({
      runAsUser: 65532,
      seccompProfile: { type: "RuntimeDefault" },
    });
    // The root filesystem is read-only: /tmp is an emptyDir.
    expect(c.volumeMounts).toContainEqual({ name: "tmp", mountPath: "/tmp" });
    expect(c.readinessProbe.httpGet.path).toBe("/readyz");
    expect(c.livenessProbe.httpGet.path).toBe("/healthz");
    expect(c.args).toContain("--from-cluster");
    expect((objects.find((o) => o.kind === "PodDisruptionBudget") as Obj).spec.minAvailable).toBe(
      1,
    );
    const role = objects.find((o) => o.kind === "ClusterRole") as Obj;
    expect(role.rules.flatMap((r: Obj) => r.verbs)).not.toContain("create");
  });

  it("with cert-manager: a Certificate and the CA injected, no Secret of ours", async () => {
    const { objects } = await renderInstall({ ...base, certManager: true });
    expect(objects.map((o) => o.kind)).toContain("Certificate");
    expect(objects.map((o) => o.kind)).not.toContain("Secret");
    const hook = objects.at(-1) as Obj;
    expect(hook.metadata.annotations["cert-manager.io/inject-ca-from"]).toBe(
      "customs-system/customs-webhook",
    );
    expect(hook.webhooks[0].clientConfig.caBundle).toBeUndefined();
  });

  it("prints YAML documents from the CLI, and refuses bad flags", () => {
    const r = customs(["install", "--image", "x/y:1"]);
    expect(r.status).toBe(0);
    expect(r.stdout.match(/^---$/gm)).toHaveLength(12);
    const named = customs(["install", "webhook", "--image", "x/y:1"]);
    expect(named.stdout.match(/^---$/gm)).toHaveLength(12);
    expect(customs(["install", "gateway"]).status).toBe(2);
    expect(customs(["install", "agent", "--control-plane", "https://cp:8643"]).status).toBe(2);
    expect(customs(["install", "--namespace", "Bad_NS"]).status).toBe(2);
    expect(customs(["install", "--timeout", "60"]).status).toBe(2);
  });
});

describe("customs install --mutate", () => {
  it("adds a mutating webhook that cannot block admission, and turns on /mutate", async () => {
    const { objects } = await renderInstall({ ...base, mutate: true });
    const mutating = objects.at(-1) as Obj;
    expect(mutating.kind).toBe("MutatingWebhookConfiguration");
    const hook = mutating.webhooks[0];
    expect(hook).toMatchObject({
      name: "mutate.customs.dev",
      failurePolicy: "Ignore",
      reinvocationPolicy: "IfNeeded",
    });
    expect(hook.clientConfig.service.path).toBe("/mutate");
    expect(hook.clientConfig.caBundle).toBe(
      (objects.at(-2) as Obj).webhooks[0].clientConfig.caBundle,
    );
    const deployment = objects.find((o) => o.kind === "Deployment") as Obj;
    expect(deployment.spec.template.spec.containers[0].args).toContain("--mutate");
    const plain = await renderInstall(base);
    expect(plain.objects.map((o) => o.kind)).not.toContain("MutatingWebhookConfiguration");
  });
});

describe("customs install: defaults and options shared with the chart", () => {
  it("runs ghcr.io/customs-dev/customs at the package version by default", () => {
    const r = customs(["install", "-o", "json"]);
    const deployment = JSON.parse(r.stdout).items.find((o: Obj) => o.kind === "Deployment");
    const version = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version;
    expect(deployment.spec.template.spec.containers[0].image).toBe(
      `ghcr.io/customs-dev/customs:${version}`,
    );
  });

  it("mounts registry credentials and CAs and passes them to the server", async () => {
    const { objects } = await renderInstall({
      ...base,
      registryDockerConfig: '{"auths":{}}',
      registryCaPem: "-----BEGIN CERTIFICATE-----\n",
    });
    const secret = objects.find(
      (o) => o.kind === "Secret" && (o as Obj).type === "kubernetes.io/dockerconfigjson",
    ) as Obj;
    expect(secret.metadata.name).toBe("customs-registry-credentials");
    const pod = (objects.find((o) => o.kind === "Deployment") as Obj).spec.template.spec;
    const args: string[] = pod.containers[0].args;
    expect(args.join(" ")).toContain("--registry-config /etc/customs/registry/config.json");
    expect(args.join(" ")).toContain("--ca-file /etc/customs/registry-ca/ca.crt");
    expect(pod.volumes).toContainEqual({
      name: "registry-credentials",
      secret: {
        secretName: "customs-registry-credentials",
        items: [{ key: ".dockerconfigjson", path: "config.json" }],
      },
    });
    expect(pod.volumes).toContainEqual({
      name: "registry-ca",
      configMap: { name: "customs-registry-ca" },
    });
  });

  it("answers only the API server with --client-ca-configmap/-secret; one of them, a valid key", async () => {
    for (const [flags, volume] of [
      [
        ["--client-ca-configmap", "apiserver-ca"],
        { configMap: { name: "apiserver-ca", items: [{ key: "ca.crt", path: "ca.crt" }] } },
      ],
      [
        ["--client-ca-secret", "apiserver-ca", "--client-ca-key", "bundle.pem"],
        { secret: { secretName: "apiserver-ca", items: [{ key: "bundle.pem", path: "ca.crt" }] } },
      ],
    ] as const) {
      const r = await customsInProcess(["install", ...flags, "-o", "json"]);
      expect(r.status, r.stderr).toBe(0);
      const deployment = (JSON.parse(r.stdout).items as Obj[]).find((o) => o.kind === "Deployment");
      const pod = deployment?.spec.template.spec;
      expect(pod.containers[0].args.join(" ")).toContain(
        "--client-ca-file /etc/customs/client-ca/ca.crt",
      );
      expect(pod.volumes).toContainEqual({ name: "client-ca", ...volume });
      expect(pod.containers[0].volumeMounts).toContainEqual({
        name: "client-ca",
        mountPath: "/etc/customs/client-ca",
        readOnly: true,
      });
    }
    for (const [flags, message] of [
      [["--client-ca-configmap", "a", "--client-ca-secret", "b"], "exclude each other"],
      [["--client-ca-secret", "Bad_Name"], "--client-ca-secret"],
      [["--client-ca-configmap", "a", "--client-ca-key", "a/b"], "--client-ca-key"],
    ] as const) {
      const bad = await customsInProcess(["install", ...flags]);
      expect(bad.status, flags.join(" ")).toBe(2);
      expect(bad.stderr).toContain(message);
    }
  });

  it("exempts the given namespaces plus its own, and no PDB with one replica", async () => {
    const { objects } = await renderInstall({
      ...base,
      namespace: "guard",
      replicas: 1,
      exemptNamespaces: ["kube-system", "infra"],
      failurePolicy: "Ignore",
    });
    const hook = (objects.at(-1) as Obj).webhooks[0];
    expect(hook.namespaceSelector.matchExpressions[0].values).toEqual([
      "guard",
      "kube-system",
      "infra",
    ]);
    expect(hook.failurePolicy).toBe("Ignore");
    expect(objects.map((o) => o.kind)).not.toContain("PodDisruptionBudget");
  });
});

describe("customs install agent", () => {
  const agent = {
    ...base,
    controlPlaneUrl: "https://cp.example:8643",
    token: "cst_secret-token",
    controlPlaneCaPem: "-----BEGIN CERTIFICATE-----\nCA\n",
  };

  it("keeps the token in a Secret mounted as a file, never in args or env", async () => {
    const { objects } = await renderAgentInstall(agent);
    const secret = objects.find((o) => (o as Obj).metadata.name === "customs-agent-token") as Obj;
    expect(secret.stringData.token).toBe("cst_secret-token");
    const deployment = objects.find((o) => o.kind === "Deployment") as Obj;
    expect(JSON.stringify(deployment)).not.toContain("cst_secret-token");
    const c = deployment.spec.template.spec.containers[0];
    expect(c.env).toBeUndefined();
    expect(c.args.join(" ")).toContain("--token-file /etc/customs/agent/token");
    expect(c.args.join(" ")).toContain("--ca-file /etc/customs/control-plane/ca.crt");
    expect(c.args.join(" ")).toContain("--control-plane https://cp.example:8643");
  });

  it("registers itself as the admission webhook, with its CA, and exempts the same namespaces for --vap", async () => {
    const { objects } = await renderAgentInstall({ ...agent, vap: true });
    const hook = objects.at(-1) as Obj;
    expect(hook.kind).toBe("ValidatingWebhookConfiguration");
    expect(hook.webhooks[0].clientConfig.service).toMatchObject({
      name: "customs-agent",
      path: "/validate",
    });
    const tls = objects.find((o) => (o as Obj).metadata.name === "customs-agent-tls") as Obj;
    const ca = new X509Certificate(Buffer.from(hook.webhooks[0].clientConfig.caBundle, "base64"));
    expect(new X509Certificate(tls.stringData["tls.crt"]).verify(ca.publicKey)).toBe(true);
    const args: string[] = (objects.find((o) => o.kind === "Deployment") as Obj).spec.template.spec
      .containers[0].args;
    const exempt = args.flatMap((a, i) => (a === "--exempt-namespace" ? [args[i + 1]] : []));
    expect(exempt).toEqual(hook.webhooks[0].namespaceSelector.matchExpressions[0].values);
  });

  it("asks only for what it uses: namespaces; pods with audit; native policies with --vap", async () => {
    const rulesOf = async (extra: object) =>
      (
        (await renderAgentInstall({ ...agent, ...extra })).objects.find(
          (o) => o.kind === "ClusterRole",
        ) as Obj
      ).rules;
    // The audit is on by default; 0 turns it off, and its RBAC with it.
    expect(await rulesOf({ auditIntervalMs: 0 })).toEqual([
      { apiGroups: [""], resources: ["namespaces"], verbs: ["get", "list", "watch"] },
    ]);
    expect(await rulesOf({})).toEqual(await rulesOf({ auditIntervalMs: 600_000 }));
    const all = await rulesOf({ vap: true, auditIntervalMs: 60_000 });
    expect(all.flatMap((r: Obj) => r.resources)).toEqual([
      "namespaces",
      "pods",
      "deployments",
      "statefulsets",
      "daemonsets",
      "replicasets",
      "cronjobs",
      "jobs",
      "policyreports",
      "validatingadmissionpolicies",
      "validatingadmissionpolicybindings",
    ]);
    // The audit only reads workloads; it writes PolicyReports, never ClusterPolicyReports.
    const audit = all.filter((r: Obj) => r.apiGroups[0] !== "admissionregistration.k8s.io");
    for (const r of audit.filter((r: Obj) => r.resources[0] !== "policyreports"))
      if (r.resources[0] !== "namespaces") expect(r.verbs).toEqual(["list", "watch"]);
    expect(audit.find((r: Obj) => r.resources[0] === "policyreports")).toEqual({
      apiGroups: ["wgpolicyk8s.io"],
      resources: ["policyreports"],
      verbs: ["get", "list", "create", "update", "delete"],
    });
    const noReports = await rulesOf({ auditIntervalMs: 60_000, policyReports: false });
    expect(noReports.flatMap((r: Obj) => r.resources)).not.toContain("policyreports");
  });

  it("from the CLI: the token from a file, refused without one", () => {
    const files = tempFiles({
      token: "cst_from-file\n",
      "ca.pem": "-----BEGIN CERTIFICATE-----\n",
    });
    const r = customs([
      "install",
      "agent",
      "--control-plane",
      "https://cp:8643",
      "--control-plane-ca",
      join(files.dir, "ca.pem"),
      "--token-file",
      join(files.dir, "token"),
      "-o",
      "json",
    ]);
    files.cleanup();
    expect(r.status, r.stderr).toBe(0);
    const items = JSON.parse(r.stdout).items as Obj[];
    expect(items.find((o) => o.metadata.name === "customs-agent-token")?.stringData.token).toBe(
      "cst_from-file",
    );
    expect(
      customs(["install", "agent", "--control-plane", "https://cp:8643", "--mutate"]).status,
    ).toBe(2);
  });

  it("from the CLI: the background audit every 10 minutes unless --audit-interval 0", () => {
    const argsOf = (...extra: string[]) => {
      const r = customs([
        ...["install", "agent", "--control-plane", "https://cp:8643"],
        ...["--token-secret", "agent-token", "-o", "json", ...extra],
      ]);
      expect(r.status, r.stderr).toBe(0);
      const items = JSON.parse(r.stdout).items as Obj[];
      const deployment = items.find((o) => o.kind === "Deployment") as Obj;
      return (deployment.spec.template.spec.containers[0].args as string[]).join(" ");
    };
    const cases: [string[], string | undefined][] = [
      [[], "--audit-interval 600000"],
      [["--audit-qps", "7"], "--audit-interval 600000 --audit-qps 7"],
      [["--audit-interval", "60000"], "--audit-interval 60000"],
      [["--audit-interval", "0"], undefined],
      [["--audit-interval", "0", "--read-pull-secrets"], undefined],
    ];
    for (const [extra, want] of cases) {
      const args = argsOf(...extra);
      if (want === undefined) expect(args, extra.join(" ")).not.toContain("--audit");
      else expect(args, extra.join(" ")).toContain(want);
    }
  });

  it("from the CLI: refuses audit settings with the audit off, and intervals below 1000", () => {
    const agent = ["install", "agent", "--control-plane", "https://cp:8643"];
    const cases: [string[], string][] = [
      [["--audit-interval", "0", "--audit-qps", "3"], "--audit-qps needs the audit"],
      [["--audit-interval", "0", "--audit-batch", "50"], "--audit-batch needs the audit"],
      [["--audit-interval", "10"], "--audit-interval must be 0 (off) or an integer from 1000"],
      [["--audit-interval", ""], "--audit-interval must be 0 (off)"],
      [["--audit-interval", "86400001"], "--audit-interval must be 0 (off)"],
    ];
    for (const [extra, message] of cases) {
      const r = customs([...agent, "--token-secret", "agent-token", ...extra]);
      expect(r.status, extra.join(" ")).toBe(2);
      expect(r.stderr).toContain(message);
    }
    // The webhook's audit stays opt-in: no interval, no audit, and 0 is not a value.
    const webhook = customs(["install", "webhook", "-o", "json"]);
    expect(webhook.status, webhook.stderr).toBe(0);
    expect(webhook.stdout).not.toContain("--audit-interval");
    expect(customs(["install", "webhook", "--audit-interval", "0"]).status).toBe(2);
  });
});

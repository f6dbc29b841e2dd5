import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { renderInstall } from "../src/app/install.js";
import { customs } from "./support/cli.js";

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
      capabilities: { drop: ["ALL"] },
    });
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
    expect(r.stdout.match(/^---$/gm)).toHaveLength(11);
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

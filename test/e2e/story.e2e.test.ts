/**
 * The story of issue "Enforce in the cluster", end to end against a real kube-apiserver and
 * kube-controller-manager (test/e2e/cluster.ts): policies as CRDs, the webhook in cluster mode
 * (`customs serve --from-cluster`) registered with the API server, `kubectl` as a person uses
 * it; then the same policies compiled to ValidatingAdmissionPolicies, without the webhook,
 * must decide the same.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customs, ROOT } from "../support/cli.js";
import {
  type Cluster,
  eventually,
  type KubectlResult,
  kubeAvailability,
  localWebhookConfiguration,
  startCluster,
} from "./cluster.js";

const { skipReason } = kubeAvailability();
if (skipReason !== undefined) console.warn(`skipping the Kubernetes e2e story: ${skipReason}`);

const DIGEST = `sha256:${"5".repeat(64)}`;
const PINNED = `registry.mycorp.local:5000/team/app:v1@${DIGEST}`;

const POLICIES = `
apiVersion: customs.dev/v1alpha1
kind: Workspace
metadata: {name: tko-day1-ops-ws}
spec: {namespaces: [listed]}
---
apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: {name: corp-registry-only}
spec:
  workspace: tko-day1-ops-ws
  recipe: custom
  input:
    rules:
      - {hostname: registry.mycorp.local, port: "5000", imageName: "team/*", requireDigest: true}
---
apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: {name: warn-latest}
spec:
  namespace: warned
  action: warn
  recipe: block-latest-tag
`;

function ok(r: KubectlResult): string {
  if (r.code !== 0) throw new Error(`kubectl failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

describe.skipIf(skipReason !== undefined)("enforcement in a real cluster", () => {
  let cluster: Cluster;
  let webhook: ChildProcess | undefined;
  let webhookLog = "";
  let port = 0;

  const kubectl = (args: string[], input?: string) =>
    cluster.kubectl(args, input === undefined ? {} : { input });

  beforeAll(async () => {
    cluster = await startCluster();
    // Namespaces: two in the workspace (by label, by list), one for the warn policy, one outside.
    ok(await kubectl(["create", "namespace", "tanzu"]));
    ok(await kubectl(["label", "namespace", "tanzu", "customs.dev/workspace=tko-day1-ops-ws"]));
    for (const ns of ["listed", "warned", "elsewhere"])
      ok(await kubectl(["create", "namespace", ns]));
    // An old Deployment, from before any policy.
    ok(await kubectl(["create", "deployment", "legacy", "--image=busybox", "-n", "tanzu"]));
    // CRDs from `customs install`, then the policies as resources.
    const install = JSON.parse(customs(["install", "-o", "json"]).stdout) as {
      items: Array<{ kind: string }>;
    };
    const crds = install.items.filter((o) => o.kind === "CustomResourceDefinition");
    ok(
      await kubectl(
        ["apply", "-f", "-"],
        JSON.stringify({ apiVersion: "v1", kind: "List", items: crds }),
      ),
    );
    ok(
      await kubectl([
        "wait",
        "--for=condition=Established",
        "crd/imagepolicies.customs.dev",
        "crd/workspaces.customs.dev",
        "--timeout=60s",
      ]),
    );
    ok(await kubectl(["apply", "-f", "-"], POLICIES));
  });

  afterAll(async () => {
    webhook?.kill("SIGKILL");
    await cluster?.stop();
  });

  it("the CRD schema refuses an invalid policy at kubectl apply", async () => {
    const bad = `apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: {name: bad}
spec:
  recipe: custom
  input:
    rules: [{port: "5000"}]
`;
    const r = await kubectl(["apply", "-f", "-"], bad);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/a port needs a hostname/);
  });

  it("a supply-chain policy keeps its whole input in the cluster (nothing pruned)", async () => {
    const policy = `apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: {name: signed-by-ci}
spec:
  namespace: nowhere
  recipe: require-signature
  input:
    count: 1
    authorities:
      - name: ci
        keyless:
          issuer: https://token.actions.githubusercontent.com
          subjectRegExp: "https://github[.]com/example/.*"
`;
    expect((await kubectl(["apply", "-f", "-"], policy)).code).toBe(0);
    const got = await kubectl(["get", "imagepolicy", "signed-by-ci", "-o", "json"]);
    expect(JSON.parse(got.stdout).spec.input).toEqual({
      count: 1,
      authorities: [
        {
          name: "ci",
          keyless: {
            issuer: "https://token.actions.githubusercontent.com",
            subjectRegExp: "https://github[.]com/example/.*",
          },
        },
      ],
    });
    expect((await kubectl(["delete", "imagepolicy", "signed-by-ci"])).code).toBe(0);
  });

  describe("the admission webhook (customs serve --from-cluster)", () => {
    beforeAll(async () => {
      const cert = await cluster.issueServingCert("customs-webhook", ["127.0.0.1"]);
      port = 30_000 + Math.floor(Math.random() * 20_000);
      webhook = spawn(process.execPath, [
        join(ROOT, "bin/customs"),
        "serve",
        "webhook",
        "--from-cluster",
        "--kubeconfig",
        cluster.kubeconfig,
        "--listen",
        `127.0.0.1:${port}`,
        "--tls-cert",
        cert.certFile,
        "--tls-key",
        cert.keyFile,
      ]);
      webhook.stdout?.on("data", (d: Buffer) => {
        webhookLog += d.toString();
      });
      webhook.stderr?.on("data", (d: Buffer) => {
        webhookLog += d.toString();
      });
      await eventually("policies loaded by the webhook", async () =>
        webhookLog.includes("policies loaded from the cluster") ? true : undefined,
      );
      const configuration = localWebhookConfiguration(
        "customs",
        `https://127.0.0.1:${port}/validate`,
        cluster.caPem,
      );
      ok(await kubectl(["apply", "-f", "-"], JSON.stringify(configuration)));
      // The API server picks up webhook configurations asynchronously.
      await eventually("the webhook to be called", async () => {
        const r = await kubectl([
          "create",
          "deployment",
          "probe",
          "--image=busybox",
          "-n",
          "tanzu",
          "--dry-run=server",
        ]);
        return r.code !== 0 ? true : undefined;
      });
    }, 180_000);

    it("refuses kubectl create deployment busybox with a message that says why and what is allowed", async () => {
      const r = await kubectl([
        "create",
        "deployment",
        "busybox",
        "--image=busybox",
        "-n",
        "tanzu",
      ]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('admission webhook "validate.customs.dev" denied the request');
      expect(r.stderr).toContain(
        'image "busybox" (docker.io/library/busybox:latest) is not allowed by policy "corp-registry-only" (workspace tko-day1-ops-ws, action deny)',
      );
      expect(r.stderr).toContain(
        "allowed: hostname registry.mycorp.local, port 5000, image name team/*, with a digest",
      );
    });

    it("applies to namespaces the Workspace lists, not only labelled ones", async () => {
      const r = await kubectl(["run", "x", "--image=nginx:1.25", "-n", "listed"]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain("corp-registry-only");
    });

    it("admits a digest-pinned image from the allowed registry, and the pods its ReplicaSet makes", async () => {
      ok(await kubectl(["create", "deployment", "app", `--image=${PINNED}`, "-n", "tanzu"]));
      const pods = await eventually("a pod of the deployment", async () => {
        const names = ok(
          await kubectl(["get", "pods", "-n", "tanzu", "-l", "app=app", "-o", "name"]),
        );
        return names.trim() !== "" ? names : undefined;
      });
      // Made by the ReplicaSet, so admitted too.
      expect(pods.trim().split("\n")[0]).toMatch(/^pod\/app-/);
    });

    it("shows Warning: lines for a warn policy, and admits", async () => {
      const r = await kubectl(["run", "w", "--image=nginx", "-n", "warned"]);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/Warning: warn-latest: container "w" \(containers\): image "nginx"/);
    });

    it("leaves namespaces outside every scope alone", async () => {
      const r = await kubectl(["run", "free", "--image=busybox", "-n", "elsewhere"]);
      expect(r.code, r.stderr).toBe(0);
      // Admitted without a word from any policy.
      expect(r.stderr).not.toContain("Warning");
      expect(r.stdout).toContain("pod/free created");
    });

    it("lets an old Deployment be updated when its image does not change", async () => {
      const r = await kubectl(["label", "deployment", "legacy", "team=ops", "-n", "tanzu"]);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain("image unchanged by this update, so not denied");
      ok(await kubectl(["scale", "deployment", "legacy", "--replicas=2", "-n", "tanzu"]));
      const r2 = await kubectl([
        "set",
        "image",
        "deployment/legacy",
        "busybox=busybox:1.36",
        "-n",
        "tanzu",
      ]);
      expect(r2.code).not.toBe(0);
    });

    it("checks kubectl debug's ephemeral containers", async () => {
      const pod = ok(await kubectl(["get", "pods", "-n", "tanzu", "-l", "app=app", "-o", "name"]))
        .trim()
        .split("\n")[0]!;
      const r = await kubectl([
        "debug",
        "-n",
        "tanzu",
        pod,
        "--image=busybox",
        "--profile=general",
        "--",
        "true",
      ]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain("(ephemeralContainers)");
    });

    it("follows policy changes in the cluster without a restart", async () => {
      ok(await kubectl(["delete", "imagepolicy", "warn-latest"]));
      await eventually("the warn policy to be gone", async () => {
        const r = await kubectl([
          "run",
          `w${Date.now() % 100000}`,
          "--image=nginx",
          "-n",
          "warned",
          "--dry-run=server",
        ]);
        return r.code === 0 && !r.stderr.includes("Warning") ? true : undefined;
      });
      ok(await kubectl(["apply", "-f", "-"], POLICIES));
      const back = await eventually("the warn policy to be back", async () => {
        const r = await kubectl([
          "run",
          `w${Date.now() % 100000}`,
          "--image=nginx",
          "-n",
          "warned",
          "--dry-run=server",
        ]);
        return r.stderr.includes("Warning") ? r : undefined;
      });
      expect(back.code).toBe(0);
      expect(back.stderr).toMatch(/Warning: warn-latest: /);
    });

    afterAll(async () => {
      await kubectl(["delete", "validatingwebhookconfiguration", "customs"]);
      webhook?.kill("SIGTERM");
    });
  });

  describe("the same policies as ValidatingAdmissionPolicies, without the webhook", () => {
    beforeAll(async () => {
      const dir = cluster.dir;
      writeFileSync(join(dir, "policies.yaml"), POLICIES);
      const compiled = customs(["compile", "vap", "-p", join(dir, "policies.yaml")]);
      expect(compiled.status, compiled.stderr).toBe(0);
      ok(await kubectl(["apply", "-f", "-"], compiled.stdout));
      // The API server activates each policy and binding on its own schedule: wait until every
      // binding the tests rely on is in force (workspace by label, by listed name, warn).
      const refused = async (args: string[]) =>
        (await kubectl([...args, "--dry-run=server"])).code !== 0;
      await eventually(
        "the policies to be enforced",
        async () => {
          const tanzu = await refused([
            "create",
            "deployment",
            "probe",
            "--image=busybox",
            "-n",
            "tanzu",
          ]);
          const listed = await refused(["run", "probe", "--image=nginx:1.25", "-n", "listed"]);
          const w = await kubectl([
            "run",
            "probe",
            "--image=nginx",
            "-n",
            "warned",
            "--dry-run=server",
          ]);
          return tanzu && listed && w.stderr.includes("Warning") ? true : undefined;
        },
        90_000,
      );
    }, 180_000);

    it("type-check cleanly in the API server", async () => {
      const out = JSON.parse(
        ok(await kubectl(["get", "validatingadmissionpolicies", "-o", "json"])),
      ) as {
        items: Array<{
          metadata: { name: string };
          status?: { typeChecking?: { expressionWarnings?: unknown[] } };
        }>;
      };
      for (const p of out.items)
        expect(p.status?.typeChecking?.expressionWarnings ?? [], p.metadata.name).toEqual([]);
    });

    it("refuse busybox, naming the image and what is allowed", async () => {
      const r = await kubectl([
        "create",
        "deployment",
        "busybox2",
        "--image=busybox",
        "-n",
        "tanzu",
      ]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain("busybox");
      expect(r.stderr).toContain("corp-registry-only");
      expect(r.stderr).toContain("registry.mycorp.local");
    });

    it("refuse in listed namespaces too, admit the pinned image, warn, and leave others alone", async () => {
      expect((await kubectl(["run", "y", "--image=nginx:1.25", "-n", "listed"])).code).not.toBe(0);
      ok(await kubectl(["create", "deployment", "app2", `--image=${PINNED}`, "-n", "tanzu"]));
      const w = await kubectl(["run", "w2", "--image=nginx", "-n", "warned"]);
      expect(w.code).toBe(0);
      expect(w.stderr).toContain("Warning:");
      ok(await kubectl(["run", "free2", "--image=busybox", "-n", "elsewhere"]));
    });

    it("let an old Deployment be updated when its image does not change", async () => {
      ok(
        await kubectl(["label", "deployment", "legacy", "team=sre", "--overwrite", "-n", "tanzu"]),
      );
      expect(
        (
          await kubectl([
            "set",
            "image",
            "deployment/legacy",
            "busybox=busybox:1.37",
            "-n",
            "tanzu",
          ])
        ).code,
      ).not.toBe(0);
    });

    it("check kubectl debug's ephemeral containers", async () => {
      const pod = ok(await kubectl(["get", "pods", "-n", "tanzu", "-l", "app=app", "-o", "name"]))
        .trim()
        .split("\n")[0]!;
      const r = await kubectl([
        "debug",
        "-n",
        "tanzu",
        pod,
        "--image=busybox",
        "--profile=general",
        "--",
        "true",
      ]);
      expect(r.code).not.toBe(0);
    });
  });
});

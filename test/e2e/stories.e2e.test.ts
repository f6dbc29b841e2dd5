/**
 * The users' stories with Pods that really run (docs/e2e.md, "The stories"), on the real node
 * of node.ts, with Customs installed the way a platform team installs it: images built here
 * (test/e2e/images.ts, deploy/Dockerfile) and pushed to the tests' registry, the Helm chart
 * (deploy/helm/customs) installed with a real `helm`, "Add cluster" applied as handed out.
 *
 * (a) The TMC workshop: control plane and agent as Pods; busybox refused in `tanzu`; a newer
 *     policy leaves FailedCreate events on a scaled ReplicaSet; allowed Pods run.
 * (b) The private registry: registry:2 and its token service as Pods from
 *     `customs registry manifests --auth token`; CI pushes, the pull secret pulls, nothing
 *     else does; busybox refused by the webhook and by native policies.
 * (c) Signatures at admission: the chart hands the webhook the registry's credentials and CA;
 *     a cosign-signed image runs, an unsigned one is refused with SIGNATURE_MISSING.
 * (d) Day two: helm upgrade, a lost webhook replica, the control plane down, native policies
 *     with kube-system and Customs' own namespace left alone.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Pusher } from "../registry/images.js";
import { cosignPath, runCosign } from "../signatures/cosign.js";
import { ROOT } from "../support/cli.js";
import { CHART, helmBinary } from "../support/helm.js";
import { eventually, type KubectlResult } from "./cluster.js";
import { type ApiReply, httpsJson } from "./fleet.js";
import { buildAndPushImages, type PushedImages } from "./images.js";
import { type RunningIngress, startIngress } from "./ingress.js";
import { type NodeCluster, nodeBinDir, nodeSkipReason, startNodeCluster } from "./node.js";
import { hostFile, pushSimpleImage } from "./node-images.js";
import { type Provisioner, STORAGE_CLASS, startProvisioner } from "./provisioner.js";

const execFileAsync = promisify(execFile);

const helmFound = helmBinary();
const cosign = cosignPath(2);
const skip =
  nodeSkipReason() ??
  ("skip" in helmFound ? helmFound.skip : undefined) ??
  (cosign === undefined ? "cosign v2 is not built (scripts/cosign/build.sh)" : undefined);
if (skip !== undefined) console.warn(`[stories e2e] skipped: ${skip}`);

const NS = "customs-system";
const CP = "customs-control-plane";
const CP_HOST = `${CP}.${NS}.svc`;
const ORG = "/api/v1/organizations/default";
const REGISTRY_HOST = "registry.customs.test";

function ok(r: KubectlResult, what = "kubectl"): string {
  if (r.code !== 0) throw new Error(`${what} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

function imageValues(ref: string): string[] {
  const [name, digest] = ref.split("@") as [string, string];
  return [
    `--set=image.repository=${name}`,
    "--set=image.tag=0.1.0",
    `--set=image.digest=${digest}`,
  ];
}

describe.skipIf(skip !== undefined)("the users' stories on a real node", () => {
  let node: NodeCluster;
  let images: PushedImages;
  let provisioner: Provisioner | undefined;
  let ingress: RunningIngress | undefined;
  let work: string;
  let cpToken = "";
  let cpCa = "";
  /** team/app (allowed by the workshop policy) and legacy/app (not), from the tests' registry. */
  let appImage = "";
  let legacyImage = "";
  /** The in-cluster registry of story (b): its CA, CI's and the cluster's credentials, an image. */
  let registryCa = "";
  let pushUser = "";
  let pushPassword = "";
  let pullUser = "";
  let pullPassword = "";
  let webImage = "";
  const helmPath = "path" in helmFound ? helmFound.path : "";
  const kubectl = (args: string[], input?: string) =>
    node.kubectl(args, input === undefined ? {} : { input, timeoutMs: 120_000 });
  const helm = async (args: string[]) => {
    try {
      const { stdout } = await execFileAsync(helmPath, args, {
        env: {
          ...process.env,
          KUBECONFIG: node.kubeconfig,
          HOME: work,
          HELM_CONFIG_HOME: join(work, "helm-config"),
          HELM_DATA_HOME: join(work, "helm-data"),
          HELM_CACHE_HOME: join(work, "helm-cache"),
        },
        maxBuffer: 1 << 26,
        timeout: 300_000,
      });
      return stdout;
    } catch (error) {
      throw new Error(`helm ${args.join(" ")}: ${(error as { stderr?: string }).stderr ?? error}`);
    }
  };
  const api = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    httpsJson(`https://${CP_HOST}:8643${path}`, cpCa, method, {
      token: cpToken,
      ...(body === undefined ? {} : { body }),
      ...(headers === undefined ? {} : { headers }),
    });
  const must = (r: ApiReply, what: string) => {
    if (r.status >= 300) throw new Error(`${what}: ${r.status} ${r.text}`);
    return r.json;
  };
  const jsonpath = async (args: string[], path: string) =>
    (await kubectl([...args, "-o", `jsonpath=${path}`])).stdout;
  const waitAvailable = (ns: string, name: string, replicas = 1, timeoutMs = 240_000) =>
    eventually(
      `deployment ${ns}/${name} to have ${replicas} available`,
      async () => {
        const n = await jsonpath(
          ["-n", ns, "get", "deployment", name],
          "{.status.availableReplicas}",
        );
        return Number(n || 0) >= replicas ? true : undefined;
      },
      timeoutMs,
    ).catch(async (error) => {
      const pods = await kubectl(["-n", ns, "get", "pods", "-o", "wide"]);
      const events = await kubectl(["-n", ns, "get", "events", "--sort-by=.lastTimestamp"]);
      throw new Error(
        `${(error as Error).message}\n${pods.stdout}\n${events.stdout.split("\n").slice(-25).join("\n")}`,
      );
    });
  /** A Pod created with --dry-run=server: admission decides, nothing runs. */
  const tryRun = (ns: string, name: string, image: string) =>
    kubectl(["-n", ns, "run", name, `--image=${image}`, "--dry-run=server"]);
  const podPhase = (ns: string, selector: string) =>
    jsonpath(["-n", ns, "get", "pods", "-l", selector], "{.items[*].status.phase}");
  const secretField = async (ns: string, name: string, key: string) =>
    Buffer.from(
      await jsonpath(["-n", ns, "get", "secret", name], `{.data.${key.replace(/\./g, "\\.")}}`),
      "base64",
    ).toString("utf8");

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "customs-stories-"));
    node = await startNodeCluster({
      log: (line) => console.log(`[node] ${line}`),
      hosts: { [REGISTRY_HOST]: process.env.NODE_IP as string },
    });
    provisioner = await startProvisioner(node);
    images = await buildAndPushImages(
      { host: node.registry.host, caFile: node.registry.caFile },
      { log: (line) => console.log(`[images] ${line}`) },
    );
    appImage = await node.pushBinaryImage("team/app", "v1");
    legacyImage = await node.pushBinaryImage("legacy/app", "v1");
  }, 1_800_000);

  afterAll(async () => {
    await ingress?.stop();
    provisioner?.stop();
    await node?.stop();
  }, 180_000);

  describe("(a) the TMC workshop", () => {
    it("runs the control plane and console as Pods from the chart", async () => {
      await helm([
        "install",
        "customs-cp",
        CHART,
        "-n",
        NS,
        "--create-namespace",
        "--wait=false",
        "--set=webhook.enabled=false",
        "--set=controlPlane.enabled=true",
        `--set=controlPlane.persistence.storageClass=${STORAGE_CLASS}`,
        ...imageValues(images.customs),
      ]);
      await waitAvailable(NS, CP);
      cpToken = await secretField(NS, `${CP}-admin`, "token");
      cpCa = await secretField(NS, `${CP}-tls`, "ca.crt");
      const ip = await jsonpath(["-n", NS, "get", "service", CP], "{.spec.clusterIP}");
      await node.addHost(CP_HOST, ip);
      const who = await eventually("the control plane to answer", async () => {
        const r = await api("GET", "/api/v1/whoami").catch(() => undefined);
        return r?.status === 200 ? r : undefined;
      });
      expect(who.json.role ?? who.json.status?.role).toBe("admin");
      // The console is served by the same Pod.
      const page = await httpsJson(`https://${CP_HOST}:8643/`, cpCa, "GET");
      expect(page.status).toBe(200);
      expect(page.text).toContain("<div id=");
    });

    it('registers the cluster in one step: "Add cluster" manifest applied as handed out', async () => {
      const created = must(
        await api("POST", `${ORG}/clusters`, { metadata: { name: "workshop" }, spec: {} }),
        "create cluster",
      );
      const manifest: string = created.install.manifest.yaml;
      expect(manifest).not.toMatch(/<[A-Z_-]+>|REPLACE|ca\.pem/);
      expect(created.install.commands.kubectl).not.toContain(created.agentToken);
      ok(await kubectl(["apply", "-f", "-"], manifest), "apply the agent manifest");
      await waitAvailable(NS, "customs-agent", 2);
      // Ready Pods reach the Service's endpoints (and kube-proxy's rules) a moment later; the
      // agent answers once it holds its first bundle (it fails closed until then).
      await eventually("the agent to answer admission", async () => {
        const r = await tryRun("default", "probe", appImage);
        return r.code === 0 ? true : undefined;
      });
      await eventually("the cluster to report in", async () => {
        const r = await api("GET", `${ORG}/clusters/workshop`);
        return r.json?.status?.lastSeen !== undefined ? true : undefined;
      });
    });

    it("refuses busybox in tanzu once the workspace's Custom policy is applied", async () => {
      ok(await kubectl(["create", "namespace", "tanzu"]));
      // Created while nothing restricts tanzu: scaled up later, after a newer policy.
      ok(
        await kubectl([
          "-n",
          "tanzu",
          "create",
          "deployment",
          "legacy",
          `--image=${legacyImage}`,
          "--replicas=0",
        ]),
      );
      must(
        await api("POST", `${ORG}/workspaces`, { metadata: { name: "tko-day1-ops-ws" }, spec: {} }),
        "create workspace",
      );
      await eventually("the agent to report tanzu", async () => {
        const r = await api("GET", `${ORG}/clusters/workshop/namespaces`);
        return JSON.stringify(r.json).includes('"tanzu"') ? true : undefined;
      });
      must(
        await api("PUT", `${ORG}/workspaces/tko-day1-ops-ws/namespaces/workshop/tanzu`),
        "attach tanzu",
      );
      const [host, port] = node.registry.host.split(":") as [string, string];
      must(
        await api("POST", `${ORG}/policies`, {
          apiVersion: "customs.dev/v1alpha1",
          kind: "ImagePolicy",
          metadata: { name: "corp-registry-only" },
          spec: {
            workspace: "tko-day1-ops-ws",
            recipe: "custom",
            input: { rules: [{ hostname: host, port, imageName: "team/*" }] },
          },
        }),
        "create policy",
      );
      await waitApplied();
      const refused = await kubectl([
        "-n",
        "tanzu",
        "create",
        "deployment",
        "busybox",
        "--image=busybox",
      ]);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain("corp-registry-only");
      expect(refused.stderr).toContain("busybox");
    });

    it("runs the allowed image's Pods", async () => {
      ok(await kubectl(["-n", "tanzu", "create", "deployment", "web", `--image=${appImage}`]));
      await waitAvailable("tanzu", "web");
      expect(await podPhase("tanzu", "app=web")).toBe("Running");
    });

    it("leaves FailedCreate events with the policy's message on a scaled ReplicaSet", async () => {
      ok(await kubectl(["-n", "tanzu", "scale", "deployment", "legacy", "--replicas=1"]));
      const event = await eventually("a FailedCreate event on legacy's ReplicaSet", async () => {
        const r = await kubectl([
          "-n",
          "tanzu",
          "get",
          "events",
          "--field-selector=reason=FailedCreate",
          "-o",
          "json",
        ]);
        const items = (JSON.parse(r.stdout || "{}").items ?? []) as {
          involvedObject: { kind: string; name: string };
          message: string;
        }[];
        return items.find(
          (e) =>
            e.involvedObject.kind === "ReplicaSet" && e.involvedObject.name.startsWith("legacy-"),
        )?.message;
      });
      expect(event).toContain("corp-registry-only");
      const described = ok(await kubectl(["-n", "tanzu", "describe", "deployment", "legacy"]));
      expect(described).toMatch(/0 available/);
    });
  });

  /** Waits until the agent reports the control plane's latest revision as applied. */
  async function waitApplied() {
    await eventually("the agent to apply the latest policies", async () => {
      const r = await api("GET", `${ORG}/clusters/workshop`);
      const s = r.json?.status ?? {};
      return s.appliedRevision !== undefined && s.appliedRevision === s.deliveredRevision
        ? true
        : undefined;
    });
  }

  describe("(b) the private registry", () => {
    it("runs registry:2 and its token service as Pods, with TLS, a PVC and a ClusterIP Service", async () => {
      const caPrefix = join(work, "registry-ca");
      const rendered = await execFileAsync(
        process.execPath,
        [
          join(ROOT, "bin/customs"),
          "registry",
          "manifests",
          "--host",
          REGISTRY_HOST,
          "--auth",
          "token",
          "--namespace",
          "registry",
          "--storage-class",
          STORAGE_CLASS,
          "--size",
          "1Gi",
          "--pull-secret-namespace",
          "apps",
          "--workspace",
          "apps-ws",
          "--token-image",
          images.customs,
          "--registry-image",
          images.registry,
          "--write-ca",
          `${caPrefix}.crt`,
          "-o",
          "yaml",
        ],
        { maxBuffer: 1 << 24 },
      );
      ok(await kubectl(["create", "namespace", "apps"]));
      // The bundle's ImagePolicy (only this registry, by digest) is scoped to apps' workspace.
      ok(
        await kubectl(
          ["apply", "-f", "-"],
          JSON.stringify({
            apiVersion: "customs.dev/v1alpha1",
            kind: "Workspace",
            metadata: { name: "apps-ws" },
            spec: { namespaces: ["apps"] },
          }),
        ),
      );
      ok(await kubectl(["apply", "-f", "-"], rendered.stdout), "apply the registry bundle");
      registryCa = readFileSync(`${caPrefix}.crt`, "utf8");
      await waitAvailable("registry", "registry");
      const pvc = await jsonpath(["-n", "registry", "get", "pvc"], "{.items[*].status.phase}");
      expect(pvc).toBe("Bound");
      const svc = await jsonpath(["-n", "registry", "get", "service", "registry"], "{.spec.type}");
      expect(svc).toBe("ClusterIP");
      const deployments = ok(await kubectl(["-n", "registry", "get", "deployments", "-o", "name"]));
      for (const d of deployments.trim().split("\n"))
        await waitAvailable("registry", d.replace("deployment.apps/", ""));
      ingress = await startIngress(node, "registry", "registry", node.nodeIp);
      await node.trustRegistry(REGISTRY_HOST, registryCa);
      await waitForTokenService(REGISTRY_HOST, registryCa);
      const push = JSON.parse(await secretField("registry", "registry-push", ".dockerconfigjson"));
      const pull = JSON.parse(await secretField("apps", "regcred", ".dockerconfigjson"));
      [pushUser, pushPassword] = credentialsOf(push, REGISTRY_HOST);
      [pullUser, pullPassword] = credentialsOf(pull, REGISTRY_HOST);
      expect(pushUser).not.toBe(pullUser);
    });

    it("lets CI push with the push credential", async () => {
      const pusher = await tokenPusher(
        REGISTRY_HOST,
        registryCa,
        pushUser,
        pushPassword,
        "team/web",
      );
      webImage = await pushSimpleImage(pusher, REGISTRY_HOST, "team/web", "v1", {
        entrypoint: ["/app"],
        files: [hostFile("app", join(nodeBinDir(), "pause"), 0o755)],
      });
      expect(webImage).toMatch(/^registry\.customs\.test\/team\/web@sha256:/);
    });

    it("refuses the pull credential a push", async () => {
      await expect(
        tokenPusher(REGISTRY_HOST, registryCa, pullUser, pullPassword, "team/web").then((p) =>
          pushSimpleImage(p, REGISTRY_HOST, "team/web", "evil", {
            entrypoint: ["/app"],
            files: [{ path: "app", bytes: Buffer.from("x"), mode: 0o755 }],
          }),
        ),
      ).rejects.toThrow(/40[13]|denied|scope/i);
    });

    it("runs a Pod that pulls by digest with the pull-only secret; one without it cannot pull", async () => {
      ok(
        await kubectl(
          ["apply", "-f", "-"],
          JSON.stringify(pod("with-secret", "apps", webImage, true)),
        ),
      );
      ok(
        await kubectl(
          ["apply", "-f", "-"],
          JSON.stringify(pod("no-secret", "apps", webImage, false)),
        ),
      );
      await eventually("the Pod with the secret to run", async () =>
        (await podPhase("apps", "story=with-secret")) === "Running" ? true : undefined,
      );
      const reason = await eventually("the Pod without the secret to fail its pull", async () => {
        const r = await jsonpath(
          ["-n", "apps", "get", "pod", "no-secret"],
          "{.status.containerStatuses[0].state.waiting.reason}",
        );
        return r === "ErrImagePull" || r === "ImagePullBackOff" ? r : undefined;
      });
      expect(["ErrImagePull", "ImagePullBackOff"]).toContain(reason);
    });

    it("refuses busybox through the webhook, and the same with native policies instead", async () => {
      // The bundle's ImagePolicy (admit only this registry, by digest) is a CRD object: the
      // webhook (`customs serve --from-cluster`, from the chart) enforces it.
      const webhookValues = join(work, "webhook-values.json");
      writeFileSync(
        webhookValues,
        JSON.stringify({
          registryCA: { bundle: registryCa },
          registryCredentials: {
            dockerConfigJson: JSON.stringify(dockerConfig(REGISTRY_HOST, pullUser, pullPassword)),
          },
        }),
        { mode: 0o600 },
      );
      await helm([
        "install",
        "customs",
        CHART,
        "-n",
        NS,
        "--wait=false",
        "--set=webhook.replicas=2",
        // Credentials in a values file, never in a command line.
        "-f",
        webhookValues,
        // The webhook runs the Node 20 variant (better-sqlite3 inside); the control plane
        // and the agent the Node 24 one: both are proven as Pods.
        ...imageValues(images.customsNode20),
      ]);
      await waitAvailable(NS, "customs-webhook", 2);
      const viaWebhook = await eventually("the webhook to refuse busybox", async () => {
        const r = await tryRun("apps", "bb", "busybox");
        // A refusal by the webhook, not a call that failed (endpoints lag readiness a moment).
        return r.code !== 0 && r.stderr.includes("denied the request") ? r : undefined;
      });
      expect(viaWebhook.stderr).toMatch(/busybox/);
      const allowed = await tryRun("apps", "ok", webImage);
      expect(allowed.stderr).toBe("");

      const policyFile = join(work, "policies.yaml");
      writeFileSync(policyFile, await clusterPolicies());
      const compiled = await customsCli(["compile", "vap", "-p", policyFile]);
      ok(await kubectl(["apply", "-f", "-"], compiled), "apply native policies");
      // Native policies alone: the webhook configuration goes away.
      ok(
        await kubectl([
          "delete",
          "validatingwebhookconfiguration",
          "customs-webhook",
          "--ignore-not-found",
        ]),
      );
      const viaVap = await eventually("the native policy to refuse busybox", async () => {
        const r = await tryRun("apps", "bb", "busybox");
        return r.code !== 0 && /ValidatingAdmissionPolicy/.test(r.stderr) ? r : undefined;
      });
      expect(viaVap.stderr).toMatch(/busybox|registry/);
      const allowedVap = await tryRun("apps", "ok", webImage);
      expect(allowedVap.stderr).toBe("");
    });
  });

  describe("(d) day two", () => {
    it("keeps enforcing with the control plane down", async () => {
      ok(await kubectl(["-n", NS, "scale", "deployment", CP, "--replicas=0"]));
      await eventually("the control plane's Pods to be gone", async () =>
        (await podPhase(NS, `app.kubernetes.io/name=${CP}`)) === "" ? true : undefined,
      );
      const refused = await tryRun("tanzu", "bb", "busybox");
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain("corp-registry-only");
      const allowed = await tryRun("tanzu", "ok", appImage);
      expect(allowed.stderr).toBe("");
    });

    it("leaves kube-system and Customs' own namespace working under native policies", async () => {
      // An organization-wide policy that neither registry.k8s.io nor the tests' registry (which
      // Customs' own image comes from) passes, as native policies only.
      const orgFile = join(work, "org-only.yaml");
      writeFileSync(
        orgFile,
        JSON.stringify({
          apiVersion: "customs.dev/v1alpha1",
          kind: "ImagePolicy",
          metadata: { name: "org-registry-only" },
          spec: { recipe: "custom", input: { rules: [{ hostname: REGISTRY_HOST }] } },
        }),
      );
      const compiled = await customsCli(["compile", "vap", "-p", orgFile]);
      ok(await kubectl(["apply", "-f", "-"], compiled), "apply the organization's native policy");
      // `default`: no other policy covers it, so the refusal is this policy's.
      await eventually("the native policy to refuse busybox in default", async () => {
        const r = await tryRun("default", "bb2", "busybox");
        return r.code !== 0 && r.stderr.includes("org-registry-only") ? true : undefined;
      });
      const coredns = await kubectl([
        "-n",
        "kube-system",
        "create",
        "deployment",
        "coredns-next",
        "--image=registry.k8s.io/coredns/coredns:v1.12.0",
        "--dry-run=server",
      ]);
      expect(coredns.stderr).toBe("");
      ok(await kubectl(["-n", NS, "rollout", "restart", "deployment", "customs-webhook"]));
      ok(
        await kubectl([
          "-n",
          NS,
          "rollout",
          "status",
          "deployment",
          "customs-webhook",
          "--timeout=180s",
        ]),
        "rollout of Customs' own Deployment",
      );
      ok(await kubectl(["delete", "-f", "-"], compiled), "remove the organization's native policy");
    });

    it("rolls the webhook with helm upgrade without refusing its own Pods, and survives losing a replica", async () => {
      // The webhook configuration back (it was removed for native policies only).
      await helm([
        "upgrade",
        "customs",
        CHART,
        "-n",
        NS,
        "--reuse-values",
        "--set=webhook.replicas=3",
        "--wait",
        "--timeout=240s",
      ]);
      await waitAvailable(NS, "customs-webhook", 3);
      const pods = ok(
        await kubectl([
          "-n",
          NS,
          "get",
          "pods",
          "-l",
          "app.kubernetes.io/name=customs-webhook",
          "-o",
          "name",
        ]),
      )
        .trim()
        .split("\n");
      ok(await kubectl(["-n", NS, "delete", pods[0] as string, "--wait=false"]));
      for (let i = 0; i < 5; i++) {
        const r = await tryRun("apps", `ok-${i}`, webImage);
        expect(r.stderr).toBe("");
        const bb = await tryRun("apps", `bb-${i}`, "busybox");
        expect(bb.code).not.toBe(0);
      }
    });
  });

  /** (c) runs after (b) and (d): the in-cluster registry holds the signed image. */
  describe("(c) signatures at admission", () => {
    it("runs a cosign-signed image and refuses an unsigned one with SIGNATURE_MISSING", async () => {
      const home = join(work, "cosign-home");
      mkdirSync(join(home, ".docker"), { recursive: true });
      writeFileSync(
        join(home, ".docker", "config.json"),
        JSON.stringify(dockerConfig(REGISTRY_HOST, pushUser, pushPassword)),
      );
      const caFile = join(work, "registry-ca.pem");
      writeFileSync(caFile, registryCa);
      const env = { caFile, home };
      const run = async (args: string[]) => {
        const r = await runCosign(cosign as string, args, env);
        if (r.code !== 0) throw new Error(`cosign ${args[0]}: ${r.stderr}`);
        return r;
      };
      await run(["generate-key-pair", "--output-key-prefix", join(work, "ci")]);
      const pusher = await tokenPusher(
        REGISTRY_HOST,
        registryCa,
        pushUser,
        pushPassword,
        "team/signed",
      );
      const signed = await pushSimpleImage(pusher, REGISTRY_HOST, "team/signed", "v1", {
        entrypoint: ["/app"],
        cmd: ["signed"],
        files: [hostFile("app", join(nodeBinDir(), "pause"), 0o755)],
      });
      await run(["sign", "--key", join(work, "ci.key"), "--tlog-upload=false", signed]);
      const publicKey = readFileSync(join(work, "ci.pub"), "utf8");
      ok(
        await kubectl(
          ["apply", "-f", "-"],
          JSON.stringify({
            apiVersion: "customs.dev/v1alpha1",
            kind: "ImagePolicy",
            metadata: { name: "signed-by-ci" },
            spec: {
              namespace: "apps",
              recipe: "require-signature",
              input: { authorities: [{ name: "ci", key: { pem: publicKey } }] },
            },
          }),
        ),
        "apply the signature policy",
      );
      const refused = await eventually("the webhook to refuse the unsigned image", async () => {
        const r = await tryRun("apps", "unsigned", webImage);
        return r.code !== 0 && r.stderr.includes("signed-by-ci") ? r : undefined;
      });
      expect(refused.stderr).toContain("SIGNATURE_MISSING");
      ok(await kubectl(["apply", "-f", "-"], JSON.stringify(pod("signed", "apps", signed, true))));
      await eventually("the signed image's Pod to run", async () =>
        (await podPhase("apps", "story=signed")) === "Running" ? true : undefined,
      );
    });
  });

  /** The cluster's ImagePolicies and Workspaces as one YAML stream, for `customs compile vap`. */
  async function clusterPolicies(): Promise<string> {
    const docs: string[] = [];
    for (const kind of ["workspaces.customs.dev", "imagepolicies.customs.dev"]) {
      const list = JSON.parse(ok(await kubectl(["get", kind, "-o", "json"]), `read ${kind}`));
      for (const item of list.items) {
        docs.push(
          JSON.stringify({
            apiVersion: item.apiVersion,
            kind: item.kind,
            metadata: { name: item.metadata.name },
            spec: item.spec,
          }),
        );
      }
    }
    return docs.join("\n---\n");
  }

  const customsCli = async (args: string[]) =>
    (
      await execFileAsync(process.execPath, [join(ROOT, "bin/customs"), ...args], {
        maxBuffer: 1 << 24,
      })
    ).stdout;
});

function dockerConfig(host: string, user: string, password: string) {
  return {
    auths: { [host]: { auth: Buffer.from(`${user}:${password}`).toString("base64") } },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: a docker config read field by field.
function credentialsOf(config: any, host: string): [string, string] {
  const entry = config.auths?.[host] ?? Object.values(config.auths ?? {})[0];
  if (entry?.auth !== undefined) {
    const [user, ...rest] = Buffer.from(entry.auth, "base64").toString("utf8").split(":");
    return [user as string, rest.join(":")];
  }
  return [entry?.username, entry?.password];
}

function pod(name: string, namespace: string, image: string, withSecret: boolean) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace, labels: { story: name } },
    spec: {
      ...(withSecret ? { imagePullSecrets: [{ name: "regcred" }] } : {}),
      containers: [{ name: "app", image }],
    },
  };
}

/**
 * Waits until the registry's token service answers through its Service. A Deployment is
 * Available before kube-proxy routes its Service to the new Pod, so the first token request
 * can meet a refused connection (the ingress answers 502) for a moment after waitAvailable.
 */
async function waitForTokenService(host: string, ca: string): Promise<void> {
  await eventually(
    "the token service to answer through its Service",
    async () => {
      const challenge = await get(`https://${host}/v2/`, ca, {}).catch(() => undefined);
      const header = String(challenge?.headers["www-authenticate"] ?? "");
      const realm = /realm="([^"]+)"/.exec(header)?.[1];
      if (realm === undefined) return undefined;
      const answer = await get(realm, ca, {}).catch(() => undefined);
      return answer !== undefined && answer.status < 500 ? true : undefined;
    },
    90_000,
  );
}

/** A Pusher that gets a Docker registry token for `repo` (push, pull) with Basic credentials. */
async function tokenPusher(
  host: string,
  ca: string,
  user: string,
  password: string,
  repo: string,
): Promise<Pusher> {
  const challenge = await get(`https://${host}/v2/`, ca, {});
  const header = String(challenge.headers["www-authenticate"] ?? "");
  const params = Object.fromEntries(
    [...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
  ) as Record<string, string>;
  if (params.realm === undefined) throw new Error(`no token challenge: ${challenge.status}`);
  const url = new URL(params.realm);
  if (params.service) url.searchParams.set("service", params.service);
  url.searchParams.set("scope", `repository:${repo}:pull,push`);
  const basic = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
  const answer = await get(url.toString(), ca, { authorization: basic });
  if (answer.status !== 200) throw new Error(`token: ${answer.status} ${answer.body}`);
  const parsed = JSON.parse(answer.body) as { token?: string; access_token?: string };
  const token = parsed.token ?? parsed.access_token ?? "";
  return new Pusher(`https://${host}`, ca, () => `Bearer ${token}`);
}

function get(url: string, ca: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request(url, { ca, headers, timeout: 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      });
      req.on("timeout", () => req.destroy(new Error(`GET ${url} timed out`)));
      req.on("error", reject);
      req.end();
    },
  );
}

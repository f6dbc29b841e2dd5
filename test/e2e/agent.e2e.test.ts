/**
 * `customs agent` (the built CLI) in a real cluster (test/e2e/cluster.ts) with a real control
 * plane (in this process, SQLite): namespaces reported with their labels, the agent as the
 * API server's admission webhook, audit of running Pods, and with --vap the generated
 * ValidatingAdmissionPolicies in the cluster, following policy changes.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWebhookConfiguration } from "../../src/adapters/install/index.js";
import {
  createCluster,
  eventuallyViolations,
  putPolicy,
  startTestControlPlane,
  type TestControlPlane,
} from "../agent/control-plane.js";
import { corpOnly, freePort, tempDir } from "../agent/support.js";
import { ROOT } from "../support/cli.js";
import { policyDoc } from "../support/policies.js";
import {
  type Cluster,
  eventually,
  type KubectlResult,
  kubeAvailability,
  startCluster,
} from "./cluster.js";

const { skipReason } = kubeAvailability();
if (skipReason !== undefined) console.warn(`skipping the agent e2e test: ${skipReason}`);

const ORG = "/api/v1/organizations/default";
const noLatest = policyDoc("no-latest", { namespace: "tanzu", recipe: "block-latest-tag" });

function ok(r: KubectlResult): string {
  if (r.code !== 0) throw new Error(`kubectl failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

describe.skipIf(skipReason !== undefined)("customs agent in a real cluster", () => {
  let cluster: Cluster;
  let cp: TestControlPlane;
  let agent: ChildProcess | undefined;
  let log = "";
  const dirs: { dir: string; cleanup(): void }[] = [];
  let cert: { certFile: string; keyFile: string };
  let port = 0;
  let work: { dir: string; cleanup(): void };
  const kubectl = (args: string[], input?: string) =>
    cluster.kubectl(args, input === undefined ? {} : { input });

  /** The built CLI, as a Deployment would run it; its log lines go to `log`. */
  const spawnAgent = (extra: string[]) => {
    const child = spawn(process.execPath, [
      join(ROOT, "bin/customs"),
      "agent",
      "--control-plane",
      cp.url,
      "--ca-file",
      join(work.dir, "cp-ca.pem"),
      "--token-file",
      join(work.dir, "token"),
      "--kubeconfig",
      cluster.kubeconfig,
      "--listen",
      `127.0.0.1:${port}`,
      "--tls-cert",
      cert.certFile,
      "--tls-key",
      cert.keyFile,
      "--state-dir",
      join(work.dir, "state"),
      "--audit-interval",
      "1000",
      ...extra,
    ]);
    child.stdout?.on("data", (d: Buffer) => {
      log += d.toString();
    });
    child.stderr?.on("data", (d: Buffer) => {
      log += d.toString();
    });
    return child;
  };

  beforeAll(async () => {
    work = tempDir();
    dirs.push(work);
    cluster = await startCluster();
    ok(await kubectl(["create", "namespace", "tanzu"]));
    ok(await kubectl(["label", "namespace", "tanzu", "customs.dev/workspace=ops"]));
    ok(await kubectl(["create", "namespace", "plain"]));
    // The chart installs the PolicyReport CRD; this cluster gets it the same way.
    ok(
      await kubectl(
        ["apply", "-f", "-"],
        readFileSync(
          join(ROOT, "deploy/helm/customs/crds/policyreports.wgpolicyk8s.io.yaml"),
          "utf8",
        ),
      ),
    );
    // Running before any policy: the audit scan must find its Pod.
    ok(await kubectl(["create", "deployment", "legacy", "--image=busybox", "-n", "plain"]));
    await eventually("the legacy pod", async () =>
      ok(await kubectl(["get", "pods", "-n", "plain", "-o", "name"])).trim() !== ""
        ? true
        : undefined,
    );
    cp = await startTestControlPlane(work.dir);
    const token = await createCluster(cp, "e2e");
    await putPolicy(cp, corpOnly());
    writeFileSync(join(work.dir, "token"), `${token}\n`, { mode: 0o600 });
    writeFileSync(join(work.dir, "cp-ca.pem"), cp.caPem);
    cert = await cluster.issueServingCert("customs-agent", ["127.0.0.1"]);
    port = await freePort();
    agent = spawnAgent([]);
    await eventually("the agent to apply its bundle", async () =>
      log.includes('"msg":"policies applied"') ? true : undefined,
    );
    // What `customs install` registers, pointed at the agent's address instead of a Service.
    const installed = buildWebhookConfiguration({
      namespace: "customs-system",
      image: "unused",
      replicas: 1,
      timeoutSeconds: 5,
      caBundle: cluster.caPem,
      certManager: false,
    });
    const configuration = {
      ...installed,
      webhooks: installed.webhooks.map((w) => ({
        ...w,
        clientConfig: {
          url: `https://127.0.0.1:${port}/validate`,
          caBundle: Buffer.from(cluster.caPem).toString("base64"),
        },
      })),
    };
    ok(await kubectl(["apply", "-f", "-"], JSON.stringify(configuration)));
  }, 240_000);

  afterAll(async () => {
    agent?.kill("SIGTERM");
    await cp?.close();
    await cluster?.stop();
    for (const d of dirs) d.cleanup();
    if (process.env.CUSTOMS_E2E_KEEP) console.log(log);
  });

  it("reports the cluster's namespaces with their labels, and changes to them", async () => {
    const reported = async () => {
      const r = await cp.api("GET", `${ORG}/clusters/e2e/namespaces`);
      return (r.body as { items: { name: string; labels: Record<string, string> }[] }).items;
    };
    const first = await eventually("namespaces at the control plane", async () => {
      const items = await reported();
      return items.some((n) => n.name === "tanzu") ? items : undefined;
    });
    expect(first.find((n) => n.name === "tanzu")?.labels).toMatchObject({
      "customs.dev/workspace": "ops",
    });
    expect(first.map((n) => n.name)).toEqual(
      expect.arrayContaining(["default", "kube-system", "plain"]),
    );
    ok(await kubectl(["label", "namespace", "plain", "team=blue"]));
    await eventually("the new label at the control plane", async () =>
      (await reported()).find((n) => n.name === "plain")?.labels.team === "blue" ? true : undefined,
    );
  });

  it("is the API server's webhook: a Deployment of busybox is refused, and the refusal reported", async () => {
    await eventually("the webhook to be called", async () => {
      const r = await kubectl([
        "create",
        "deployment",
        "probe",
        "--image=busybox",
        "-n",
        "plain",
        "--dry-run=server",
      ]);
      return r.stderr.includes('admission webhook "validate.customs.dev" denied')
        ? true
        : undefined;
    });
    const r = await kubectl(["create", "deployment", "busybox", "--image=busybox", "-n", "plain"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('admission webhook "validate.customs.dev" denied the request');
    expect(r.stderr).toContain('is not allowed by policy "corp-only" (organization, action deny)');
    const records = await eventuallyViolations(
      cp,
      "cluster=e2e",
      (i) => i.name === "busybox" && i.source === "admission",
    );
    expect(records[0]).toMatchObject({
      namespace: "plain",
      kind: "Deployment",
      image: "busybox",
      policy: "corp-only",
      action: "deny",
    });
  });

  it("audits workloads that were running before the policy, into PolicyReports", async () => {
    const report = await eventually("the legacy Deployment's PolicyReport", async () => {
      const r = await kubectl([
        "get",
        "policyreports.wgpolicyk8s.io",
        "customs-deployment-legacy",
        "-n",
        "plain",
        "-o",
        "json",
      ]);
      return r.code === 0 ? JSON.parse(r.stdout) : undefined;
    });
    expect(report.scope).toMatchObject({ kind: "Deployment", name: "legacy", namespace: "plain" });
    expect(report.results).toContainEqual(
      expect.objectContaining({ policy: "corp-only", result: "fail", source: "customs" }),
    );
  });

  it("with --vap, the policies exist as ValidatingAdmissionPolicies and follow changes", async () => {
    // Restarted with --vap (SIGTERM drains; the saved bundle is enforced at once).
    const old = agent;
    const exited = new Promise((r) => old?.once("close", r));
    old?.kill("SIGTERM");
    expect(await exited, log.slice(-4000)).toBe(0);
    log = "";
    agent = spawnAgent(["--vap"]);
    await eventually("the saved policies enforced", async () =>
      log.includes("enforcing the saved policies") ? true : undefined,
    );
    await eventually("the VAP applied", async () =>
      log.includes("ValidatingAdmissionPolicies applied") ? true : undefined,
    );
    const vap = JSON.parse(
      ok(await kubectl(["get", "validatingadmissionpolicy", "customs-corp-only", "-o", "json"])),
    );
    expect(vap.metadata.labels).toMatchObject({ "app.kubernetes.io/managed-by": "customs-agent" });
    ok(await kubectl(["get", "validatingadmissionpolicybinding", "customs-corp-only"]));
    await putPolicy(cp, noLatest);
    await eventually("the new policy in the cluster", async () =>
      (await kubectl(["get", "validatingadmissionpolicybinding", "customs-no-latest"])).code === 0
        ? true
        : undefined,
    );
    const current = await cp.api("GET", `${ORG}/policies/no-latest`);
    const del = await cp.api("DELETE", `${ORG}/policies/no-latest`, undefined, {
      "if-match": String(current.headers.etag),
    });
    expect(del.status).toBeLessThan(300);
    await eventually("the removed policy gone from the cluster", async () =>
      (await kubectl(["get", "validatingadmissionpolicy", "customs-no-latest"])).code !== 0
        ? true
        : undefined,
    );
    ok(await kubectl(["get", "validatingadmissionpolicy", "customs-corp-only"]));
  });
});

/**
 * The agent's audit against a real control plane: the agent (as `customs agent` wires it)
 * watches an in-memory API server over HTTPS, audits its Deployment, writes the PolicyReport
 * and sends the inventory; the control plane's compliance API then shows the failing
 * Deployment, and after the image is fixed shows nothing failing and 100% compliant.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createCluster,
  putPolicy,
  startTestControlPlane,
  type TestControlPlane,
} from "../agent/control-plane.js";
import { corpOnly, startTestAgent, type TestAgent, tempDir } from "../agent/support.js";
import { type TestPki, testPki } from "../support/tls.js";
import { eventually } from "../support/wait.js";
import { FakeKube, SteppedClock } from "./fake-kube.js";
import { type KubeServer, serveFakeKube } from "./kube-server.js";

const ORG = "/api/v1/organizations/default";
const DEPLOYMENTS = "/apis/apps/v1/deployments";

function deployment(image: string) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "team-a", uid: "uid-web" },
    spec: { template: { spec: { containers: [{ name: "app", image }] } } },
  };
}

describe("the agent's audit reaches the control plane's compliance", () => {
  const cpDir = tempDir();
  const stateDir = tempDir();
  let cp: TestControlPlane;
  let pki: TestPki;
  let kubeServer: KubeServer;
  let agent: TestAgent;
  const kube = new FakeKube(new SteppedClock());

  beforeAll(async () => {
    cp = await startTestControlPlane(cpDir.dir);
    pki = await testPki();
    kubeServer = await serveFakeKube(kube, pki);
    const token = await createCluster(cp, "c1");
    await putPolicy(cp, corpOnly());
    kube.put(DEPLOYMENTS, deployment("docker.io/library/nginx:1.27"));
    agent = await startTestAgent({
      url: cp.url,
      token,
      ca: cp.caPem,
      pki,
      stateDir: stateDir.dir,
      kube: kubeServer.connection,
      auditIntervalMs: 600_000,
      auditLease: { namespace: "customs-system", identity: "customs-agent-0" },
    });
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
    await kubeServer?.close();
    await cp?.close();
    pki?.cleanup();
    cpDir.cleanup();
    stateDir.cleanup();
  });

  it("lists the failing Deployment; fixed, nothing fails and compliance is 100%", async () => {
    const failing = await eventually("the failing Deployment in the compliance API", async () => {
      const r = await cp.api("GET", `${ORG}/compliance/failing`);
      const items = (r.body as { items: Record<string, unknown>[] }).items;
      return items.length > 0 ? items : undefined;
    });
    // It audited as the holder of the Lease.
    expect(kube.leases.get("customs-system/customs-audit")?.spec).toMatchObject({
      holderIdentity: "customs-agent-0",
      leaseDurationSeconds: 30,
    });
    expect(failing).toEqual([
      expect.objectContaining({
        cluster: "c1",
        namespace: "team-a",
        kind: "Deployment",
        name: "web",
      }),
    ]);
    const report = kube.reports.get("team-a/customs-deployment-web") as unknown as
      | { results: { policy: string; result: string }[] }
      | undefined;
    expect(report?.results.map((r) => `${r.policy}:${r.result}`)).toEqual(["corp-only:fail"]);

    kube.put(DEPLOYMENTS, deployment("registry.corp.example/web:1"));
    const groups = await eventually("100% compliance", async () => {
      const r = await cp.api("GET", `${ORG}/compliance`);
      const g = (r.body as { groups: { compliantPercent: number }[] }).groups;
      return g.length === 1 && g[0]?.compliantPercent === 100 ? g : undefined;
    });
    expect(groups).toEqual([
      expect.objectContaining({ cluster: "c1", workloads: 1, failing: 0, compliantPercent: 100 }),
    ]);
    const after = await cp.api("GET", `${ORG}/compliance/failing`);
    expect((after.body as { items: unknown[] }).items).toEqual([]);
    expect(
      (
        kube.reports.get("team-a/customs-deployment-web") as unknown as {
          results: { result: string }[];
        }
      ).results[0]?.result,
    ).toBe("pass");
  }, 60_000);
});

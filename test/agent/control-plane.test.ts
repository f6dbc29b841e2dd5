/**
 * The agent against a real control plane (src/server/control-plane, SQLite in a temp folder),
 * both in this process, over HTTPS: delivery, enforcement, reports, long-poll changes, outages
 * and a refused bundle. The tests run in order and share the two.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { policyDoc } from "../support/policies.js";
import { type TestPki, testPki } from "../support/tls.js";
import {
  createCluster,
  putPolicy,
  startTestControlPlane,
  type TestControlPlane,
  violations,
} from "./control-plane.js";
import { admit, corpOnly, readyz, startTestAgent, type TestAgent, tempDir } from "./support.js";

const ORG = "/api/v1/organizations/default";
describe("agent and control plane", () => {
  let cp: TestControlPlane;
  let pki: TestPki;
  let agent: TestAgent | undefined;
  let token: string;
  const dirs: { dir: string; cleanup(): void }[] = [];
  let stateDir: string;

  const start = (extra: { clusterNameCheck?: boolean; token?: string } = {}) =>
    startTestAgent({
      url: cp.url,
      token: extra.token ?? token,
      ca: cp.caPem,
      pki,
      stateDir,
      reportIntervalMs: 200,
      ...(extra.clusterNameCheck ? { clusterNameCheck: true } : {}),
    });

  beforeAll(async () => {
    const d = tempDir();
    const s = tempDir();
    dirs.push(d, s);
    stateDir = s.dir;
    cp = await startTestControlPlane(d.dir);
    pki = await testPki();
    token = await createCluster(cp, "c1");
    await putPolicy(cp, corpOnly(["registry.corp.example"]));
  });
  afterAll(async () => {
    await agent?.stop();
    await cp?.close();
    pki?.cleanup();
    for (const d of dirs) d.cleanup();
  });

  it("registers, applies the delivered bundle, becomes ready and says so to the control plane", async () => {
    agent = await start();
    const applied = await agent.waitForLog("policies applied");
    expect(applied).toMatchObject({ policies: 1 });
    expect(agent.agent.cluster()).toBe("c1");
    expect(await readyz(agent, pki)).toBe(200);
    // The control plane answers a report once it stored it.
    await agent.waitForLog("reports sent", {
      match: (l) => l.appliedRevision === applied.revision,
    });
    const r = await cp.api("GET", `${ORG}/clusters/c1`);
    expect((r.body as { status: Record<string, unknown> }).status).toMatchObject({
      appliedRevision: String(applied.revision),
      agentVersion: "0.0.0-test",
      phase: "connected",
    });
  });

  it("denies per the delivered policy, and the violation shows in the control plane's insights", async () => {
    if (agent === undefined) throw new Error("no agent");
    const reported = agent.nextLog("reports sent", { match: (l) => Number(l.violations) > 0 });
    const denied = await admit(agent, pki, ["busybox"], "team-a");
    expect(denied).toMatchObject({ status: 200, allowed: false });
    expect(denied.message).toContain('policy "corp-only"');
    expect(await admit(agent, pki, ["registry.corp.example/app:1"])).toMatchObject({
      allowed: true,
    });
    expect(await reported).toMatchObject({ violations: 1 });
    const records = await violations(cp, "cluster=c1");
    expect(records[0]).toMatchObject({
      cluster: "c1",
      source: "admission",
      operation: "CREATE",
      namespace: "team-a",
      kind: "Deployment",
      image: "busybox",
      normalizedImage: "docker.io/library/busybox:latest",
      policy: "corp-only",
      action: "deny",
    });
  });

  it("gets a policy change through the open long poll within seconds", async () => {
    if (agent === undefined) throw new Error("no agent");
    // The agent is waiting in a poll that may stay open 30 s; the change must wake it.
    const applied = agent.nextLog("policies applied", { timeoutMs: 5_000 });
    const t0 = Date.now();
    await putPolicy(cp, corpOnly(["registry.corp.example", "docker.io"]));
    expect(await applied).toMatchObject({ policies: 1 });
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(await admit(agent, pki, ["busybox"])).toMatchObject({ allowed: true });
  });

  it("refuses an invalid bundle and keeps enforcing the previous one", async () => {
    if (agent === undefined) throw new Error("no agent");
    // A document the API would refuse, written straight to the database (as an older or newer
    // control plane might have): the agent validates what it gets all the same.
    const bad = policyDoc("broken", { recipe: "custom", input: { rules: [{ port: "5000" }] } });
    const row = await cp.store.createPolicy({ token: "test", role: "admin" }, "default", bad, {
      kind: "organization",
    });
    const refused = await agent.waitForLog("policy bundle refused; keeping the previous policies");
    expect(refused.code).toBe("AGENT_BUNDLE_INVALID");
    expect((refused.err as { message: string }).message).toContain(
      "policies[0].spec.input.rules[0]",
    );
    expect(await admit(agent, pki, ["busybox"])).toMatchObject({ allowed: true });
    expect(await admit(agent, pki, ["quay.io/x/y:1"])).toMatchObject({ allowed: false });
    await cp.store.deletePolicy({ token: "test", role: "admin" }, "default", "broken", {
      resourceVersion: row.metadata.resourceVersion,
    });
  });

  it("keeps denying while the control plane is down, and sends what it queued when it is back", async () => {
    if (agent === undefined) throw new Error("no agent");
    // The agent has seen the outage once a poll of its failed.
    const failed = agent.nextLog("policy poll failed; retrying");
    await cp.stop();
    expect(await failed).toMatchObject({ level: 40 });
    expect(await admit(agent, pki, ["quay.io/offline/app:1"], "team-b")).toMatchObject({
      allowed: false,
    });
    expect(await readyz(agent, pki)).toBe(200);
    await cp.restart();
    // Queued while the control plane was down (with anything else not sent before it went
    // down), sent in the first report it stores: the queue goes oldest first, all in one batch.
    const reported = await agent.nextLog("reports sent", {
      match: (l) => Number(l.violations) > 0,
    });
    expect(reported.violations).toBeGreaterThanOrEqual(1);
    const records = await violations(cp, "cluster=c1&namespace=team-b");
    expect(records[0]).toMatchObject({ image: "quay.io/offline/app:1", policy: "corp-only" });
  });

  it("restarted while the control plane is down: enforces the saved bundle", async () => {
    await agent?.stop();
    agent = undefined;
    await cp.stop();
    const a = await start();
    agent = a;
    const saved = await a.waitForLog(
      "enforcing the saved policies until the control plane sends newer ones",
    );
    expect(saved).toMatchObject({ cluster: "c1", policies: 1 });
    expect(await readyz(a, pki)).toBe(200);
    expect(await admit(a, pki, ["quay.io/x/y:1"])).toMatchObject({ allowed: false });
    expect(await admit(a, pki, ["busybox"])).toMatchObject({ allowed: true });
    await cp.restart();
    await a.waitForLog("registered with the control plane");
  });

  it("with --cluster-name-check, refuses a token of another cluster than the saved bundle's", async () => {
    await agent?.stop();
    agent = undefined;
    const other = await createCluster(cp, "c2");
    const a = await start({ clusterNameCheck: true, token: other });
    try {
      const error = await a.agent.failed.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(String(error)).toContain('the token belongs to cluster "c2"');
    } finally {
      await a.stop();
    }
  });
});

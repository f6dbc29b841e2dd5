/**
 * Signed bundles, against a real control plane (SQLite, HTTPS) and the agent's real webhook:
 * a saved state edited on disk is refused and the agent fails closed until the control plane
 * delivers; the control plane calls a cluster in sync only for a bundle the agent verified;
 * a key rotation is followed through its endorsement.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STATE_FILE } from "../../src/app/agent/state.js";
import { policyDoc } from "../support/policies.js";
import { type TestPki, testPki } from "../support/tls.js";
import {
  createCluster,
  putPolicy,
  startTestControlPlane,
  type TestControlPlane,
} from "./control-plane.js";
import { admit, corpOnly, readyz, startTestAgent, type TestAgent, tempDir } from "./support.js";

const CLUSTER = "/api/v1/organizations/default/clusters/c1";

describe("signed policy bundles", () => {
  let cp: TestControlPlane;
  let pki: TestPki;
  let token: string;
  let stateDir: string;
  const dirs: { dir: string; cleanup(): void }[] = [];
  const running: TestAgent[] = [];

  const start = async () => {
    const a = await startTestAgent({
      url: cp.url,
      token,
      ca: cp.caPem,
      pki,
      stateDir,
      reportIntervalMs: 100,
      waitSeconds: 1,
    });
    running.push(a);
    return a;
  };
  const stop = async (a: TestAgent) => {
    await a.stop();
    running.splice(running.indexOf(a), 1);
  };
  const status = async () =>
    (await cp.api("GET", CLUSTER)).body as {
      status: { inSync: boolean; appliedDigest?: string; deliveredDigest?: string };
    };
  /** The agent reported the digest of the bundle it enforces now (the report is stored). */
  const reportedCurrent = (a: TestAgent) =>
    a.waitForLog("reports sent", {
      match: (l) =>
        l.appliedDigest !== undefined && l.appliedDigest === a.agent.current()?.signature?.etag,
    });
  const refusedFromState = (a: TestAgent) =>
    a.metrics.registry
      .getSingleMetricAsString("customs_agent_bundles_refused_total")
      .then((t) => /where="state"[^}]*} (\d+)/.exec(t)?.[1]);

  beforeAll(async () => {
    const d = tempDir();
    const s = tempDir();
    dirs.push(d, s);
    stateDir = s.dir;
    cp = await startTestControlPlane(d.dir);
    pki = await testPki();
    token = await createCluster(cp, "c1");
    await putPolicy(cp, corpOnly(["registry.corp.example"]));
    await putPolicy(cp, policyDoc("no-latest", { recipe: "block-latest-tag" }));
  });
  afterAll(async () => {
    for (const a of [...running]) await a.stop();
    await cp?.close();
    pki?.cleanup();
    for (const d of dirs) d.cleanup();
  });

  it("applies a signed bundle, reports its digest, and only then is the cluster in sync", async () => {
    const a = await start();
    try {
      await a.waitForLog("bundle signing keys pinned");
      expect(await a.waitForLog("policies applied")).toMatchObject({ policies: 2 });
      await reportedCurrent(a);
      const s = await status();
      expect(s.status.inSync).toBe(true);
      expect(s.status.appliedDigest).toBe(s.status.deliveredDigest);
      expect((await admit(a, pki, ["busybox:1.36"])).allowed).toBe(false);
    } finally {
      await stop(a);
    }
  });

  const saved = () =>
    JSON.parse(readFileSync(join(stateDir, STATE_FILE), "utf8")) as {
      etag: string;
      bundle: { policies: { metadata: { name: string }; spec: Record<string, unknown> }[] };
    };

  it.each([
    [
      "a policy removed, the ETag kept",
      (s: ReturnType<typeof saved>) => {
        s.bundle.policies = s.bundle.policies.filter((p) => p.metadata.name !== "corp-only");
      },
    ],
    [
      "deny turned into warn, the ETag kept",
      (s: ReturnType<typeof saved>) => {
        for (const p of s.bundle.policies) p.spec.action = "warn";
      },
    ],
  ])("a saved state with %s is refused: fail closed until the control plane delivers", async (_n, tamper) => {
    const state = saved();
    const etag = state.etag;
    tamper(state);
    writeFileSync(join(stateDir, STATE_FILE), JSON.stringify(state));
    expect(saved().etag).toBe(etag);
    await cp.stop();
    const a = await start();
    try {
      const line = await a.waitForLog("saved policies ignored");
      expect(line.code).toBe("AGENT_STATE_UNVERIFIED");
      expect((line.err as { message: string }).message).toContain(
        "does not match the signed digest",
      );
      expect(await refusedFromState(a)).toBe("1");
      // Nothing of the edited copy is enforced: every review is refused, allowed images too.
      expect(await readyz(a, pki)).toBe(503);
      expect((await admit(a, pki, ["busybox:1.36"])).status).toBe(503);
      expect((await admit(a, pki, ["registry.corp.example/app:1"])).status).toBe(503);
      expect(a.agent.current()).toBeUndefined();
      await cp.restart();
      expect(await a.waitForLog("policies applied")).toMatchObject({ policies: 2 });
      expect(await readyz(a, pki)).toBe(200);
      const denied = await admit(a, pki, ["busybox:1.36"]);
      expect(denied).toMatchObject({ status: 200, allowed: false });
      expect(denied.message).toContain('policy "corp-only"');
      // The verified bundle replaces the edited file (written just after it is applied).
      await a.waitForLog("policies saved to the state dir");
      expect(saved().bundle.policies.some((p) => p.spec.action === "warn")).toBe(false);
      expect(saved().bundle.policies).toHaveLength(2);
      await reportedCurrent(a);
      expect((await status()).status.inSync).toBe(true);
    } finally {
      await cp.restart();
      await stop(a);
    }
  });

  it("a key rotation keeps agents working: the new key is learned through its endorsement", async () => {
    const a = await start();
    try {
      // The saved bundle is the current one: enforced, and confirmed by a 304.
      await a.waitForLog("registered with the control plane");
      const before = a.agent.current()?.signature?.keyId;
      expect(before).toBeDefined();
      // Nothing else changes meanwhile: the next bundle applied is the re-signed one.
      const resigned = a.nextLog("policies applied");
      const r = await cp.api("POST", "/api/v1/bundle-keys/rotate", { graceSeconds: 3600 });
      expect(r.status).toBe(200);
      const keys = (r.body as { items: { id: string; notAfter?: string }[] }).items;
      expect(keys).toHaveLength(2);
      expect(keys[0]?.id).toBe(before);
      expect(keys[0]?.notAfter).toBeDefined();
      const next = keys[1]?.id;
      await a.waitForLog("bundle signing keys updated through their endorsement");
      // The enforced bundle is fetched again, signed by the new key.
      await resigned;
      expect(a.agent.current()?.signature?.keyId).toBe(next);
      const changed = a.nextLog("policies applied");
      await putPolicy(cp, policyDoc("no-latest", { recipe: "block-latest-tag", action: "warn" }));
      await changed;
      expect(
        a.agent.current()?.policies.some((p) => p.name === "no-latest" && p.action === "warn"),
      ).toBe(true);
      await reportedCurrent(a);
      expect((await status()).status.inSync).toBe(true);
    } finally {
      await stop(a);
    }
    // After a restart with the control plane down, the saved copy (new key) verifies with
    // the pins the rotation extended.
    await cp.stop();
    const b = await start();
    try {
      await b.waitForLog("enforcing the saved policies until the control plane sends newer ones");
      expect((await admit(b, pki, ["busybox:1.36"])).allowed).toBe(false);
    } finally {
      await cp.restart();
      await stop(b);
    }
  });

  it("only an admin may rotate; the keys are public to agents, never their private halves", async () => {
    const agentView = await cp.api("GET", "/api/v1/bundle-keys", undefined, {
      authorization: `Bearer ${token}`,
    });
    expect(agentView.status).toBe(403);
    const listed = await cp.api("GET", "/api/v1/bundle-keys");
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).not.toMatch(/privateKey/);
    const bad = await cp.api("POST", "/api/v1/bundle-keys/rotate", { graceSeconds: -1 });
    expect(bad.status).toBe(422);
  });
});

/**
 * The agent with no control plane to reach: fail closed with nothing saved, enforce the saved
 * bundle after a restart. The webhook is the real listener (src/server/webhook.ts).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseBundle, verifyBundle } from "../../src/app/agent/bundle.js";
import { STATE_FILE, saveState } from "../../src/app/agent/state.js";
import { savePins } from "../../src/app/agent/trust.js";
import { type TestPki, testPki } from "../support/tls.js";
import { testSigner } from "./signing.js";
import { admit, corpOnly, freePort, readyz, startTestAgent, tempDir } from "./support.js";

describe("agent without a control plane", () => {
  let pki: TestPki;
  let url: string;
  const dirs: { cleanup(): void }[] = [];
  beforeAll(async () => {
    pki = await testPki();
    url = `https://127.0.0.1:${await freePort()}`;
  });
  afterAll(() => {
    pki.cleanup();
    for (const d of dirs) d.cleanup();
  });
  const stateDir = () => {
    const d = tempDir();
    dirs.push(d);
    return d.dir;
  };

  it("never received a bundle and has none saved: not ready, and every review refused", async () => {
    const a = await startTestAgent({ url, token: "cst_a_secret", pki, stateDir: stateDir() });
    try {
      await a.waitForLog("control plane unreachable; enforcing the last policies");
      expect(await readyz(a, pki)).toBe(503);
      expect((await admit(a, pki, ["registry.corp.example/app:1"])).status).toBe(503);
      const logged = JSON.stringify(a.logs());
      expect(logged).not.toContain("cst_a_secret");
      expect(logged).toContain("AGENT_CONTROL_PLANE_UNREACHABLE");
    } finally {
      await a.stop();
    }
  });

  it("restarted with a saved bundle: enforces it, says so, and is ready", async () => {
    const dir = stateDir();
    const signer = testSigner();
    const signed = signer.sign({ revision: 42, cluster: "c1", policies: [corpOnly()] });
    await savePins(dir, "cst_a_secret", signer.pins);
    await saveState(
      dir,
      verifyBundle(
        parseBundle(signed.body, "b"),
        signed.etag,
        "b",
        Date.now(),
        signed.body.signature,
      ),
    );
    const a = await startTestAgent({ url, token: "cst_a_secret", pki, stateDir: dir });
    try {
      const line = await a.waitForLog(
        "enforcing the saved policies until the control plane sends newer ones",
      );
      expect(line).toMatchObject({ revision: 42, cluster: "c1", policies: 1 });
      expect(a.agent.cluster()).toBe("c1");
      expect(await readyz(a, pki)).toBe(200);
      const denied = await admit(a, pki, ["busybox"]);
      expect(denied).toMatchObject({ status: 200, allowed: false });
      expect(denied.message).toContain('policy "corp-only"');
      expect(await admit(a, pki, ["registry.corp.example/app:1"])).toMatchObject({
        allowed: true,
      });
    } finally {
      await a.stop();
    }
  });

  it("a saved file it cannot use is reported and ignored: fail closed", async () => {
    const dir = stateDir();
    writeFileSync(join(dir, STATE_FILE), '{"bundle": {"revision": 1}}');
    const a = await startTestAgent({ url, token: "t", pki, stateDir: dir });
    try {
      const line = await a.waitForLog("saved policies ignored");
      expect(line.code).toBe("AGENT_STATE_UNREADABLE");
      expect((line.err as { message: string }).message).toContain(join(dir, STATE_FILE));
      expect(await readyz(a, pki)).toBe(503);
    } finally {
      await a.stop();
    }
  });
});

/** The policy follower against a small real HTTP server that answers polls as scripted. */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ControlPlaneClient } from "../../src/adapters/control-plane/client.js";
import type { AppliedBundle } from "../../src/app/agent/bundle.js";
import { followPolicies } from "../../src/app/agent/follower.js";
import type { CustomsError } from "../../src/core/errors.js";
import { SteppedSleep } from "../support/stepped-sleep.js";
import { Condition } from "../support/wait.js";
import { testSigner } from "./signing.js";
import { corpOnly } from "./support.js";

const signer = testSigner();
/** A man in the middle: a key of its own, which the agent never pinned. */
const forger = testSigner();

type Answer = { status: number; etag?: string; body?: unknown };

describe("policy follower", () => {
  let server: Server;
  let url: string;
  let answer: (n: number) => Answer = () => ({ status: 304 });
  const asked: { url: string; headers: IncomingHttpHeaders }[] = [];
  /** Changes with each poll the server receives. */
  const polled = new Condition();
  const polls = (n: number) => polled.when(() => asked.length >= n, `poll ${n}`);

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === "/api/v1/agent/keys") {
        // The real control plane's key list: the forger's key is not in it.
        const k = signer.key;
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            keys: [
              {
                id: k.id,
                generation: 1,
                algorithm: "Ed25519",
                publicKey: k.publicKey,
                createdAt: "2025-01-01T00:00:00Z",
              },
            ],
          }),
        );
        return;
      }
      asked.push({ url: req.url ?? "", headers: req.headers });
      polled.changed();
      const a = answer(asked.length);
      res.writeHead(a.status, {
        "content-type": "application/json",
        ...(a.etag ? { etag: a.etag } : {}),
      });
      res.end(a.body === undefined ? "" : JSON.stringify(a.body));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const follow = (
    etag?: string,
    time: { sleep?: SteppedSleep["sleep"]; now?: () => number } = {},
  ) => {
    const controller = new AbortController();
    const bundles: AppliedBundle[] = [];
    const invalid: { error: CustomsError; revision: unknown }[] = [];
    const unverified: CustomsError[] = [];
    const errors: unknown[] = [];
    const done = followPolicies({
      client: new ControlPlaneClient({ url, token: "t", userAgent: "test" }),
      waitSeconds: 30,
      etag,
      signedBy: undefined,
      pins: signer.pins,
      organization: "default",
      cluster: "c",
      signal: controller.signal,
      ...time,
      events: {
        onBundle: async (b) => void bundles.push(b),
        onInvalid: (error, revision) => void invalid.push({ error, revision }),
        onUnverified: (error) => void unverified.push(error),
        onPins: async () => {},
        onError: (e) => void errors.push(e),
      },
    });
    const stop = () => {
      controller.abort();
      return done;
    };
    return { bundles, invalid, unverified, errors, stop };
  };

  it("applies a bundle, then asks with its ETag and the wait", async () => {
    asked.length = 0;
    const a = signer.sign({ revision: 1, cluster: "c", policies: [corpOnly()] });
    answer = (n) => (n === 1 ? { status: 200, etag: a.etag, body: a.body } : { status: 304 });
    const f = follow('"saved"');
    await polls(2);
    await f.stop();
    expect(asked[0]?.url).toBe("/api/v1/agent/policies?wait=30");
    expect(asked[0]?.headers["if-none-match"]).toBe('"saved"');
    expect(asked[0]?.headers.authorization).toBe("Bearer t");
    expect(asked[1]?.headers["if-none-match"]).toBe(a.etag);
    expect(f.bundles.map((b) => b.policies.map((p) => p.name))).toEqual([["corp-only"]]);
  });

  it("refuses an invalid bundle once, and then waits for a change instead of fetching it again", async () => {
    asked.length = 0;
    const bad = signer.sign({ revision: 2, cluster: "c", policies: [{}] });
    answer = (n) => (n === 1 ? { status: 200, etag: bad.etag, body: bad.body } : { status: 304 });
    const f = follow();
    await polls(2);
    await f.stop();
    expect(f.invalid).toHaveLength(1);
    expect(f.invalid[0]?.error.code).toBe("AGENT_BUNDLE_INVALID");
    expect(f.invalid[0]?.revision).toBe(2);
    expect(asked[1]?.headers["if-none-match"]).toBe(bad.etag);
    expect(f.bundles).toHaveLength(0);
  });

  it("does not hammer a control plane that answers 304 at once: each poll waits its second out", async () => {
    asked.length = 0;
    answer = () => ({ status: 304 });
    const clock = new SteppedSleep();
    // Answered in no time by this clock.
    const f = follow('"x"', { sleep: clock.sleep, now: () => 0 });
    const first = await clock.next("a wait after the first 304");
    // The follower is held in that wait: the second poll can only come after it.
    expect(asked).toHaveLength(1);
    expect(first.ms).toBe(1_000);
    first.wake();
    const second = await clock.next("a wait after the second 304");
    expect(asked).toHaveLength(2);
    expect(second.ms).toBe(1_000);
    await f.stop();
    expect(asked).toHaveLength(2);
  });

  it("asks again at once after a poll that was held a second or more", async () => {
    asked.length = 0;
    answer = () => ({ status: 304 });
    const clock = new SteppedSleep();
    let t = 0;
    // Each poll is answered a full second after it was sent, by this clock.
    const now = () => {
      t += 1_000;
      return t;
    };
    const f = follow('"x"', { sleep: clock.sleep, now });
    await polls(3);
    await f.stop();
    // Three polls arrived and no wait was asked before any of them.
    expect(clock.asked).toEqual([]);
  });

  it("refuses a bundle forged on the way (signed by a key it never pinned, or altered), and keeps its ETag", async () => {
    asked.length = 0;
    const forged = forger.sign({ revision: 3, cluster: "c", policies: [] });
    const real = signer.sign({ revision: 3, cluster: "c", policies: [corpOnly()] });
    // The real signature kept, the policies taken out: the content no longer matches.
    const altered = { ...real.body, policies: [] };
    const unsigned = { revision: 3, cluster: "c", policies: [] };
    const otherCluster = signer.sign({ revision: 3, cluster: "other", policies: [] });
    const answers: Answer[] = [
      { status: 200, etag: forged.etag, body: forged.body },
      { status: 200, etag: real.etag, body: altered },
      { status: 200, etag: '"x"', body: unsigned },
      { status: 200, etag: otherCluster.etag, body: otherCluster.body },
    ];
    answer = (n) => answers[n - 1] ?? { status: 304 };
    const clock = new SteppedSleep();
    const f = follow('"saved"', { sleep: clock.sleep });
    for (let refused = 1; refused <= 4; refused++) {
      // After each refusal the follower backs off before it asks again.
      const backoff = await clock.next(`the backoff after refusal ${refused}`);
      expect(f.unverified, String(f.errors)).toHaveLength(refused);
      expect(backoff.ms).toBeGreaterThan(0);
      backoff.wake();
    }
    await polls(5);
    await f.stop();
    expect(f.bundles).toEqual([]);
    expect(f.unverified.map((e) => e.code)).toEqual(Array(4).fill("AGENT_BUNDLE_UNVERIFIED"));
    expect(f.unverified[0]?.message).toContain("not trusted");
    expect(f.unverified[1]?.message).toContain("does not match the signed digest");
    expect(f.unverified[2]?.message).toContain("not signed");
    expect(f.unverified[3]?.message).toContain('cluster "other"');
    // The forger's ETag is never adopted: the next poll still names the enforced bundle.
    for (const a of asked) expect(a.headers["if-none-match"]).toBe('"saved"');
  });
});

/** The policy follower against a small real HTTP server that answers polls as scripted. */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppliedBundle } from "../../src/app/agent/bundle.js";
import { ControlPlaneClient } from "../../src/app/agent/client.js";
import { followPolicies } from "../../src/app/agent/follower.js";
import type { CustomsError } from "../../src/core/errors.js";
import { eventually } from "../e2e/cluster.js";
import { corpOnly } from "./support.js";

type Answer = { status: number; etag?: string; body?: unknown };

describe("policy follower", () => {
  let server: Server;
  let url: string;
  let answer: (n: number) => Answer = () => ({ status: 304 });
  const asked: { url: string; headers: IncomingHttpHeaders }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      asked.push({ url: req.url ?? "", headers: req.headers });
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

  const follow = (etag?: string) => {
    const controller = new AbortController();
    const bundles: AppliedBundle[] = [];
    const invalid: { error: CustomsError; revision: unknown }[] = [];
    const done = followPolicies({
      client: new ControlPlaneClient({ url, token: "t", userAgent: "test" }),
      waitSeconds: 30,
      etag,
      signal: controller.signal,
      events: {
        onBundle: async (b) => void bundles.push(b),
        onInvalid: (error, revision) => void invalid.push({ error, revision }),
        onError: () => {},
      },
    });
    const stop = () => {
      controller.abort();
      return done;
    };
    return { bundles, invalid, stop };
  };

  it("applies a bundle, then asks with its ETag and the wait", async () => {
    asked.length = 0;
    answer = (n) =>
      n === 1
        ? { status: 200, etag: '"a"', body: { revision: 1, cluster: "c", policies: [corpOnly()] } }
        : { status: 304 };
    const f = follow('"saved"');
    await eventually("two polls", async () => (asked.length >= 2 ? true : undefined), 10_000);
    await f.stop();
    expect(asked[0]?.url).toBe("/api/v1/agent/policies?wait=30");
    expect(asked[0]?.headers["if-none-match"]).toBe('"saved"');
    expect(asked[0]?.headers.authorization).toBe("Bearer t");
    expect(asked[1]?.headers["if-none-match"]).toBe('"a"');
    expect(f.bundles.map((b) => b.policies.map((p) => p.name))).toEqual([["corp-only"]]);
  });

  it("refuses an invalid bundle once, and then waits for a change instead of fetching it again", async () => {
    asked.length = 0;
    answer = (n) =>
      n === 1
        ? { status: 200, etag: '"bad"', body: { revision: 2, cluster: "c", policies: [{}] } }
        : { status: 304 };
    const f = follow();
    await eventually("two polls", async () => (asked.length >= 2 ? true : undefined), 10_000);
    await f.stop();
    expect(f.invalid).toHaveLength(1);
    expect(f.invalid[0]?.error.code).toBe("AGENT_BUNDLE_INVALID");
    expect(f.invalid[0]?.revision).toBe(2);
    expect(asked[1]?.headers["if-none-match"]).toBe('"bad"');
    expect(f.bundles).toHaveLength(0);
  });

  it("does not hammer a control plane that answers 304 at once", async () => {
    asked.length = 0;
    answer = () => ({ status: 304 });
    const f = follow('"x"');
    await new Promise((r) => setTimeout(r, 2_500));
    await f.stop();
    expect(asked.length).toBeGreaterThanOrEqual(2);
    expect(asked.length).toBeLessThanOrEqual(4);
  });
});

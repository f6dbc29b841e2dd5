import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { ControlPlaneClient, retryAfterMs } from "../../src/adapters/control-plane/client.js";
import { Backoff, backoffDelay } from "../../src/app/agent/backoff.js";
import { parseBundle, verifyBundle } from "../../src/app/agent/bundle.js";
import { BoundedQueue } from "../../src/app/agent/queue.js";
import { loadState, STATE_FILE, saveState } from "../../src/app/agent/state.js";
import { isCustomsError } from "../../src/core/errors.js";
import { toNamespaceFacts } from "../../src/core/evaluate/index.js";
import { policyDoc, workspaceDoc } from "../support/policies.js";
import { testSigner } from "./signing.js";
import { corpOnly as corpOnlyDoc } from "./support.js";

const stateSigner = testSigner();

describe("backoff", () => {
  it.each([
    // failures, random, expected delay (base 500, cap 30 000)
    [0, 0.5, 250],
    [1, 0.5, 500],
    [3, 0.5, 2_000],
    [10, 0.5, 15_000],
    [2_000, 0.999, 29_970],
    [0, 0, 1],
  ])("after %i failures with random %d waits %i ms", (failures, random, expected) => {
    expect(backoffDelay(failures, { baseMs: 500, capMs: 30_000 }, () => random)).toBe(expected);
  });

  it("stays within [1, min(cap, base·2^n)] whatever the jitter", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (n, r) => {
          const d = backoffDelay(n, { baseMs: 100, capMs: 10_000 }, () => r);
          return d >= 1 && d <= Math.min(10_000, 100 * 2 ** n) && Number.isInteger(d);
        },
      ),
    );
  });

  it("a success starts the sequence over", () => {
    const b = new Backoff({ baseMs: 100, capMs: 1_000 }, () => 0.999);
    expect([b.fail(), b.fail(), b.fail(), b.fail(), b.fail()]).toEqual([99, 199, 399, 799, 999]);
    b.succeed();
    expect(b.fail()).toBe(99);
  });
});

describe("Retry-After", () => {
  it("reads seconds and HTTP dates", () => {
    expect(retryAfterMs("7")).toBe(7000);
    expect(retryAfterMs("Thu, 01 Jan 2026 00:01:00 GMT", Date.UTC(2026, 0, 1))).toBe(60_000);
    expect(retryAfterMs("soon")).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });

  it("the backoff waits at least what the server asked", () => {
    const backoff = new Backoff({ baseMs: 500, capMs: 30_000 }, () => 0.5);
    expect(backoff.fail({ retryAfterMs: 300_000 })).toBe(300_000);
    expect(backoff.fail(new Error("no hint"))).toBe(500);
    expect(backoff.fail({ retryAfterMs: 10 })).toBe(1000);
  });

  it("a 429's Retry-After reaches the caller's error", async () => {
    const server = createServer((_req, res) => {
      res.writeHead(429, { "retry-after": "42", "content-type": "application/json" });
      res.end('{"error":{"code":"RATE_LIMITED","message":"slow down"}}');
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const client = new ControlPlaneClient({
      url: `http://127.0.0.1:${port}`,
      token: "cst_0_x",
      userAgent: "test",
    });
    try {
      const error = await client.call("GET", "/api/v1/agent/policies", { timeoutMs: 5000 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({
        code: "AGENT_CONTROL_PLANE_UNREACHABLE",
        retryAfterMs: 42_000,
      });
    } finally {
      client.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("bounded queue", () => {
  it("drops the oldest when full and counts it", () => {
    const q = new BoundedQueue<number>(3);
    for (let i = 1; i <= 5; i++) q.push(i);
    expect(q.dropped).toBe(2);
    expect(q.take(10)).toEqual([3, 4, 5]);
  });

  it("puts an unsent batch back in front, dropping what no longer fits", () => {
    const q = new BoundedQueue<number>(4);
    for (let i = 1; i <= 4; i++) q.push(i);
    const batch = q.take(3);
    q.push(5);
    q.push(6);
    q.requeue(batch); // room for 1 of [1, 2, 3]: the newest, 3, stays
    expect(q.dropped).toBe(2);
    expect(q.take(10)).toEqual([3, 4, 5, 6]);
  });

  it("refuses a capacity that is not a positive integer", () => {
    expect(() => new BoundedQueue(0)).toThrow(RangeError);
  });

  it("behaves as a FIFO that keeps the newest `capacity` items (model check)", () => {
    type Op = { push: number } | { take: number } | { fail: number };
    const op = fc.oneof(
      fc.integer().map((n): Op => ({ push: n })),
      fc.integer({ min: 0, max: 7 }).map((n): Op => ({ take: n })),
      fc.integer({ min: 0, max: 7 }).map((n): Op => ({ fail: n })),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(op, { maxLength: 200 }), (cap, ops) => {
        const q = new BoundedQueue<number>(cap);
        let model: number[] = [];
        let dropped = 0;
        for (const o of ops) {
          if ("push" in o) {
            q.push(o.push);
            model.push(o.push);
            if (model.length > cap) {
              model = model.slice(1);
              dropped++;
            }
          } else {
            const n = "take" in o ? o.take : o.fail;
            const got = q.take(n);
            expect(got).toEqual(model.slice(0, n));
            model = model.slice(got.length);
            if ("fail" in o) {
              q.requeue(got);
              const kept = got.slice(Math.max(0, got.length - (cap - model.length)));
              dropped += got.length - kept.length;
              model = [...kept, ...model];
            }
          }
          expect(q.size).toBe(model.length);
          expect(q.size).toBeLessThanOrEqual(cap);
          expect(q.dropped).toBe(dropped);
        }
        expect(q.take(cap)).toEqual(model);
      }),
    );
  });
});

const corpOnly = corpOnlyDoc();
const bundleOf = (policies: unknown[], workspaces: unknown[] = []) => ({
  revision: 7,
  cluster: "c1",
  policies,
  workspaces,
});

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(isCustomsError(e) && e.code).toBe("AGENT_BUNDLE_INVALID");
    return (e as Error).message;
  }
  throw new Error("expected a refusal");
}

describe("bundle", () => {
  it("compiles a valid bundle into an evaluator that decides as the policies say", () => {
    const applied = verifyBundle(parseBundle(bundleOf([corpOnly]), "bundle"), '"e1"', "bundle");
    const ns = toNamespaceFacts("default", {}, "c1");
    const run = (image: string) =>
      applied.evaluator.evaluate(ns, [{ container: "app", containerType: "containers", image }]);
    expect(run("busybox").verdict).toBe("deny");
    expect(run("registry.corp.example/app:1").verdict).toBe("allow");
    expect(applied.etag).toBe('"e1"');
  });

  it("uses the delivered Workspaces with the bundle's cluster", () => {
    const scoped = policyDoc("ws-only", {
      workspace: "team",
      recipe: "custom",
      input: { rules: [{ hostname: "registry.corp.example" }] },
    });
    const applied = verifyBundle(
      parseBundle(bundleOf([scoped], [workspaceDoc("team", ["c1/team-a", "c2/team-b"])]), "b"),
      undefined,
      "b",
    );
    const decide = (ns: string, cluster: string) =>
      applied.evaluator.evaluate(toNamespaceFacts(ns, {}, cluster), [
        { container: "app", containerType: "containers", image: "busybox" },
      ]).verdict;
    expect(decide("team-a", "c1")).toBe("deny");
    expect(decide("team-b", "c1")).toBe("allow");
  });

  it.each([
    ["not an object", [], "(body)"],
    ["no revision", { cluster: "c", policies: [] }, "revision"],
    ["no cluster", { revision: 1, policies: [] }, "cluster"],
    ["policies not a list", { revision: 1, cluster: "c", policies: {} }, "policies"],
    [
      "workspaces not a list",
      { revision: 1, cluster: "c", policies: [], workspaces: 3 },
      "workspaces",
    ],
  ])("refuses an envelope with %s, naming the field", (_n, body, field) => {
    expect(refusal(() => parseBundle(body, "bundle"))).toContain(`bundle: ${field}:`);
  });

  it.each([
    [
      "an unknown field",
      [policyDoc("p", { recipe: "custom", input: { rulez: [] } })],
      "policies[0].spec.input",
    ],
    [
      "a Workspace among the policies",
      [workspaceDoc("w", [])],
      "policies[0]: expected a ImagePolicy",
    ],
    ["the same policy twice", [corpOnly, corpOnly], "ImagePolicy/corp-only is delivered twice"],
    [
      "an extension without its parent",
      [
        policyDoc("ext", {
          namespace: "team-a",
          extends: "corp-only",
          input: { rules: [{ hostname: "ghcr.io" }] },
        }),
      ],
      'ImagePolicy/ext spec.extends: no ImagePolicy "corp-only" in this set',
    ],
  ])("refuses a bundle with %s, whole", (_n, policies, text) => {
    const message = refusal(() =>
      verifyBundle(parseBundle(bundleOf(policies), "b"), undefined, "b"),
    );
    expect(message).toContain(text);
    expect(message).toContain("revision 7 refused");
  });

  it("never fails otherwise than with AGENT_BUNDLE_INVALID on arbitrary JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.array(fc.jsonValue(), { maxLength: 3 }), (body, policies) => {
        for (const input of [body, { revision: 1, cluster: "c", policies }]) {
          try {
            verifyBundle(parseBundle(input, "b"), undefined, "b");
          } catch (e) {
            if (!isCustomsError(e) || e.code !== "AGENT_BUNDLE_INVALID") throw e;
          }
        }
      }),
    );
  });
});

describe("state dir", () => {
  const dirs: string[] = [];
  const temp = () => {
    const d = mkdtempSync(join(tmpdir(), "customs-agent-state-"));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("saves atomically and reads back the same bundle and ETag", async () => {
    const dir = join(temp(), "nested");
    const signed = stateSigner.sign(bundleOf([corpOnly]) as never);
    const applied = verifyBundle(
      parseBundle(signed.body, "b"),
      signed.etag,
      "b",
      Date.now(),
      signed.body.signature,
    );
    await saveState(dir, applied);
    expect(readdirSync(dir)).toEqual([STATE_FILE]);
    const back = await loadState(dir, stateSigner.pins);
    expect(back?.bundle).toEqual(applied.bundle);
    expect(back?.etag).toBe(signed.etag);
    expect(back?.policies.map((p) => p.name)).toEqual(["corp-only"]);
  });

  it("has nothing to load in an empty folder", async () => {
    expect(await loadState(temp(), stateSigner.pins)).toBeUndefined();
  });

  it.each([
    ["not JSON", "{", "not JSON"],
    [
      "an invalid bundle",
      JSON.stringify(
        (() => {
          const { body } = stateSigner.sign(bundleOf([{ kind: "x" }]) as never);
          return { bundle: body, signature: body.signature };
        })(),
      ),
      "refused",
    ],
  ])("names the file when it holds %s", async (_n, text, part) => {
    const dir = temp();
    writeFileSync(join(dir, STATE_FILE), text);
    const error = await loadState(dir, stateSigner.pins).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isCustomsError(error) && error.code).toBe("AGENT_STATE_UNREADABLE");
    expect((error as Error).message).toContain(join(dir, STATE_FILE));
    expect((error as Error).message).toContain(part);
    expect(readFileSync(join(dir, STATE_FILE), "utf8")).toBe(text);
  });
});

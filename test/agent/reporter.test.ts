/**
 * The violation reporter against a small real HTTP server that records what it is sent and
 * answers as told: batch sizes, the revision alone, retries after failures, refused batches.
 */
import { createServer, type Server } from "node:http";
import { Counter, Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ControlPlaneClient } from "../../src/adapters/control-plane/client.js";
import { MAX_BATCH, type ViolationReport, ViolationReporter } from "../../src/app/agent/reports.js";
import { type AskedSleep, SteppedSleep } from "../support/stepped-sleep.js";

interface Received {
  appliedRevision?: number | string;
  violations: ViolationReport[];
}

function record(i: number): ViolationReport {
  return {
    time: new Date(0).toISOString(),
    source: "admission",
    namespace: "ns",
    kind: "Pod",
    name: `p${i}`,
    container: "c",
    image: "busybox",
    policy: "p",
    action: "deny",
    code: "NOT_ALLOWED",
    message: "m",
  };
}

describe("violation reporter", () => {
  let server: Server;
  let url: string;
  const received: Received[] = [];
  /** Statuses to answer, in order; then 200. */
  let answers: number[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const status = answers.shift() ?? 200;
        if (status === 200) received.push(JSON.parse(Buffer.concat(chunks).toString()) as Received);
        res.writeHead(status, { "content-type": "application/json" });
        res.end(status === 200 ? "{}" : '{"error":{"code":"X","message":"no"}}');
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  /**
   * A reporter whose waits the test ends (SteppedSleep): a loop's turn is over when it asks to
   * wait again, so what it sent in that turn is in `received` by then.
   */
  const reporter = (capacity = 10_000) => {
    const registry = new Registry();
    const dropped = new Counter({ name: "dropped", help: "d", registers: [registry] });
    const errors: unknown[] = [];
    const clock = new SteppedSleep();
    const r = new ViolationReporter({
      client: new ControlPlaneClient({ url, token: "t", userAgent: "test" }),
      intervalMs: 20,
      capacity,
      dropped,
      onError: (e) => errors.push(e),
      sleep: clock.sleep,
    });
    /** Ends the wait the reporter is in; resolves with the next one it asks for. */
    const turn = async (current: AskedSleep) => {
      current.wake();
      return clock.next("the reporter's next wait");
    };
    return {
      r,
      errors,
      clock,
      turn,
      dropped: async () => (await dropped.get()).values[0]?.value ?? 0,
    };
  };

  it("sends at most 1,000 records a batch, oldest first, with the applied revision", async () => {
    received.length = 0;
    const { r, clock, turn } = reporter();
    r.setAppliedRevision(3);
    r.add(Array.from({ length: 2_500 }, (_, i) => record(i)));
    r.start();
    const first = await clock.next("the first interval");
    expect(first.ms).toBe(20);
    expect(received).toEqual([]);
    // One turn sends the whole queue, batch after batch.
    await turn(first);
    expect(r.pending).toBe(0);
    await r.stop();
    expect(received.map((b) => b.violations.length)).toEqual([MAX_BATCH, MAX_BATCH, 500]);
    expect(received.flatMap((b) => b.violations.map((v) => v.name))).toEqual(
      Array.from({ length: 2_500 }, (_, i) => `p${i}`),
    );
    expect(received.every((b) => b.appliedRevision === 3)).toBe(true);
  });

  it("sends a new revision alone when there is nothing else to say, and only once", async () => {
    received.length = 0;
    const { r, clock, turn } = reporter();
    r.start();
    r.setAppliedRevision("9");
    const sent = await turn(await clock.next("the first interval"));
    expect(received).toEqual([{ appliedRevision: "9", violations: [] }]);
    // A whole turn more, and nothing new to say: nothing sent.
    await turn(sent);
    await r.stop();
    expect(received).toEqual([{ appliedRevision: "9", violations: [] }]);
  });

  it("keeps records through failures (503, 429) and sends them once the server answers", async () => {
    received.length = 0;
    answers = [503, 429];
    const { r, errors, clock, turn } = reporter();
    r.add([record(1), record(2)]);
    r.start();
    // interval, 503, backoff, interval, 429, backoff, interval, sent.
    let wait = await turn(await clock.next("the first interval"));
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toContain("503");
    wait = await turn(await turn(wait));
    expect(errors).toHaveLength(2);
    expect(String(errors[1])).toContain("429");
    expect(received).toEqual([]);
    await turn(await turn(wait));
    await r.stop();
    expect(errors).toHaveLength(2);
    expect(received.flatMap((b) => b.violations.map((v) => v.name))).toEqual(["p1", "p2"]);
    // A backoff after each failure (at 1 and 3, random), the interval between turns.
    expect(clock.asked).toHaveLength(6);
    expect([0, 2, 4, 5].map((i) => clock.asked[i])).toEqual([20, 20, 20, 20]);
  });

  it("drops a batch the server refuses as malformed, counts it, and goes on", async () => {
    received.length = 0;
    answers = [422];
    const { r, errors, dropped, clock, turn } = reporter();
    r.add([record(1)]);
    r.start();
    const refused = await turn(await clock.next("the first interval"));
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toContain("422");
    expect(await dropped()).toBe(1);
    r.add([record(2)]);
    await turn(refused);
    await r.stop();
    expect(await dropped()).toBe(1);
    expect(received.flatMap((b) => b.violations.map((v) => v.name))).toEqual(["p2"]);
  });

  it("counts what a full queue drops", async () => {
    const { r, dropped } = reporter(3);
    r.add([1, 2, 3, 4, 5].map(record));
    expect(r.pending).toBe(3);
    expect(await dropped()).toBe(2);
  });
});

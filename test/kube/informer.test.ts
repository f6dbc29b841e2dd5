/**
 * The informer's list-watch loop: when it lists, watches and waits. The client, the clock,
 * the random numbers and the waits are injected, so each test reads the whole sequence of
 * operations and delays without a timer running.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type KubeClient,
  KubeError,
  type KubeObject,
  startInformer,
  type WatchEvent,
  watchBackoffDelay,
} from "../../src/adapters/kube/index.js";

const BACKOFF = { baseMs: 800, capMs: 30_000 };

type ListStep = { list: string | Error; items?: string[] };
type WatchStep = {
  /** How long the watch stays open on the fake clock. */
  upMs: number;
  events?: WatchEvent[];
  error?: Error;
};
type Step = ListStep | WatchStep;

const obj = (name: string, rv: string): KubeObject => ({ metadata: { name, resourceVersion: rv } });
const added = (name: string, rv: string): WatchEvent => ({ type: "ADDED", object: obj(name, rv) });
const gone: WatchEvent = {
  type: "ERROR",
  object: { metadata: { name: "" }, code: 410 } as WatchEvent["object"],
};

/**
 * Runs an informer over a script of list and watch outcomes; resolves with what it did
 * (`list`, `watch@rv`, `sleep N`) once the script is used up.
 */
function run(script: Step[], random: () => number = () => 0.5) {
  const log: string[] = [];
  const errors: unknown[] = [];
  const changes: string[][] = [];
  let clock = 0;
  let next = 0;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const take = (kind: "list" | "watch"): Step | undefined => {
    const step = script[next++];
    if (step === undefined) {
      informer.stop();
      finish();
      return undefined;
    }
    if ("list" in step !== (kind === "list"))
      throw new Error(`script step ${next - 1} is not a ${kind}: ${JSON.stringify(step)}`);
    return step;
  };
  const client: Pick<KubeClient, "list" | "watch"> = {
    async list() {
      log.push("list");
      const step = take("list") as ListStep | undefined;
      if (step === undefined) throw new Error("script used up");
      const rv = step.list;
      if (rv instanceof Error) throw rv;
      return { items: (step.items ?? []).map((n) => obj(n, rv)), resourceVersion: rv };
    },
    async watch(_path, rv, onEvent) {
      log.push(`watch@${rv}`);
      const step = take("watch") as WatchStep | undefined;
      if (step === undefined) return;
      clock += step.upMs;
      for (const e of step.events ?? []) onEvent(e);
      if (step.error) throw step.error;
    },
  };
  const informer = startInformer(
    client,
    "/api/v1/namespaces",
    (items) => changes.push(items.map((o) => o.metadata.name).sort()),
    (e) => errors.push(e),
    {
      backoff: BACKOFF,
      resetAfterMs: 30_000,
      now: () => clock,
      random,
      sleep: async (ms) => {
        log.push(`sleep ${ms}`);
        clock += ms;
      },
    },
  );
  return done.then(() => ({ log, errors, changes, items: informer.items() }));
}

const LONG = 60_000;
const refused = new Error("connect ECONNREFUSED 127.0.0.1:6443");

describe("the informer's list-watch loop", () => {
  it.each<[string, Step[], string[]]>([
    [
      "lists, then watches from the list's resourceVersion",
      [{ list: "10" }, { upMs: LONG, events: [added("a", "11")] }],
      ["list", "watch@10", "watch@11"],
    ],
    [
      "failed lists wait 0.8 s, 1.6 s, 3.2 s (jitter at its middle)",
      [{ list: refused }, { list: refused }, { list: refused }, { list: "5" }],
      ["list", "sleep 800", "list", "sleep 1600", "list", "sleep 3200", "list", "watch@5"],
    ],
    [
      "a watch the server times out is opened again at once, from the last version seen",
      [{ list: "1" }, { upMs: 300_000, events: [added("a", "7")] }, { upMs: 300_000 }],
      ["list", "watch@1", "watch@7", "watch@7"],
    ],
    [
      "410 Gone after a watch that ran: lists again at once",
      [
        { list: "1" },
        { upMs: LONG, events: [added("a", "2")] },
        { upMs: LONG, events: [gone] },
        { list: "9" },
      ],
      ["list", "watch@1", "watch@2", "list", "watch@9"],
    ],
    [
      "410 as the watch request's HTTP status counts the same",
      [
        { list: "1" },
        { upMs: LONG },
        { upMs: 0, error: new KubeError("watch: 410", 410) },
        { list: "9" },
      ],
      ["list", "watch@1", "watch@1", "list", "watch@9"],
    ],
    [
      "410 right after a list waits before listing again",
      [
        { list: "1" },
        { upMs: 0, events: [gone] },
        { list: "2" },
        { upMs: 0, events: [gone] },
        { list: "3" },
      ],
      ["list", "watch@1", "sleep 800", "list", "watch@2", "sleep 1600", "list", "watch@3"],
    ],
    [
      "a failing watch is retried from its version, with growing delays",
      [
        { list: "1" },
        { upMs: 0, error: refused },
        { upMs: 10, error: refused },
        { upMs: 10, error: refused },
      ],
      ["list", "watch@1", "sleep 800", "watch@1", "sleep 1600", "watch@1", "sleep 3200", "watch@1"],
    ],
    [
      "a watch cut at once without an event waits (no hot loop against a proxy)",
      [{ list: "1" }, { upMs: 5 }, { upMs: 5 }],
      ["list", "watch@1", "sleep 800", "watch@1", "sleep 1600", "watch@1"],
    ],
    [
      "an ERROR event other than 410 waits, then watches again",
      [
        { list: "1" },
        {
          upMs: 0,
          events: [
            {
              type: "ERROR",
              object: { metadata: { name: "" }, code: 500 } as WatchEvent["object"],
            },
          ],
        },
      ],
      ["list", "watch@1", "sleep 800", "watch@1"],
    ],
    [
      "a watch that stayed up 30 s starts the delays over",
      [
        { list: refused },
        { list: refused },
        { list: refused },
        { list: "1" },
        { upMs: 30_000, error: refused },
        { upMs: 0, error: refused },
      ],
      [
        "list",
        "sleep 800",
        "list",
        "sleep 1600",
        "list",
        "sleep 3200",
        "list",
        "watch@1",
        "sleep 800",
        "watch@1",
        "sleep 1600",
        "watch@1",
      ],
    ],
    [
      "a successful list alone does not start the delays over",
      [{ list: refused }, { list: "1" }, { upMs: 0, error: refused }],
      ["list", "sleep 800", "list", "watch@1", "sleep 1600", "watch@1"],
    ],
  ])("%s", async (_name, script, want) => {
    const { log } = await run(script);
    expect(log).toEqual(want);
  });

  it("keeps a copy of the objects: events change it, a new list replaces it", async () => {
    const { changes, items } = await run([
      { list: "1", items: ["a", "b"] },
      {
        upMs: LONG,
        events: [
          added("c", "2"),
          { type: "DELETED", object: obj("a", "3") },
          { type: "BOOKMARK", object: obj("", "4") },
          gone,
        ],
      },
      { list: "5", items: ["x"] },
    ]);
    expect(changes).toEqual([["a", "b"], ["a", "b", "c"], ["b", "c"], ["x"]]);
    expect(items.map((o) => o.metadata.name)).toEqual(["x"]);
  });

  it("reports each failure, never a 410 after a watch that ran", async () => {
    const { errors } = await run([
      { list: refused },
      { list: "1" },
      { upMs: LONG, events: [gone] },
      { list: "2" },
    ]);
    expect(errors).toEqual([refused]);
  });

  it("jitters every delay within 0.8–1.2 × min(cap, base·2^n), whatever the random numbers", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), {
          minLength: 12,
          maxLength: 12,
        }),
        async (failures, randoms) => {
          let i = 0;
          const script: Step[] = [
            ...Array.from({ length: failures }, () => ({ list: refused })),
            { list: "1" },
          ];
          const { log } = await run(script, () => randoms[i++ % randoms.length] as number);
          const delays = log.filter((l) => l.startsWith("sleep")).map((l) => Number(l.slice(6)));
          expect(delays).toHaveLength(failures);
          delays.forEach((d, n) => {
            const ceiling = Math.min(BACKOFF.capMs, BACKOFF.baseMs * 2 ** n);
            expect(d).toBeGreaterThanOrEqual(Math.round(0.8 * ceiling));
            expect(d).toBeLessThanOrEqual(Math.round(1.2 * ceiling));
          });
        },
      ),
    );
  });
});

describe("watchBackoffDelay", () => {
  it("doubles from the base up to the cap", () => {
    const middle = () => 0.5;
    expect(Array.from({ length: 9 }, (_, n) => watchBackoffDelay(n, middle, BACKOFF))).toEqual([
      800, 1600, 3200, 6400, 12_800, 25_600, 30_000, 30_000, 30_000,
    ]);
  });

  it("stays within ±20 % of its ceiling, and grows with the failures", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 2000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 600_000 }),
        (n, r, baseMs, capMs) => {
          const backoff = { baseMs, capMs };
          const ceiling = Math.min(capMs, baseMs * 2 ** n);
          const d = watchBackoffDelay(n, () => r, backoff);
          expect(d).toBeGreaterThanOrEqual(Math.max(1, Math.round(0.8 * ceiling)));
          expect(d).toBeLessThanOrEqual(Math.round(1.2 * ceiling));
          expect(watchBackoffDelay(n + 1, () => r, backoff)).toBeGreaterThanOrEqual(d);
        },
      ),
    );
  });
});

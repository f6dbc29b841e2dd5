import { describe, expect, it } from "vitest";
import { AgentNamespaces, type Clock, Debouncer } from "../../src/app/agent/namespaces.js";

/** A clock whose time moves only when the test says so. */
function manualClock() {
  let now = 0;
  let timers: { at: number; f: () => void; id: number }[] = [];
  let ids = 0;
  const clock: Clock = {
    now: () => now,
    setTimeout(f, ms) {
      const id = ++ids;
      timers.push({ at: now + ms, f, id });
      return id;
    },
    clearTimeout(id) {
      timers = timers.filter((t) => t.id !== id);
    },
  };
  const settle = async () => {
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };
  return {
    clock,
    async advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
        if (due === undefined) break;
        timers = timers.filter((t) => t !== due);
        now = due.at;
        due.f();
        await settle();
      }
      now = end;
    },
  };
}

describe("namespace report debouncing", () => {
  it("sends a burst of changes once, then waits the interval before the next", async () => {
    const t = manualClock();
    const sent: number[] = [];
    const d = new Debouncer(async () => void sent.push(t.clock.now()), 2_000, t.clock);
    d.changed();
    d.changed();
    await t.advance(0);
    expect(sent).toEqual([0]);
    await t.advance(500);
    d.changed();
    d.changed();
    await t.advance(1_000);
    expect(sent).toEqual([0]);
    await t.advance(500);
    expect(sent).toEqual([0, 2_000]);
    await t.advance(10_000);
    expect(sent).toEqual([0, 2_000]);
  });

  it("retries a failed send with backoff until it succeeds", async () => {
    const t = manualClock();
    let calls = 0;
    const errors: unknown[] = [];
    const d = new Debouncer(
      async () => {
        calls++;
        if (calls < 3) throw new Error("down");
      },
      2_000,
      t.clock,
      (e) => errors.push(e),
    );
    d.changed();
    await t.advance(60_000);
    expect(calls).toBe(3);
    expect(errors).toHaveLength(2);
    await t.advance(60_000);
    expect(calls).toBe(3);
  });

  it("sends nothing after stop", async () => {
    const t = manualClock();
    let calls = 0;
    const d = new Debouncer(async () => void calls++, 2_000, t.clock);
    d.changed();
    d.stop();
    await t.advance(10_000);
    expect(calls).toBe(0);
  });
});

describe("agent namespaces", () => {
  it("reports changes only when labels change, and rebuilds facts for the cluster's name", () => {
    let changes = 0;
    const ns = new AgentNamespaces(() => changes++);
    ns.set("b", { team: "x" });
    ns.set("a", {});
    ns.set("b", { team: "x" });
    expect(changes).toBe(2);
    expect(ns.snapshot()).toEqual([
      { name: "a", labels: {} },
      { name: "b", labels: { team: "x" } },
    ]);
    ns.setCluster("c1");
    expect(ns.currentCluster).toBe("c1");
    expect(ns.facts("b").labels.team).toBe("x");
    expect(ns.facts("b").cluster).toBe("c1");
    ns.delete("b");
    ns.delete("zzz");
    expect(changes).toBe(3);
    expect(ns.snapshot().map((n) => n.name)).toEqual(["a"]);
  });
});

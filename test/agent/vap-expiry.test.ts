/**
 * Exceptions compiled into the agent's native policies expire with them: at the earliest
 * expiry the agent compiles the same bundle again (a manual clock, no sleeps).
 */
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/adapters/kube/index.js";
import { parseBundle, verifyBundle } from "../../src/app/agent/bundle.js";
import type { Clock } from "../../src/app/agent/namespaces.js";
import { desiredVap, VAP_PATH, type VapClient } from "../../src/app/agent/vap.js";
import { MAX_TIMER_MS, VapSync } from "../../src/app/agent/vap-sync.js";
import { exceptionDoc } from "../support/policies.js";
import { corpOnly } from "./support.js";

const START = Date.parse("2030-01-01T00:00:00Z");

/** A clock whose time moves only when the test says so. */
function manualClock(start: number) {
  let now = start;
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
  return {
    clock,
    pending: () => timers.map((t) => t.at - now),
    /** Moves the time to `to`, firing the timers due on the way, in order. */
    advanceTo(to: number) {
      for (;;) {
        const due = timers.filter((t) => t.at <= to).sort((a, b) => a.at - b.at)[0];
        if (due === undefined) break;
        timers = timers.filter((t) => t !== due);
        now = due.at;
        due.f();
      }
      now = to;
    },
  };
}

/** An in-memory API server for the two collections the agent writes. */
function fakeKube() {
  const objects = new Map<string, KubeObject>();
  let version = 0;
  const client: VapClient = {
    get: async (path) => objects.get(path),
    list: async (path) => {
      const collection = path.split("?")[0] ?? "";
      const items = [...objects.entries()]
        .filter(([p]) => p.startsWith(`${collection}/`))
        .map(([, o]) => o);
      return { items, resourceVersion: String(version) };
    },
    send: async (method, path, body) => {
      if (method === "DELETE") {
        const gone = objects.get(path);
        objects.delete(path);
        return gone as KubeObject;
      }
      const o = body as KubeObject;
      const stored = { ...o, metadata: { ...o.metadata, resourceVersion: String(++version) } };
      objects.set(method === "POST" ? `${path}/${o.metadata.name}` : path, stored);
      return stored;
    },
  };
  return { client, objects };
}

const annotations = (o: KubeObject | undefined) =>
  (o?.metadata as { annotations?: Record<string, string> } | undefined)?.annotations ?? {};

function bundleWith(expires: readonly string[], now: number) {
  const exceptions = expires.map((at, i) =>
    exceptionDoc(`legacy-${i}`, {
      policies: ["corp-only"],
      images: ["docker.io/library/busybox:*"],
      reason: "vendor image",
      owner: "team",
      expires: at,
    }),
  );
  const body = { revision: 1, cluster: "c1", policies: [corpOnly()], workspaces: [], exceptions };
  return verifyBundle(parseBundle(body, "b"), undefined, "b", now);
}

const silent = pino({ level: "silent" });
const POLICY = `${VAP_PATH}/customs-corp-only`;

describe("exceptions expire in the agent's native policies", () => {
  it("desiredVap says when to compile again: the earliest unexpired exception", () => {
    const b = bundleWith(["2030-01-03T00:00:00Z", "2030-01-02T06:00:00Z"], START);
    const at = (now: number) =>
      desiredVap(b.policies, b.workspaces, "c1", [], b.exceptions ?? [], now).recompileAt;
    expect(at(START)).toBe(Date.parse("2030-01-02T06:00:00Z"));
    expect(at(Date.parse("2030-01-02T06:00:00Z"))).toBe(Date.parse("2030-01-03T00:00:00Z"));
    expect(at(Date.parse("2030-01-03T00:00:00Z"))).toBeUndefined();
    expect(desiredVap(b.policies, b.workspaces, "c1").recompileAt).toBeUndefined();
  });

  it("compiles the bundle again at each expiry, without a new bundle", async () => {
    const t = manualClock(START);
    const kube = fakeKube();
    const sync = new VapSync(kube.client, silent, [], t.clock);
    sync.update(bundleWith(["2030-01-02T06:00:00Z", "2030-01-03"], START));
    await sync.idle;
    expect(annotations(kube.objects.get(POLICY))["customs.dev/exceptions"]).toBe(
      "legacy-0,legacy-1",
    );
    expect(t.pending()).toEqual([30 * 3_600_000]);

    t.advanceTo(Date.parse("2030-01-02T06:00:00Z") - 1);
    await sync.idle;
    expect(annotations(kube.objects.get(POLICY))["customs.dev/exceptions"]).toBe(
      "legacy-0,legacy-1",
    );

    t.advanceTo(Date.parse("2030-01-02T06:00:00Z"));
    await sync.idle;
    const once = annotations(kube.objects.get(POLICY));
    expect(once["customs.dev/exceptions"]).toBe("legacy-1");
    // "2030-01-03" is valid through that day, UTC.
    expect(once["customs.dev/recompile-by"]).toBe("2030-01-04T00:00:00Z");
    expect(JSON.stringify(kube.objects.get(POLICY))).toContain("busybox");

    t.advanceTo(Date.parse("2030-01-04T00:00:00Z"));
    await sync.idle;
    const none = kube.objects.get(POLICY);
    expect(annotations(none)["customs.dev/exceptions"]).toBeUndefined();
    expect(annotations(none)["customs.dev/recompile-by"]).toBeUndefined();
    expect(JSON.stringify(none)).not.toContain("busybox");
    expect(t.pending()).toEqual([]);
    sync.stop();
  });

  it("waits a far expiry in steps no longer than a timer can, and a new bundle replaces it", async () => {
    const t = manualClock(START);
    const kube = fakeKube();
    const sync = new VapSync(kube.client, silent, [], t.clock);
    sync.update(bundleWith(["2030-03-01"], START));
    await sync.idle;
    expect(t.pending()).toEqual([MAX_TIMER_MS]);
    t.advanceTo(START + MAX_TIMER_MS);
    await sync.idle;
    // Still before the expiry: waiting on, nothing compiled again.
    expect(t.pending()).toHaveLength(1);
    expect(annotations(kube.objects.get(POLICY))["customs.dev/exceptions"]).toBe("legacy-0");

    sync.update(bundleWith([], t.clock.now()));
    await sync.idle;
    expect(t.pending()).toEqual([]);
    expect(annotations(kube.objects.get(POLICY))["customs.dev/exceptions"]).toBeUndefined();
    sync.stop();
  });

  it("stop cancels the wait", async () => {
    const t = manualClock(START);
    const sync = new VapSync(fakeKube().client, silent, [], t.clock);
    sync.update(bundleWith(["2030-01-02"], START));
    await sync.idle;
    expect(t.pending()).toHaveLength(1);
    sync.stop();
    expect(t.pending()).toEqual([]);
  });
});

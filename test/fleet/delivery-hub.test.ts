import { afterEach, describe, expect, it } from "vitest";
import { DeliveryHub } from "../../src/app/fleet/delivery.js";
import type { FleetStore } from "../../src/core/fleet/store.js";
import { ALICE, policyDocument, useHarness } from "./harness.js";

/** The real store, counting full-organization reads of policies. */
function counting(store: FleetStore): { store: FleetStore; loads: () => number } {
  let loads = 0;
  const wrapped = new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (key === "allPolicies") loads++;
        return value.apply(target, args);
      };
    },
  });
  return { store: wrapped, loads: () => loads };
}

async function organization(store: FleetStore) {
  await store.createOrganization(ALICE, "o", {});
  await store.createWorkspace(ALICE, "o", "a", {});
  await store.createWorkspace(ALICE, "o", "b", {});
  for (const c of ["c1", "c2", "c3"]) await store.createCluster(ALICE, "o", c, {});
  await store.attach(ALICE, "o", "a", "c1", "web");
  await store.createPolicy(ALICE, "o", policyDocument("org"), { kind: "organization" });
  await store.createPolicy(ALICE, "o", policyDocument("in-b", { workspace: "b" }), {
    kind: "workspace",
    workspace: "b",
  });
}

const hubs: DeliveryHub[] = [];
afterEach(() => {
  for (const hub of hubs.splice(0)) hub.stop();
});

function names(b: { bundle: { policies: readonly Record<string, unknown>[] } } | undefined) {
  return b?.bundle.policies.map((p) => (p.metadata as { name: string }).name);
}

describe("DeliveryHub: one snapshot per revision, coalesced wake-ups", () => {
  const h = useHarness("sqlite");

  it("serves every cluster from one load, and a burst of changes from one more", async () => {
    const { store: real } = await h.fresh();
    await organization(real);
    const { store, loads } = counting(real);
    const hub = new DeliveryHub(store, 60_000, undefined, 20);
    hubs.push(hub);
    const first = await Promise.all(["c1", "c2", "c3"].map((c) => hub.current("o", c)));
    expect(loads()).toBe(1);
    expect(first.map(names)).toEqual([["org"], ["org"], ["org"]]);
    const waiting = ["c1", "c2", "c3"].map((c, i) => hub.wait("o", c, first[i]?.etag, 5000));
    await real.createPolicy(ALICE, "o", policyDocument("in-a", { workspace: "a" }), {
      kind: "workspace",
      workspace: "a",
    });
    for (let i = 0; i < 10; i++) hub.changed("o");
    // c1 holds workspace a: it is woken with the new policy; c2 and c3 stay asleep.
    const woken = await waiting[0];
    expect(names(woken)).toEqual(["in-a", "org"]);
    expect(loads()).toBe(2);
    expect(hub.waiting()).toBe(2);
    hub.stop();
    expect(await Promise.all(waiting.slice(1))).toEqual([undefined, undefined]);
  });

  it("a namespace report patches the snapshot: no reload, only that cluster wakes", async () => {
    const { store: real } = await h.fresh();
    await organization(real);
    const { store, loads } = counting(real);
    const hub = new DeliveryHub(store, 60_000, undefined, 20);
    hubs.push(hub);
    const [c2, c3] = await Promise.all([hub.current("o", "c2"), hub.current("o", "c3")]);
    const w2 = hub.wait("o", "c2", c2.etag, 5000);
    const w3 = hub.wait("o", "c3", c3.etag, 300);
    const reported = [{ name: "api", labels: { "customs.dev/workspace": "b" } }];
    expect(await real.replaceNamespaces(ALICE, "o", "c2", reported)).toBe(true);
    await hub.reported(
      "o",
      "c2",
      reported.map((n) => ({ organization: "o", cluster: "c2", ...n })),
    );
    const woken = await w2;
    expect(names(woken)).toEqual(["in-b", "org"]);
    expect(woken?.bundle.revision).toBe((await real.getOrganization("o")).revision);
    expect(await w3).toBeUndefined();
    expect(loads()).toBe(1);
    // The patched snapshot is what a fresh load gives too.
    const fresh = new DeliveryHub(real);
    hubs.push(fresh);
    expect((await fresh.current("o", "c2")).etag).toBe(woken?.etag);
  });

  it("a policy write through this replica patches the snapshot: no reload", async () => {
    const { store: real } = await h.fresh();
    await organization(real);
    const { store, loads } = counting(real);
    const hub = new DeliveryHub(store, 60_000, undefined, 20);
    hubs.push(hub);
    const [c1, c2] = await Promise.all([hub.current("o", "c1"), hub.current("o", "c2")]);
    const w1 = hub.wait("o", "c1", c1.etag, 5000);
    const w2 = hub.wait("o", "c2", c2.etag, 300);
    const row = await real.createPolicy(ALICE, "o", policyDocument("c1-web"), {
      kind: "namespace",
      cluster: "c1",
      namespace: "web",
    });
    await hub.policy("o", "c1-web", row);
    expect(names(await w1)).toEqual(["c1-web", "org"]);
    expect(await w2).toBeUndefined();
    await real.deletePolicy(ALICE, "o", "org", {
      resourceVersion: (await real.getPolicy("o", "org")).metadata.resourceVersion,
    });
    await hub.policy("o", "org", undefined);
    expect(names(await hub.current("o", "c2"))).toEqual([]);
    expect(loads()).toBe(1);
    const fresh = new DeliveryHub(real);
    hubs.push(fresh);
    for (const c of ["c1", "c2"]) {
      expect((await fresh.current("o", c)).etag).toBe((await hub.current("o", c)).etag);
    }
  });

  it("a change on another replica is seen through the revision poll", async () => {
    const { store } = await h.fresh();
    await organization(store);
    const hub = new DeliveryHub(store, 50, undefined, 10);
    hubs.push(hub);
    hub.start();
    const before = await hub.current("o", "c3");
    const waiting = hub.wait("o", "c3", before.etag, 5000);
    await store.createPolicy(ALICE, "o", policyDocument("bare", { namespace: "web" }), {
      kind: "namespace",
      namespace: "web",
    });
    expect(names(await waiting)).toEqual(["bare", "org"]);
  });
});

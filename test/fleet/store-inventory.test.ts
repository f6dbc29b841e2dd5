import { describe, expect, it } from "vitest";
import { openStore } from "../../src/adapters/store/index.js";
import type { InventoryReport, InventoryWorkload } from "../../src/core/fleet/inventory.js";
import { ALICE, codeOf, DIALECTS, FIRST_PAGE, useHarness, violation, withOrg } from "./harness.js";

function workload(
  namespace: string,
  name: string,
  result: "pass" | "fail" | "warn",
): InventoryWorkload {
  return {
    namespace,
    kind: "Deployment",
    name,
    containers: [{ name: "app", image: `${name}:1`, type: "container" }],
    results: [
      { policy: "p1", result, ...(result === "pass" ? {} : { code: "X", image: `${name}:1` }) },
    ],
  };
}

function report(revision: number, workloads: InventoryWorkload[]): InventoryReport {
  return { revision, generatedAt: "2026-01-01T00:00:00Z", workloads };
}

describe.each(
  DIALECTS,
)("fleet store on %s: inventory, compliance history, deduplicated events", (dialect) => {
  const h = useHarness(dialect);

  it("replaces a cluster's inventory as a whole and lists it filtered", async () => {
    const { store } = await h.fresh();
    await withOrg(store);
    await store.putInventory(
      "acme",
      "prod",
      report(1, [workload("web", "a", "fail"), workload("db", "b", "pass")]),
    );
    await store.putInventory("acme", "dev", report(1, [workload("web", "c", "warn")]));
    // The next report of prod replaces the first: b is gone, a is fixed.
    await store.putInventory("acme", "prod", report(2, [workload("web", "a", "pass")]));
    const all = await store.listInventory("acme");
    expect(all.map((r) => `${r.cluster}/${r.workload.namespace}/${r.workload.name}`)).toEqual([
      "dev/web/c",
      "prod/web/a",
    ]);
    expect(all[1]?.workload.results[0]?.result).toBe("pass");
    expect((await store.listInventory("acme", { clusters: ["dev"] })).length).toBe(1);
    expect((await store.listInventory("acme", { namespaces: ["db"] })).length).toBe(0);
    const clusters = await store.inventoryClusters("acme");
    expect(clusters.map((c) => [c.cluster, c.revision, c.workloads, c.failing, c.warning])).toEqual(
      [
        ["dev", 1, 1, 0, 1],
        ["prod", 2, 1, 0, 0],
      ],
    );
    // Workspace roles: only namespaces attached to their workspaces; none attached, nothing.
    expect(await store.listInventory("acme", { workspaces: ["payments"] })).toEqual([]);
    await store.attach(ALICE, "acme", "payments", "dev", "web");
    const mine = await store.listInventory("acme", { workspaces: ["payments"] });
    expect(mine.map((r) => `${r.cluster}/${r.workload.name}`)).toEqual(["dev/c"]);
    expect(await store.listInventory("acme", { workspaces: [] })).toEqual([]);
  });

  it("a replica that read a report before reads the next one another replica stored", async () => {
    const { store, url } = await h.fresh();
    await withOrg(store);
    await store.putInventory("acme", "prod", report(1, [workload("web", "a", "fail")]));
    expect((await store.listInventory("acme"))[0]?.workload.results[0]?.result).toBe("fail");
    const other = await openStore(url);
    try {
      await other.putInventory("acme", "prod", report(2, [workload("web", "a", "pass")]));
      await other.putInventory("acme", "dev", report(2, [workload("web", "b", "pass")]));
      const rows = await store.listInventory("acme");
      expect(rows.map((r) => [r.cluster, r.workload.results[0]?.result])).toEqual([
        ["dev", "pass"],
        ["prod", "pass"],
      ]);
      const dev = await other.getCluster("acme", "dev");
      await other.deleteCluster(ALICE, "acme", "dev", {
        resourceVersion: dev.metadata.resourceVersion,
      });
      expect((await store.listInventory("acme")).map((r) => r.cluster)).toEqual(["prod"]);
    } finally {
      await other.close();
    }
  });

  it("keeps the day's last counts per namespace and policy, and drops a deleted cluster's inventory", async () => {
    const { store } = await h.fresh();
    await withOrg(store);
    await store.putInventory(
      "acme",
      "prod",
      report(1, [workload("web", "a", "fail"), workload("db", "b", "pass")]),
    );
    await store.putInventory("acme", "prod", report(2, [workload("web", "a", "pass")]));
    const history = await store.complianceHistory("acme", "2000-01-01");
    expect(history.map((r) => [r.cluster, r.namespace, r.policy, r.workloads, r.failing])).toEqual([
      ["prod", "web", "", 1, 0],
      ["prod", "web", "p1", 1, 0],
    ]);
    const prod = await store.getCluster("acme", "prod");
    await store.deleteCluster(ALICE, "acme", "prod", {
      resourceVersion: prod.metadata.resourceVersion,
    });
    expect(await store.listInventory("acme")).toEqual([]);
    expect(await store.inventoryClusters("acme")).toEqual([]);
    expect(await codeOf(store.putInventory("acme", "prod", report(3, [])))).toBe("STORE_NOT_FOUND");
  });

  it("stores 17 retries of one owner's event as one row counted 17; count sums the counts", async () => {
    const { store } = await h.fresh();
    await withOrg(store);
    const retry = (n: number) =>
      violation("acme", {
        kind: "Pod",
        name: `web-5d8f-${n}`,
        ownerKind: "Deployment",
        ownerName: "web",
        outcome: "denied",
        time: `2026-01-01T00:00:${String(10 + n).padStart(2, "0")}Z`,
      });
    // Two batches: the first pre-aggregated by nobody, the second upserted onto the row.
    await store.addViolations(Array.from({ length: 10 }, (_, n) => retry(n)));
    await store.addViolations(Array.from({ length: 7 }, (_, n) => retry(10 + n)));
    const rows = (await store.listViolations("acme", {}, FIRST_PAGE)).items;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      count: 17,
      ownerKind: "Deployment",
      ownerName: "web",
      outcome: "denied",
      firstSeen: "2026-01-01T00:00:10.000Z",
      lastSeen: "2026-01-01T00:00:26.000Z",
      name: "web-5d8f-16",
    });
    expect(await store.countViolations("acme", "policy", {})).toEqual([
      expect.objectContaining({ key: "p", count: 17, deny: 17 }),
    ]);
    // Another day, another outcome or another source is another row.
    await store.addViolations([
      { ...retry(0), time: "2026-01-02T00:00:00Z" },
      { ...retry(0), outcome: "warned" },
      { ...retry(0), source: "audit" },
    ]);
    expect((await store.listViolations("acme", {}, FIRST_PAGE)).items).toHaveLength(4);
    const daily = await store.dailyViolations("acme", "cluster", "2026-01-01", {});
    expect(daily).toEqual([
      { day: "2026-01-01", key: "prod", count: 19, denied: 18, warned: 1, audited: 0 },
      { day: "2026-01-02", key: "prod", count: 1, denied: 1, warned: 0, audited: 0 },
    ]);
    expect(await store.dailyViolations("acme", "policy", "2026-01-02", { workspaces: [] })).toEqual(
      [],
    );
  });
});

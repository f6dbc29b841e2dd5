import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/adapters/store/index.js";
import type { FleetStore } from "../../src/core/fleet/store.js";
import { type PostgresServer, startPostgres } from "../support/postgres.js";
import { ADMIN, ALICE, policyDocument } from "./harness.js";

/** Several control-plane replicas on one PostgreSQL database. */
describe("fleet store: replicas sharing PostgreSQL", () => {
  let server: PostgresServer;
  const stores: FleetStore[] = [];
  const open = async (url: string) => {
    const store = await openStore(url, { poolSize: 4 });
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    for (const store of stores) await store.close().catch(() => {});
    await server?.stop();
  });

  it("replicas starting together on an empty database migrate it once", async () => {
    const url = await server.freshDatabase();
    const opened = await Promise.allSettled(Array.from({ length: 4 }, () => open(url)));
    expect(opened.map((r) => r.status)).toEqual([
      "fulfilled",
      "fulfilled",
      "fulfilled",
      "fulfilled",
    ]);
    const [first] = stores.slice(-4);
    await first?.createOrganization(ADMIN, "acme", {});
    for (const store of stores.slice(-4)) {
      expect((await store.getOrganization("acme")).metadata.name).toBe("acme");
    }
  });

  it("of two concurrent updates with the same resourceVersion exactly one wins", async () => {
    const url = await server.freshDatabase();
    const [a, b] = [await open(url), await open(url)] as const;
    await a.createOrganization(ADMIN, "acme", {});
    let policy = await a.createPolicy(ALICE, "acme", policyDocument("p"), { kind: "organization" });
    for (let round = 0; round < 10; round += 1) {
      const pre = { resourceVersion: policy.metadata.resourceVersion };
      const results = await Promise.allSettled([
        a.updatePolicy(
          ALICE,
          "acme",
          policyDocument("p", { round, by: "a" }),
          { kind: "organization" },
          pre,
        ),
        b.updatePolicy(
          ALICE,
          "acme",
          policyDocument("p", { round, by: "b" }),
          { kind: "organization" },
          pre,
        ),
      ]);
      const won = results.filter((r) => r.status === "fulfilled");
      const lost = results.filter((r) => r.status === "rejected");
      expect(won.length).toBe(1);
      expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({ code: "STORE_CONFLICT" });
      policy = (won[0] as PromiseFulfilledResult<typeof policy>).value;
      expect(await b.getPolicy("acme", "p")).toEqual(policy);
    }
  });

  it("concurrent changes through two replicas each bump the revision exactly once", async () => {
    const url = await server.freshDatabase();
    const [a, b] = [await open(url), await open(url)] as const;
    await a.createOrganization(ADMIN, "acme", {});
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 === 0 ? a : b).createWorkspace(ALICE, "acme", `ws-${i}`, {}),
      ),
    );
    expect((await b.revisions()).get("acme")).toBe(21);
    const versions = (await a.listWorkspaces("acme", { limit: 100, after: undefined })).items.map(
      (w) => w.metadata.resourceVersion,
    );
    expect(new Set(versions).size).toBe(20);
  });

  it("a database that goes away answers STORE_UNAVAILABLE, and the process survives", async () => {
    const own = await startPostgres();
    const store = await open(await own.freshDatabase());
    await store.createOrganization(ADMIN, "acme", {});
    await own.stop();
    await expect(store.getOrganization("acme")).rejects.toMatchObject({
      code: "STORE_UNAVAILABLE",
    });
    await expect(store.createWorkspace(ALICE, "acme", "w", {})).rejects.toMatchObject({
      code: "STORE_UNAVAILABLE",
    });
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FleetStore, ViolationRecord } from "../../src/core/fleet/store.js";
import { ADMIN, ALICE, DIALECTS, FIRST_PAGE, useHarness, violation, withOrg } from "./harness.js";

/** Reads every page of a keyset-paged list. */
async function allPages<T>(
  read: (page: {
    limit: number;
    after: string | undefined;
  }) => Promise<{ items: readonly T[]; next: string | undefined }>,
  limit: number,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let after: string | undefined;
  let pages = 0;
  for (;;) {
    const page = await read({ limit, after });
    pages += 1;
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    if (page.next === undefined) return { items, pages };
    after = page.next;
  }
}

const RECORDS: Partial<ViolationRecord>[] = [
  {
    cluster: "prod",
    namespace: "web",
    policy: "p1",
    image: "nginx:latest",
    action: "deny",
    time: "2026-01-01T00:00:00Z",
  },
  {
    cluster: "prod",
    namespace: "web",
    policy: "p1",
    image: "nginx:latest",
    action: "warn",
    time: "2026-01-02T00:00:00Z",
  },
  {
    cluster: "prod",
    namespace: "db",
    policy: "p2",
    image: "postgres",
    action: "audit",
    time: "2026-01-03T00:00:00Z",
  },
  {
    cluster: "dev",
    namespace: "web",
    policy: "p1",
    image: "nginx:1",
    normalizedImage: "docker.io/library/nginx:1",
    action: "deny",
    time: "2026-01-04T00:00:00Z",
  },
];

async function seeded(store: FleetStore): Promise<void> {
  await withOrg(store);
  await store.attach(ALICE, "acme", "payments", "prod", "web");
  await store.attach(ALICE, "acme", "search", "dev", "web");
  await store.addViolations(RECORDS.map((r) => violation("acme", r)));
}

describe.each(DIALECTS)("fleet store on %s: insights, audit and paging", (dialect) => {
  const h = useHarness(dialect);

  it("groups violation counts in the database", async () => {
    const { store } = await h.fresh();
    await seeded(store);
    const revision = (await store.revisions()).get("acme");
    expect(await store.countViolations("acme", "cluster", {})).toEqual([
      { key: "prod", count: 3, deny: 1, warn: 1, audit: 1, lastSeen: "2026-01-03T00:00:00.000Z" },
      { key: "dev", count: 1, deny: 1, warn: 0, audit: 0, lastSeen: "2026-01-04T00:00:00.000Z" },
    ]);
    const keys = async (groupBy: "namespace" | "policy" | "image", filter = {}) =>
      (await store.countViolations("acme", groupBy, filter)).map((g) => `${g.key}=${g.count}`);
    expect(await keys("namespace")).toEqual(["prod/web=2", "dev/web=1", "prod/db=1"]);
    expect(await keys("policy")).toEqual(["p1=3", "p2=1"]);
    expect(await keys("image")).toEqual(["nginx:latest=2", "nginx:1=1", "postgres=1"]);
    expect(await keys("policy", { since: "2026-01-02T00:00:00Z" })).toEqual(["p1=2", "p2=1"]);
    expect(await keys("policy", { image: "docker.io/library/nginx:1" })).toEqual(["p1=1"]);
    expect(await keys("namespace", { workspaces: ["payments"] })).toEqual(["prod/web=2"]);
    expect(await keys("namespace", { workspaces: ["search", "payments"] })).toEqual([
      "prod/web=2",
      "dev/web=1",
    ]);
    expect(await keys("namespace", { workspaces: [] })).toEqual([]);
    // Reports are not changes: no revision, no audit.
    expect((await store.revisions()).get("acme")).toBe(revision);
  });

  it("lists violations newest first with filters, and prunes old ones", async () => {
    const { store } = await h.fresh();
    await seeded(store);
    const times = async (filter = {}) =>
      (await store.listViolations("acme", filter, FIRST_PAGE)).items.map((v) =>
        v.time.slice(0, 10),
      );
    expect(await times()).toEqual(["2026-01-04", "2026-01-03", "2026-01-02", "2026-01-01"]);
    expect(await times({ cluster: "prod", namespace: "web" })).toEqual([
      "2026-01-02",
      "2026-01-01",
    ]);
    expect(await times({ policy: "p2" })).toEqual(["2026-01-03"]);
    expect(await times({ workspaces: ["search"] })).toEqual(["2026-01-04"]);
    const [newest] = (await store.listViolations("acme", {}, FIRST_PAGE)).items;
    expect(newest).toMatchObject({
      ...RECORDS[3],
      time: "2026-01-04T00:00:00.000Z",
      organization: "acme",
    });
    expect(newest?.operation).toBeUndefined();
    expect(await store.pruneViolations("2026-01-03T00:00:00Z")).toBe(2);
    expect(await times()).toEqual(["2026-01-04", "2026-01-03"]);
    expect(await store.countViolations("other", "cluster", {})).toEqual([]);
  });

  it("filters the audit log by workspace", async () => {
    const { store } = await h.fresh();
    await seeded(store);
    const entries = async (workspaces?: string[]) =>
      (await store.listAudit("acme", FIRST_PAGE, workspaces ? { workspaces } : {})).items.map(
        (e) => `${e.action} ${e.kind} ${e.name}`,
      );
    expect(await entries(["search"])).toEqual([
      "attach NamespaceAttachment dev/web",
      "create Workspace search",
    ]);
    expect((await entries()).length).toBe(7);
    expect(await entries([])).toEqual([]);
  });

  it("pages by name with neither duplicates nor gaps (property)", async () => {
    const { store } = await h.fresh();
    await store.createOrganization(ADMIN, "acme", {});
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/), { maxLength: 25 }),
        fc.integer({ min: 1, max: 7 }),
        async (names, limit) => {
          run += 1;
          const org = `o${run}`;
          await store.createOrganization(ADMIN, org, {});
          for (const name of names) await store.createCluster(ADMIN, org, name, {});
          const { items, pages } = await allPages((p) => store.listClusters(org, p), limit);
          expect(items.map((c) => c.metadata.name)).toEqual([...names].sort());
          expect(pages).toBe(Math.max(1, Math.ceil(names.length / limit)));
        },
      ),
      { numRuns: dialect === "postgres" ? 12 : 25 },
    );
  });

  it("pages violations and audit by id, newest first, while new records arrive (property)", async () => {
    const { store } = await h.fresh();
    await withOrg(store);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 1, max: 9 }),
        async (count, limit) => {
          await store.pruneViolations("9999-01-01T00:00:00Z");
          await store.addViolations(
            Array.from({ length: count }, (_, i) => violation("acme", { name: `pod-${i}` })),
          );
          const seen: string[] = [];
          let after: string | undefined;
          for (;;) {
            const page = await store.listViolations("acme", {}, { limit, after });
            seen.push(...page.items.map((v) => v.name));
            // Records added behind the cursor are not shown; none is shown twice.
            await store.addViolations([violation("acme", { name: "late" })]);
            if (page.next === undefined) break;
            after = page.next;
          }
          expect(seen).toEqual(Array.from({ length: count }, (_, i) => `pod-${count - 1 - i}`));
          const audit = await allPages((p) => store.listAudit("acme", p), limit);
          const ids = audit.items.map((e) => e.id);
          expect(ids).toEqual([...ids].sort((a, b) => b - a));
          expect(new Set(ids).size).toBe(ids.length);
        },
      ),
      { numRuns: dialect === "postgres" ? 10 : 20 },
    );
  });
});

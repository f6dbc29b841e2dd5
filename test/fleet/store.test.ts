import { describe, expect, it } from "vitest";
import {
  ADMIN,
  ALICE,
  codeOf,
  DIALECTS,
  FIRST_PAGE,
  policyDocument,
  token,
  useHarness,
  withOrg,
} from "./harness.js";

describe.each(DIALECTS)("fleet store on %s", (dialect) => {
  const h = useHarness(dialect);

  it("reports its dialect and applies migrations once (opening twice is harmless)", async () => {
    const { store, url } = await h.fresh();
    expect(store.dialect).toBe(dialect);
    await store.createOrganization(ADMIN, "acme", {});
    const { openStore } = await import("../../src/adapters/store/index.js");
    const again = await openStore(url);
    expect((await again.getOrganization("acme")).metadata.name).toBe("acme");
    await again.close();
    const rows = await h.raw(url, "select version, name from customs_migrations order by version");
    expect(rows).toEqual([
      { version: 1, name: "initial schema" },
      { version: 2, name: "token last use" },
      { version: 3, name: "bundle signing keys and verified digests" },
      { version: 4, name: "sign-in sessions" },
      { version: 5, name: "image policy exceptions" },
      { version: 6, name: "inventory, compliance history and deduplicated events" },
    ]);
  });

  it("refuses a database migrated by a newer build", async () => {
    const { store, url } = await h.fresh();
    await store.close();
    await h.raw(
      url,
      "insert into customs_migrations (version, name, applied_at) values (999, 'future', 'x')",
    );
    const { openStore } = await import("../../src/adapters/store/index.js");
    await expect(openStore(url)).rejects.toMatchObject({
      code: "STORE_SCHEMA_NEWER",
      message: expect.stringMatching(/version 999/),
    });
  });

  it("creates, reads, updates and deletes an organization with optimistic concurrency", async () => {
    const { store } = await h.fresh();
    const created = await store.createOrganization(ADMIN, "acme", { description: "first" });
    expect(created).toMatchObject({
      metadata: { name: "acme", resourceVersion: "1", createdBy: "root", updatedBy: "root" },
      spec: { description: "first" },
      revision: 1,
    });
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(await store.getOrganization("acme")).toEqual(created);
    expect(await codeOf(store.createOrganization(ADMIN, "acme", {}))).toBe("STORE_ALREADY_EXISTS");

    const updated = await store.updateOrganization(
      ALICE,
      "acme",
      { description: "second" },
      { resourceVersion: "1" },
    );
    expect(updated.metadata.resourceVersion).toBe("2");
    expect(updated.metadata.updatedBy).toBe("alice");
    expect(updated.metadata.creationTimestamp).toBe(created.metadata.creationTimestamp);
    expect(updated.metadata.updatedAt > created.metadata.updatedAt).toBe(true);
    await expect(
      store.updateOrganization(ALICE, "acme", { description: "stale" }, { resourceVersion: "1" }),
    ).rejects.toMatchObject({
      code: "STORE_CONFLICT",
      message: expect.stringMatching(/resourceVersion is 2\b/),
    });
    expect(await codeOf(store.deleteOrganization(ALICE, "acme", { resourceVersion: "1" }))).toBe(
      "STORE_CONFLICT",
    );
    expect(
      await codeOf(store.updateOrganization(ALICE, "nope", {}, { resourceVersion: "1" })),
    ).toBe("STORE_NOT_FOUND");
    expect(await codeOf(store.getOrganization("nope"))).toBe("STORE_NOT_FOUND");

    await store.deleteOrganization(ALICE, "acme", {
      resourceVersion: updated.metadata.resourceVersion,
    });
    expect(await codeOf(store.getOrganization("acme"))).toBe("STORE_NOT_FOUND");
    expect(await codeOf(store.deleteOrganization(ALICE, "acme", { resourceVersion: "2" }))).toBe(
      "STORE_NOT_FOUND",
    );
  });

  it("lists organizations by name, limited to `only`", async () => {
    const { store } = await h.fresh();
    for (const name of ["b", "c", "a"]) await store.createOrganization(ADMIN, name, {});
    const all = await store.listOrganizations(FIRST_PAGE);
    expect(all.items.map((o) => o.metadata.name)).toEqual(["a", "b", "c"]);
    expect(all.next).toBeUndefined();
    const some = await store.listOrganizations(FIRST_PAGE, ["c", "a", "zz"]);
    expect(some.items.map((o) => o.metadata.name)).toEqual(["a", "c"]);
    expect((await store.listOrganizations(FIRST_PAGE, [])).items).toEqual([]);
    const first = await store.listOrganizations({ limit: 2, after: undefined });
    expect([first.items.map((o) => o.metadata.name), first.next]).toEqual([["a", "b"], "b"]);
    const second = await store.listOrganizations({ limit: 2, after: first.next });
    expect([second.items.map((o) => o.metadata.name), second.next]).toEqual([["c"], undefined]);
  });

  it("manages workspaces; one with policies scoped to it cannot be deleted", async () => {
    const { store } = await h.fresh();
    await withOrg(store);
    expect(await codeOf(store.createWorkspace(ALICE, "acme", "payments", {}))).toBe(
      "STORE_ALREADY_EXISTS",
    );
    expect(await codeOf(store.createWorkspace(ALICE, "nope", "x", {}))).toBe("STORE_NOT_FOUND");
    const ws = await store.getWorkspace("acme", "payments");
    const updated = await store.updateWorkspace(
      ALICE,
      "acme",
      "payments",
      { description: "money" },
      {
        resourceVersion: ws.metadata.resourceVersion,
      },
    );
    expect(updated.spec).toEqual({ description: "money" });
    expect(Number(updated.metadata.resourceVersion)).toBeGreaterThan(
      Number(ws.metadata.resourceVersion),
    );
    expect(
      await codeOf(
        store.updateWorkspace(
          ALICE,
          "acme",
          "payments",
          {},
          { resourceVersion: ws.metadata.resourceVersion },
        ),
      ),
    ).toBe("STORE_CONFLICT");
    const listed = await store.listWorkspaces("acme", FIRST_PAGE, ["search"]);
    expect(listed.items.map((w) => w.metadata.name)).toEqual(["search"]);

    await store.createPolicy(ALICE, "acme", policyDocument("pay-1"), {
      kind: "workspace",
      workspace: "payments",
    });
    await store.createPolicy(ALICE, "acme", policyDocument("pay-2"), {
      kind: "workspace",
      workspace: "payments",
    });
    await expect(
      store.deleteWorkspace(ALICE, "acme", "payments", {
        resourceVersion: updated.metadata.resourceVersion,
      }),
    ).rejects.toMatchObject({
      code: "STORE_CONFLICT",
      message: expect.stringMatching(/"pay-1", "pay-2"/),
    });

    await store.attach(ALICE, "acme", "search", "prod", "web");
    const search = await store.getWorkspace("acme", "search");
    await store.deleteWorkspace(ALICE, "acme", "search", {
      resourceVersion: search.metadata.resourceVersion,
    });
    expect(await codeOf(store.getWorkspace("acme", "search"))).toBe("STORE_NOT_FOUND");
    expect(await store.listAttachments("acme", {})).toEqual([]);
  });

  it("attaches a namespace to at most one workspace", async () => {
    const { store } = await h.fresh();
    await withOrg(store);
    const attached = await store.attach(ALICE, "acme", "payments", "prod", "billing");
    expect(attached).toMatchObject({
      workspace: "payments",
      cluster: "prod",
      namespace: "billing",
      attachedBy: "alice",
    });
    expect(await store.attach(ALICE, "acme", "payments", "prod", "billing")).toEqual(attached);
    await expect(store.attach(ALICE, "acme", "search", "prod", "billing")).rejects.toMatchObject({
      code: "STORE_ATTACHED",
      message: expect.not.stringMatching(/payments/),
    });
    await store.attach(ALICE, "acme", "search", "dev", "billing");
    expect(await codeOf(store.attach(ALICE, "acme", "nope", "prod", "x"))).toBe("STORE_NOT_FOUND");
    expect(await codeOf(store.attach(ALICE, "acme", "payments", "nope", "x"))).toBe(
      "STORE_NOT_FOUND",
    );
    expect(
      (await store.listAttachments("acme", { workspace: "search" })).map((a) => a.cluster),
    ).toEqual(["dev"]);
    expect(
      (await store.listAttachments("acme", { cluster: "prod" })).map((a) => a.workspace),
    ).toEqual(["payments"]);
    expect(await codeOf(store.detach(ALICE, "acme", "search", "prod", "billing"))).toBe(
      "STORE_NOT_FOUND",
    );
    await store.detach(ALICE, "acme", "payments", "prod", "billing");
    await store.attach(ALICE, "acme", "search", "prod", "billing");
    expect(
      (await store.listAttachments("acme", { cluster: "prod" })).map((a) => a.workspace),
    ).toEqual(["search"]);
  });

  it("keeps cluster status apart from changes, and replaces reported namespaces only when they differ", async () => {
    const { store } = await h.fresh();
    await withOrg(store);
    const before = (await store.revisions()).get("acme");
    await store.updateClusterStatus("acme", "prod", {
      lastSeen: "2026-01-01T00:00:00.000Z",
      agentVersion: "0.1.0",
    });
    await store.updateClusterStatus("acme", "prod", { appliedRevision: "7" });
    expect((await store.getCluster("acme", "prod")).status).toEqual({
      lastSeen: "2026-01-01T00:00:00.000Z",
      agentVersion: "0.1.0",
      appliedRevision: "7",
    });
    expect(await codeOf(store.updateClusterStatus("acme", "nope", { agentVersion: "x" }))).toBe(
      "STORE_NOT_FOUND",
    );
    expect((await store.revisions()).get("acme")).toBe(before);

    type Reported = { name: string; labels: Record<string, string> };
    const report: Reported[] = [
      { name: "web", labels: { team: "search", tier: "front" } },
      { name: "db", labels: {} },
    ];
    expect(await store.replaceNamespaces(ADMIN, "acme", "prod", report)).toBe(true);
    const reordered: Reported[] = [
      { name: "db", labels: {} },
      { name: "web", labels: { tier: "front", team: "search" } },
    ];
    expect(await store.replaceNamespaces(ADMIN, "acme", "prod", reordered)).toBe(false);
    expect((await store.revisions()).get("acme")).toBe((before ?? 0) + 1);
    expect(await store.listNamespaces("acme", "prod")).toEqual([
      { organization: "acme", cluster: "prod", name: "db", labels: {} },
      {
        organization: "acme",
        cluster: "prod",
        name: "web",
        labels: { team: "search", tier: "front" },
      },
    ]);
    expect(await store.replaceNamespaces(ADMIN, "acme", "prod", [{ name: "db", labels: {} }])).toBe(
      true,
    );
    const audit = (await store.listAudit("acme", { limit: 1, after: undefined })).items[0];
    expect(audit).toMatchObject({
      action: "report",
      kind: "ClusterNamespaces",
      name: "prod",
      before: { cluster: "prod", namespaces: [{ name: "db" }, { name: "web" }] },
      after: { cluster: "prod", namespaces: [{ name: "db", labels: {} }] },
    });
    expect(await codeOf(store.replaceNamespaces(ADMIN, "acme", "nope", []))).toBe(
      "STORE_NOT_FOUND",
    );
  });

  it("deleting a cluster drops its namespaces and attachments and revokes its agent tokens", async () => {
    const { store } = await h.fresh();
    await withOrg(store);
    await store.replaceNamespaces(ADMIN, "acme", "prod", [{ name: "web", labels: {} }]);
    await store.attach(ALICE, "acme", "payments", "prod", "web");
    await store.createToken(
      ALICE,
      token("agent1", "acme", { role: "cluster-agent", cluster: "prod" }),
    );
    const cluster = await store.getCluster("acme", "prod");
    expect(await codeOf(store.deleteCluster(ALICE, "acme", "prod", { resourceVersion: "0" }))).toBe(
      "STORE_CONFLICT",
    );
    await store.deleteCluster(ALICE, "acme", "prod", {
      resourceVersion: cluster.metadata.resourceVersion,
    });
    expect(await store.listNamespaces("acme")).toEqual([]);
    expect(await store.listAttachments("acme", {})).toEqual([]);
    expect((await store.findToken("agent1"))?.revokedAt).toBeDefined();
    expect(
      (await store.listClusters("acme", FIRST_PAGE)).items.map((c) => c.metadata.name),
    ).toEqual(["dev"]);
  });
});

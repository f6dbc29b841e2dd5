import { describe, expect, it } from "vitest";
import type { FleetStore } from "../../src/core/fleet/store.js";
import {
  ADMIN,
  ALICE,
  codeOf,
  DIALECTS,
  FIRST_PAGE,
  policyDocument,
  token,
  useHarness,
  violation,
  withOrg,
} from "./harness.js";

describe.each(DIALECTS)("fleet store on %s: policies, audit, tokens, cascades", (dialect) => {
  const h = useHarness(dialect);

  it("stores policies with their scope and filters them as a workspace role sees them", async () => {
    const { store } = await h.fresh();
    await withOrg(store);
    await store.attach(ALICE, "acme", "payments", "prod", "billing");
    const scopes = {
      "org-wide": { kind: "organization" },
      "pay-ws": { kind: "workspace", workspace: "payments" },
      "search-ws": { kind: "workspace", workspace: "search" },
      "billing-prod": { kind: "namespace", cluster: "prod", namespace: "billing" },
      "billing-any": { kind: "namespace", namespace: "billing" },
      "billing-dev": { kind: "namespace", cluster: "dev", namespace: "billing" },
    } as const;
    for (const [name, scope] of Object.entries(scopes)) {
      await store.createPolicy(ALICE, "acme", policyDocument(name), scope);
    }
    const names = async (filter: Parameters<FleetStore["listPolicies"]>[2]) =>
      (await store.listPolicies("acme", FIRST_PAGE, filter)).items.map((p) => p.metadata.name);
    expect(await names({ scope: "namespace" })).toEqual([
      "billing-any",
      "billing-dev",
      "billing-prod",
    ]);
    expect(await names({ workspace: "payments" })).toEqual([
      "billing-any",
      "billing-prod",
      "pay-ws",
    ]);
    expect(await names({ workspaces: ["search", "payments"], scope: "workspace" })).toEqual([
      "pay-ws",
      "search-ws",
    ]);
    expect(await names({ workspaces: [] })).toEqual([]);
    expect((await store.allPolicies("acme")).length).toBe(6);

    const got = await store.getPolicy("acme", "billing-prod");
    expect(got.scope).toEqual(scopes["billing-prod"]);
    expect(got.document).toEqual(policyDocument("billing-prod"));
    expect(
      await codeOf(
        store.createPolicy(ALICE, "acme", policyDocument("org-wide"), { kind: "organization" }),
      ),
    ).toBe("STORE_ALREADY_EXISTS");
    await expect(
      store.createPolicy(ALICE, "acme", policyDocument("x"), {
        kind: "workspace",
        workspace: "nope",
      }),
    ).rejects.toMatchObject({ code: "STORE_NOT_FOUND", path: "spec.workspace" });

    const changed = policyDocument("billing-prod", { rules: [] });
    const pre = { resourceVersion: got.metadata.resourceVersion };
    const updated = await store.updatePolicy(ALICE, "acme", changed, { kind: "organization" }, pre);
    expect([updated.document, updated.scope]).toEqual([changed, { kind: "organization" }]);
    expect(
      await codeOf(store.updatePolicy(ALICE, "acme", changed, { kind: "organization" }, pre)),
    ).toBe("STORE_CONFLICT");
    expect(
      await codeOf(
        store.updatePolicy(ALICE, "acme", policyDocument("zz"), { kind: "organization" }, pre),
      ),
    ).toBe("STORE_NOT_FOUND");
    expect(await codeOf(store.deletePolicy(ALICE, "acme", "billing-prod", pre))).toBe(
      "STORE_CONFLICT",
    );
    await store.deletePolicy(ALICE, "acme", "billing-prod", {
      resourceVersion: updated.metadata.resourceVersion,
    });
    expect(await codeOf(store.getPolicy("acme", "billing-prod"))).toBe("STORE_NOT_FOUND");
  });

  it("audits every change with whole before/after objects and bumps the revision once per change", async () => {
    const { store } = await h.fresh();
    await withOrg(store);
    const p = await store.createPolicy(ALICE, "acme", policyDocument("p"), {
      kind: "workspace",
      workspace: "payments",
    });
    const revision = (await store.revisions()).get("acme") ?? 0;
    const u = await store.updatePolicy(ALICE, "acme", policyDocument("p", { rules: [] }), p.scope, {
      resourceVersion: p.metadata.resourceVersion,
    });
    expect((await store.revisions()).get("acme")).toBe(revision + 1);
    expect(u.metadata.resourceVersion).toBe(String(revision + 1));
    const [entry] = (await store.listAudit("acme", { limit: 1, after: undefined })).items;
    expect(entry).toMatchObject({
      actor: { token: "alice", role: "organization-admin" },
      action: "update",
      kind: "ImagePolicy",
      name: "p",
      organization: "acme",
      workspace: "payments",
    });
    expect(entry?.before).toEqual(p);
    expect(entry?.after).toEqual(u);
    // Changes that are not people's: no audit entry, no revision.
    await store.updateClusterStatus("acme", "prod", { lastSeen: "2026-01-02T00:00:00.000Z" });
    await store.addViolations([]);
    await store.attach(ALICE, "acme", "payments", "prod", "a");
    await store.attach(ALICE, "acme", "payments", "prod", "a");
    expect((await store.revisions()).get("acme")).toBe(revision + 2);
    const kinds = (await store.listAudit("acme", FIRST_PAGE)).items.map(
      (e) => `${e.action} ${e.kind}`,
    );
    expect(kinds).toEqual([
      "attach NamespaceAttachment",
      "update ImagePolicy",
      "create ImagePolicy",
      "create Cluster",
      "create Cluster",
      "create Workspace",
      "create Workspace",
      "create Organization",
    ]);
  });

  it("keeps tokens as hashes, never audits secrets, frees a revoked token's name", async () => {
    const { store } = await h.fresh();
    expect(await store.isEmpty()).toBe(true);
    await store.createToken(ADMIN, token("root", undefined, { role: "admin", name: "root" }));
    expect(await store.isEmpty()).toBe(false);
    expect(
      await codeOf(store.createToken(ADMIN, token("root2", undefined, { name: "root" }))),
    ).toBe("STORE_ALREADY_EXISTS");
    await withOrg(store);
    const t = token("t1", "acme", { role: "workspace-admin", workspaces: ["payments"] });
    expect(await store.createToken(ALICE, t)).toEqual(t);
    expect(await store.findToken("t1")).toEqual(t);
    expect(await store.findToken("nope")).toBeUndefined();
    expect(await codeOf(store.createToken(ALICE, token("t2", "acme")))).toBe(
      "STORE_ALREADY_EXISTS",
    );
    expect(await codeOf(store.createToken(ALICE, token("t3", "nope")))).toBe("STORE_NOT_FOUND");
    await store.revokeToken(ALICE, "acme", "deploy");
    expect((await store.findToken("t1"))?.revokedAt).toMatch(/^2026-01-01T00:00:\d\d\.000Z$/);
    expect(await codeOf(store.revokeToken(ALICE, "acme", "deploy"))).toBe("STORE_NOT_FOUND");
    await store.createToken(ALICE, token("t4", "acme"));
    expect((await store.listTokens("acme")).map((x) => [x.id, x.revokedAt === undefined])).toEqual([
      ["t1", false],
      ["t4", true],
    ]);
    const audit = JSON.stringify(await store.listAudit("acme", FIRST_PAGE));
    expect(audit).toContain('"kind":"Token"');
    expect(audit).not.toMatch(/secret|hash-of|"t1"|"t4"/);
  });

  it("deleting an organization deletes everything inside it but keeps its audit trail", async () => {
    const { store } = await h.fresh();
    await withOrg(store);
    await withOrg(store, "other");
    await store.attach(ALICE, "acme", "payments", "prod", "web");
    await store.replaceNamespaces(ADMIN, "acme", "prod", [{ name: "web", labels: {} }]);
    await store.createPolicy(ALICE, "acme", policyDocument("p"), { kind: "organization" });
    await store.createToken(ALICE, token("t1", "acme"));
    await store.addViolations([violation("acme")]);
    const org = await store.getOrganization("acme");
    await store.deleteOrganization(ADMIN, "acme", {
      resourceVersion: org.metadata.resourceVersion,
    });
    expect([...(await store.revisions()).keys()]).toEqual(["other"]);
    expect((await store.listWorkspaces("acme", FIRST_PAGE)).items).toEqual([]);
    expect((await store.listClusters("acme", FIRST_PAGE)).items).toEqual([]);
    expect(await store.allPolicies("acme")).toEqual([]);
    expect(await store.listNamespaces("acme")).toEqual([]);
    expect(await store.findToken("t1")).toBeUndefined();
    expect((await store.listViolations("acme", {}, FIRST_PAGE)).items).toEqual([]);
    expect((await store.listAudit("acme", { limit: 1, after: undefined })).items[0]).toMatchObject({
      action: "delete",
      kind: "Organization",
      before: { metadata: { name: "acme" } },
    });
    expect((await store.listWorkspaces("other", FIRST_PAGE)).items.length).toBe(2);
  });
});

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

type Step = [string, (s: FleetStore) => Promise<unknown>];

const rv = async (read: Promise<{ metadata: { resourceVersion: string } }>) => ({
  resourceVersion: (await read).metadata.resourceVersion,
});

/** Run in order on one organization; each is one change: one audit entry, revision + 1. */
const CHANGES: Step[] = [
  [
    "update organization",
    async (s) =>
      s.updateOrganization(
        ALICE,
        "acme",
        { description: "x" },
        await rv(s.getOrganization("acme")),
      ),
  ],
  ["create workspace", (s) => s.createWorkspace(ALICE, "acme", "tmp", {})],
  [
    "update workspace",
    async (s) =>
      s.updateWorkspace(
        ALICE,
        "acme",
        "tmp",
        { description: "y" },
        await rv(s.getWorkspace("acme", "tmp")),
      ),
  ],
  ["create cluster", (s) => s.createCluster(ALICE, "acme", "stage", {})],
  [
    "report namespaces",
    (s) => s.replaceNamespaces(ADMIN, "acme", "stage", [{ name: "a", labels: {} }]),
  ],
  ["attach", (s) => s.attach(ALICE, "acme", "tmp", "stage", "a")],
  [
    "create policy",
    (s) =>
      s.createPolicy(ALICE, "acme", policyDocument("p"), { kind: "namespace", namespace: "a" }),
  ],
  [
    "update policy",
    async (s) =>
      s.updatePolicy(
        ALICE,
        "acme",
        policyDocument("p", { x: 1 }),
        { kind: "organization" },
        await rv(s.getPolicy("acme", "p")),
      ),
  ],
  [
    "delete policy",
    async (s) => s.deletePolicy(ALICE, "acme", "p", await rv(s.getPolicy("acme", "p"))),
  ],
  ["detach", (s) => s.detach(ALICE, "acme", "tmp", "stage", "a")],
  [
    "delete workspace",
    async (s) => s.deleteWorkspace(ALICE, "acme", "tmp", await rv(s.getWorkspace("acme", "tmp"))),
  ],
  ["create token", (s) => s.createToken(ALICE, token("t9", "acme"))],
  ["revoke token", (s) => s.revokeToken(ALICE, "acme", "deploy")],
  [
    "delete cluster",
    async (s) => s.deleteCluster(ALICE, "acme", "stage", await rv(s.getCluster("acme", "stage"))),
  ],
];

/** Neither audited nor bumping: reports, heartbeats, repeats, and every refused change. */
const NOT_CHANGES: Step[] = [
  [
    "cluster status",
    (s) => s.updateClusterStatus("acme", "prod", { lastSeen: "2026-02-01T00:00:00Z" }),
  ],
  ["violations", (s) => s.addViolations([violation("acme")])],
  ["prune", (s) => s.pruneViolations("2030-01-01T00:00:00Z")],
  [
    "same namespaces",
    (s) => s.replaceNamespaces(ADMIN, "acme", "prod", [{ name: "web", labels: {} }]),
  ],
  ["same attachment", (s) => s.attach(ALICE, "acme", "payments", "prod", "web")],
  [
    "stale update",
    (s) => s.updateWorkspace(ALICE, "acme", "payments", {}, { resourceVersion: "1" }),
  ],
  ["duplicate", (s) => s.createCluster(ALICE, "acme", "prod", {})],
  ["attached elsewhere", (s) => s.attach(ALICE, "acme", "search", "prod", "web")],
  [
    "workspace in use",
    async (s) =>
      s.deleteWorkspace(ALICE, "acme", "payments", await rv(s.getWorkspace("acme", "payments"))),
  ],
  [
    "missing policy workspace",
    (s) =>
      s.createPolicy(ALICE, "acme", policyDocument("q"), { kind: "workspace", workspace: "nope" }),
  ],
];

describe.each(DIALECTS)("fleet store on %s: what counts as a change", (dialect) => {
  const h = useHarness(dialect);

  const state = async (store: FleetStore) => ({
    revision: (await store.revisions()).get("acme"),
    audit: (await store.listAudit("acme", FIRST_PAGE)).items.length,
  });

  it.each(
    CHANGES.map((c, i) => [c[0], i] as const),
  )("%s: one audit entry, revision + 1", async (_name, i) => {
    const { store } = await h.fresh();
    await withOrg(store);
    for (const [, step] of CHANGES.slice(0, i)) await step(store);
    const before = await state(store);
    await (CHANGES[i] as Step)[1](store);
    const after = await state(store);
    expect(after).toEqual({ revision: (before.revision ?? 0) + 1, audit: before.audit + 1 });
  });

  it("reports, heartbeats, repeats and refused changes leave revision and audit alone", async () => {
    const { store } = await h.fresh();
    await withOrg(store);
    await store.replaceNamespaces(ADMIN, "acme", "prod", [{ name: "web", labels: {} }]);
    await store.attach(ALICE, "acme", "payments", "prod", "web");
    await store.createPolicy(ALICE, "acme", policyDocument("pay"), {
      kind: "workspace",
      workspace: "payments",
    });
    const before = await state(store);
    const outcomes: string[] = [];
    for (const [name, step] of NOT_CHANGES) outcomes.push(`${name}: ${await codeOf(step(store))}`);
    expect(outcomes).toEqual([
      "cluster status: resolved",
      "violations: resolved",
      "prune: resolved",
      "same namespaces: resolved",
      "same attachment: resolved",
      "stale update: STORE_CONFLICT",
      "duplicate: STORE_ALREADY_EXISTS",
      "attached elsewhere: STORE_ATTACHED",
      "workspace in use: STORE_CONFLICT",
      "missing policy workspace: STORE_NOT_FOUND",
    ]);
    expect(await state(store)).toEqual(before);
    expect(await store.allPolicies("acme")).toHaveLength(1);
  });
});

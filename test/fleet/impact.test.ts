import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { re2Engine } from "../../src/adapters/re2/index.js";
import { createEvaluator, toNamespaceFacts } from "../../src/core/evaluate/index.js";
import {
  computeImpact,
  HIDDEN_POLICY,
  type ImpactChange,
  type ImpactInput,
  type InventoryRow,
} from "../../src/core/fleet/impact.js";
import type { InventoryWorkload } from "../../src/core/fleet/inventory.js";
import type {
  AttachmentRow,
  NamespaceRow,
  PolicyRow,
  ViolationRecord,
} from "../../src/core/fleet/store.js";
import { compileDocs, exceptionDoc, policyDoc, workspaceDoc } from "../support/policies.js";

const NOW = Date.parse("2027-01-10T12:00:00Z");
const META = {
  uid: "u",
  resourceVersion: "1",
  creationTimestamp: "2026-01-01T00:00:00Z",
  updatedAt: "2026-01-01T00:00:00Z",
  createdBy: "t",
  updatedBy: "t",
};

const scopeOf = (spec: Record<string, unknown>): PolicyRow["scope"] =>
  typeof spec.workspace === "string"
    ? { kind: "workspace", workspace: spec.workspace }
    : typeof spec.namespace === "string"
      ? spec.namespace.includes("/")
        ? {
            kind: "namespace",
            cluster: spec.namespace.split("/")[0] as string,
            namespace: spec.namespace.split("/")[1] as string,
          }
        : { kind: "namespace", namespace: spec.namespace }
      : { kind: "organization" };

function row(doc: Record<string, unknown>): PolicyRow {
  const name = (doc.metadata as { name: string }).name;
  return {
    organization: "o",
    metadata: { ...META, name },
    document: doc,
    scope: scopeOf(doc.spec as Record<string, unknown>),
  };
}

const registryOnly = (name: string, host: string, extra: Record<string, unknown> = {}) =>
  policyDoc(name, { recipe: "custom", input: { rules: [{ hostname: host }] }, ...extra });
const noLatest = (name: string, action = "deny", extra: Record<string, unknown> = {}) =>
  policyDoc(name, { recipe: "block-latest-tag", action, ...extra });

function workload(
  namespace: string,
  name: string,
  images: string[],
  kind: InventoryWorkload["kind"] = "Deployment",
): InventoryWorkload {
  return {
    namespace,
    kind,
    name,
    containers: images.map((image, i) => ({ name: `c${i}`, image, type: "container" })),
    results: [],
  };
}

const attach = (workspace: string, cluster: string, namespace: string): AttachmentRow => ({
  organization: "o",
  workspace,
  cluster,
  namespace,
  attachedAt: META.creationTimestamp,
  attachedBy: "t",
});
const ns = (cluster: string, name: string, labels: Record<string, string> = {}): NamespaceRow => ({
  organization: "o",
  cluster,
  name,
  labels,
});

function impact(over: Partial<ImpactInput>) {
  return computeImpact({
    rows: [],
    attachments: [],
    namespaces: [],
    changes: [],
    inventory: [],
    admissions: [],
    regex: re2Engine,
    now: NOW,
    ...over,
  });
}

const create = (doc: Record<string, unknown>): ImpactChange => ({
  op: "create",
  kind: doc.kind as ImpactChange["kind"],
  name: (doc.metadata as { name: string }).name,
  document: doc,
});

const INVENTORY: InventoryRow[] = [
  { cluster: "c1", workload: workload("web", "shop", ["registry.corp/shop:1"]) },
  { cluster: "c1", workload: workload("web", "cache", ["docker.io/library/redis:latest"]) },
  { cluster: "c2", workload: workload("web", "cache", ["docker.io/library/redis:7"]) },
  { cluster: "c2", workload: workload("ops", "tool", ["quay.io/x/tool:1"], "CronJob") },
];

describe("computeImpact: the buckets", () => {
  it.each([
    {
      what: "a new registry allowlist denies what comes from elsewhere",
      rows: [],
      change: create(registryOnly("corp", "registry.corp")),
      wouldDeny: ["c1/web/cache", "c2/ops/tool", "c2/web/cache"],
      wouldAllow: [],
      alreadyDenied: [],
    },
    {
      what: "deleting the allowlist allows what it denied",
      rows: [registryOnly("corp", "registry.corp")],
      change: { op: "delete", kind: "ImagePolicy", name: "corp" } as ImpactChange,
      wouldDeny: [],
      wouldAllow: ["c1/web/cache", "c2/ops/tool", "c2/web/cache"],
      alreadyDenied: [],
    },
    {
      what: "a second policy over a denied workload leaves it denied",
      rows: [noLatest("no-latest")],
      change: create(registryOnly("corp", "registry.corp")),
      wouldDeny: ["c2/ops/tool", "c2/web/cache"],
      wouldAllow: [],
      alreadyDenied: ["c1/web/cache"],
    },
    {
      what: "a namespace-scoped policy in one cluster touches only it",
      rows: [],
      change: create(registryOnly("corp-web-c2", "registry.corp", { namespace: "c2/web" })),
      wouldDeny: ["c2/web/cache"],
      wouldAllow: [],
      alreadyDenied: [],
    },
    {
      what: "an exception allows what it names",
      rows: [registryOnly("corp", "registry.corp")],
      change: create(
        exceptionDoc("redis-ok", {
          policies: ["corp"],
          images: ["docker.io/library/redis:*"],
          reason: "cache",
          owner: "ops@example.com",
          expires: "2027-01-31",
        }),
      ),
      wouldDeny: [],
      wouldAllow: ["c1/web/cache", "c2/web/cache"],
      alreadyDenied: ["c2/ops/tool"],
    },
  ])("$what", ({ rows, change, wouldDeny, wouldAllow, alreadyDenied }) => {
    const r = impact({ rows: rows.map(row), changes: [change], inventory: INVENTORY });
    const names = (b: {
      groups: readonly { cluster: string; namespace: string; owner: { name: string } }[];
    }) => b.groups.map((g) => `${g.cluster}/${g.namespace}/${g.owner.name}`);
    expect(names(r.inventory.wouldDeny)).toEqual(wouldDeny);
    expect(names(r.inventory.wouldAllow)).toEqual(wouldAllow);
    expect(names(r.inventory.alreadyDenied)).toEqual(alreadyDenied);
    expect(r.inventory.wouldDeny.workloads).toBe(wouldDeny.length);
    expect(r.inventory.evaluated).toBe(INVENTORY.length);
  });

  it("a warn policy fills wouldWarn, never wouldDeny", () => {
    const r = impact({ changes: [create(noLatest("nl", "warn"))], inventory: INVENTORY });
    expect(r.inventory.wouldDeny.workloads).toBe(0);
    expect(r.inventory.wouldWarn.groups.map((g) => g.owner.name)).toEqual(["cache"]);
    expect(r.inventory.wouldWarn.groups[0]?.policies).toEqual(["nl"]);
  });

  it("groups carry images, policies, codes and count clusters", () => {
    const r = impact({
      changes: [create(registryOnly("corp", "registry.corp"))],
      inventory: INVENTORY,
    });
    expect(r.inventory.wouldDeny.clusters).toBe(2);
    expect(r.inventory.wouldDeny.groups[0]).toEqual({
      cluster: "c1",
      namespace: "web",
      owner: { kind: "Deployment", name: "cache" },
      images: ["docker.io/library/redis:latest"],
      policies: ["corp"],
      codes: ["IMAGE_NOT_ALLOWED"],
    });
  });

  it("caps the groups and says so", () => {
    const many = Array.from({ length: 30 }, (_, i) => ({
      cluster: "c1",
      workload: workload("web", `w${i}`, ["docker.io/x:1"]),
    }));
    const r = impact({
      changes: [create(registryOnly("corp", "registry.corp"))],
      inventory: many,
      maxGroups: 10,
    });
    expect(r.inventory.wouldDeny).toMatchObject({ workloads: 30, truncated: true });
    expect(r.inventory.wouldDeny.groups).toHaveLength(10);
  });

  it("applies label selectors with the namespace's reported labels", () => {
    const change = create(
      registryOnly("corp-prod", "registry.corp", {
        namespaceSelector: { matchLabels: { tier: "prod" } },
      }),
    );
    const r = impact({
      changes: [change],
      inventory: INVENTORY,
      namespaces: [ns("c1", "web", { tier: "prod" }), ns("c2", "web", { tier: "dev" })],
    });
    expect(r.inventory.wouldDeny.groups.map((g) => `${g.cluster}/${g.owner.name}`)).toEqual([
      "c1/cache",
    ]);
  });

  it("scopes workspace policies by the cluster's attachments, as the bundle does", () => {
    const change = create(registryOnly("team", "registry.corp", { workspace: "team-a" }));
    const r = impact({
      changes: [change],
      inventory: INVENTORY,
      attachments: [attach("team-a", "c2", "ops")],
    });
    expect(r.inventory.wouldDeny.groups.map((g) => `${g.cluster}/${g.owner.name}`)).toEqual([
      "c2/tool",
    ]);
  });

  it("leaves out what the caller cannot see and hides policy names it cannot see", () => {
    const r = impact({
      rows: [row(noLatest("secret-policy"))],
      changes: [create(registryOnly("corp", "registry.corp"))],
      inventory: INVENTORY,
      canSee: (cluster) => cluster === "c1",
      canSeePolicy: (name) => name !== "secret-policy",
    });
    expect(r.inventory.evaluated).toBe(2);
    expect(r.inventory.alreadyDenied.groups[0]?.policies).toEqual(["corp", HIDDEN_POLICY].sort());
    expect(JSON.stringify(r)).not.toContain("secret-policy");
    expect(JSON.stringify(r)).not.toContain("c2");
  });

  it("re-decides the admissions of the window, one row per workload with its record count", () => {
    const record = (name: string, image: string): ViolationRecord => ({
      organization: "o",
      cluster: "c1",
      time: "2027-01-09T00:00:00Z",
      source: "admission",
      namespace: "web",
      kind: "Deployment",
      name,
      container: "app",
      image,
      policy: "no-latest",
      action: "warn",
      code: "IMAGE_TAG_LATEST",
      message: "m",
    });
    const r = impact({
      changes: [create(noLatest("nl"))],
      admissions: [
        record("a", "x:latest"),
        { ...record("a", "x:latest"), count: 3 },
        // A retried ReplicaSet's event names its owner Deployment: one workload with "a".
        {
          ...record("a-7d9f", "x:latest"),
          kind: "ReplicaSet",
          ownerKind: "Deployment",
          ownerName: "a",
        },
        record("b", "registry.corp/y:1"),
      ],
    });
    expect(r.admissions.evaluated).toBe(2);
    expect(r.admissions.wouldDeny.groups).toEqual([
      expect.objectContaining({ owner: { kind: "Deployment", name: "a" }, records: 5 }),
    ]);
  });

  it("notes stored documents that do not validate and leaves them out", () => {
    const broken: PolicyRow = { ...row(noLatest("broken")), document: { kind: "ImagePolicy" } };
    const r = impact({ rows: [broken], changes: [create(noLatest("nl"))], inventory: INVENTORY });
    expect(r.notEvaluated).toEqual(["ImagePolicy broken does not validate and was left out"]);
    expect(r.inventory.wouldDeny.workloads).toBe(1);
  });
});

// Property tests over random fleets: 3 clusters, 3 namespaces, images from a small pool.
const IMAGES = [
  "registry.corp/a:1",
  "registry.corp/b:latest",
  "docker.io/x:1",
  "quay.io/y:latest",
  "nginx",
];
const POLICIES = [
  registryOnly("corp", "registry.corp"),
  registryOnly("quay", "quay.io", { action: "warn" }),
  noLatest("nl"),
  noLatest("nl-web", "deny", { namespace: "web" }),
  noLatest("nl-c2", "deny", { namespace: "c2/ops" }),
  registryOnly("tier", "registry.corp", { namespaceSelector: { matchLabels: { tier: "prod" } } }),
  noLatest("ws1", "deny", { workspace: "w1" }),
];
const ATTACHMENTS = [
  attach("w1", "c1", "web"),
  attach("w1", "c2", "db"),
  attach("w2", "c3", "web"),
];
const fleet = fc.record({
  rows: fc.subarray(POLICIES),
  attachments: fc.subarray(ATTACHMENTS),
  inventory: fc.array(
    fc.record({
      cluster: fc.constantFrom("c1", "c2", "c3"),
      workload: fc.record({
        namespace: fc.constantFrom("web", "ops", "db"),
        kind: fc.constant("Deployment" as const),
        name: fc.constantFrom("a", "b", "c", "d"),
        containers: fc.array(
          fc.record({
            name: fc.constantFrom("app", "side"),
            image: fc.constantFrom(...IMAGES),
            type: fc.constant("container" as const),
          }),
          { minLength: 1, maxLength: 3 },
        ),
        results: fc.constant([]),
      }),
    }),
    { maxLength: 25 },
  ),
});
const NAMESPACES = [ns("c1", "web", { tier: "prod" }), ns("c2", "ops", { tier: "prod" })];

/** The verdict of one workload when its cluster's policies are decided directly. */
function verdictOf(
  docs: Record<string, unknown>[],
  r: InventoryRow,
  attachments: readonly AttachmentRow[] = [],
) {
  const concerned = docs.filter((d) => {
    const n = (d.spec as { namespace?: string }).namespace;
    return n === undefined || !n.includes("/") || n.startsWith(`${r.cluster}/`);
  });
  // The cluster's Workspace documents list its own attached namespaces, as its bundle does.
  const workspaces = ["w1", "w2"].flatMap((w) => {
    const refs = attachments
      .filter((a) => a.workspace === w && a.cluster === r.cluster)
      .map((a) => `${a.cluster}/${a.namespace}`);
    return refs.length === 0 ? [] : [workspaceDoc(w, refs)];
  });
  const evaluator = createEvaluator(compileDocs(...concerned, ...workspaces));
  const labels = NAMESPACES.find((n) => n.cluster === r.cluster && n.name === r.workload.namespace);
  return evaluator.evaluate(
    toNamespaceFacts(r.workload.namespace, labels?.labels ?? {}, r.cluster),
    r.workload.containers.map((c) => ({
      container: c.name,
      containerType: "containers",
      image: c.image,
    })),
  ).verdict;
}

describe("computeImpact: properties", () => {
  it("deleting a policy never adds denials", () => {
    fc.assert(
      fc.property(fleet, fc.nat(), ({ rows, inventory }, pick) => {
        fc.pre(rows.length > 0);
        const victim = rows[pick % rows.length] as Record<string, unknown>;
        const name = (victim.metadata as { name: string }).name;
        const r = impact({
          rows: rows.map(row),
          namespaces: NAMESPACES,
          inventory,
          changes: [{ op: "delete", kind: "ImagePolicy", name }],
        });
        expect(r.inventory.wouldDeny.workloads).toBe(0);
        expect(r.inventory.wouldWarn.workloads).toBe(0);
      }),
      { numRuns: 60 },
    );
  });

  it("creating a policy that matches nothing changes nothing", () => {
    fc.assert(
      fc.property(fleet, ({ rows, inventory }) => {
        const nowhere = registryOnly("nowhere", "registry.corp", { namespace: "c9/none" });
        const r = impact({
          rows: rows.map(row),
          namespaces: NAMESPACES,
          inventory,
          changes: [create(nowhere)],
        });
        for (const b of [r.inventory.wouldDeny, r.inventory.wouldWarn, r.inventory.wouldAllow]) {
          expect(b.workloads).toBe(0);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("every bucket agrees with deciding each workload directly before and after", () => {
    fc.assert(
      fc.property(
        fleet,
        fc.constantFrom(...POLICIES),
        ({ rows, inventory, attachments }, added) => {
          const name = (added.metadata as { name: string }).name;
          const before = rows;
          const after = [
            ...rows.filter((d) => (d.metadata as { name: string }).name !== name),
            added,
          ];
          const r = impact({
            rows: before.map(row),
            namespaces: NAMESPACES,
            attachments,
            inventory,
            changes: [{ ...create(added), op: rows.includes(added) ? "update" : "create" }],
          });
          let deny = 0;
          let already = 0;
          let allow = 0;
          for (const w of inventory) {
            const was = verdictOf(before, w, attachments);
            const will = verdictOf(after, w, attachments);
            if (will === "deny" && was === "deny") already++;
            else if (will === "deny") deny++;
            else if (was === "deny") allow++;
          }
          expect(r.inventory.wouldDeny.workloads).toBe(deny);
          expect(r.inventory.alreadyDenied.workloads).toBe(already);
          expect(r.inventory.wouldAllow.workloads).toBe(allow);
        },
      ),
      { numRuns: 60 },
    );
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  canAdministerOrganization,
  canAttachNamespace,
  canChangeWorkspace,
  canReclaimNamespace,
  canSeeNamespace,
  canSeeOrganization,
  canSeePolicy,
  canSeeWorkspace,
  canWritePolicy,
  isSystemNamespace,
  type NamespaceClaim,
  type Principal,
  visibleWorkspaces,
  workspaceFilter,
} from "../../src/core/fleet/authorize.js";
import type { AttachmentRow, PolicyRow, Role } from "../../src/core/fleet/store.js";

const who = (
  role: Role,
  organization: string | undefined,
  workspaces: string[] = [],
): Principal => ({
  token: role,
  role,
  organization,
  workspaces,
  cluster: role === "cluster-agent" ? "c1" : undefined,
});

const attach = (workspace: string, cluster: string, namespace: string): AttachmentRow => ({
  organization: "o",
  workspace,
  cluster,
  namespace,
  attachedAt: "",
  attachedBy: "",
});

const attachments = [
  attach("w1", "c1", "web"),
  attach("w2", "c1", "api"),
  attach("w2", "c2", "web"),
];

const ADMIN = who("admin", undefined);
const ORG_ADMIN = who("organization-admin", "o");
const WS_ADMIN = who("workspace-admin", "o", ["w1"]);
const VIEWER = who("viewer", "o");
const WS_VIEWER = who("viewer", "o", ["w1"]);
const AGENT = who("cluster-agent", "o");
const OTHER_ORG_ADMIN = who("organization-admin", "p");

const ORG: PolicyRow["scope"] = { kind: "organization" };
const W1: PolicyRow["scope"] = { kind: "workspace", workspace: "w1" };
const W2: PolicyRow["scope"] = { kind: "workspace", workspace: "w2" };
const NS_W1: PolicyRow["scope"] = { kind: "namespace", cluster: "c1", namespace: "web" };
const NS_W2: PolicyRow["scope"] = { kind: "namespace", cluster: "c1", namespace: "api" };
const NS_BARE: PolicyRow["scope"] = { kind: "namespace", namespace: "web" };

describe("the role matrix (docs/control-plane.md, Authorization)", () => {
  it.each([
    // name, principal, sees org, administers org, sees w1, sees w2, changes w1
    ["admin", ADMIN, true, true, true, true, true],
    ["organization-admin", ORG_ADMIN, true, true, true, true, true],
    ["workspace-admin of w1", WS_ADMIN, true, false, true, false, true],
    ["viewer", VIEWER, true, false, true, true, false],
    ["viewer of w1", WS_VIEWER, true, false, true, false, false],
    ["cluster-agent", AGENT, false, false, false, false, false],
    ["admin of another organization", OTHER_ORG_ADMIN, false, false, false, false, false],
  ])("%s", (_name, p, seesOrg, adminOrg, seesW1, seesW2, changesW1) => {
    expect(canSeeOrganization(p, "o")).toBe(seesOrg);
    expect(canAdministerOrganization(p, "o")).toBe(adminOrg);
    expect(canSeeWorkspace(p, "o", "w1")).toBe(seesW1);
    expect(canSeeWorkspace(p, "o", "w2")).toBe(seesW2);
    expect(canChangeWorkspace(p, "o", "w1")).toBe(changesW1);
  });

  it.each([
    // name, principal, scope, sees, writes
    ["org admin, org-wide", ORG_ADMIN, ORG, true, true],
    ["org admin, bare namespace", ORG_ADMIN, NS_BARE, true, true],
    ["workspace admin, org-wide", WS_ADMIN, ORG, true, false],
    ["workspace admin, its workspace", WS_ADMIN, W1, true, true],
    ["workspace admin, other workspace", WS_ADMIN, W2, false, false],
    ["workspace admin, its namespace", WS_ADMIN, NS_W1, true, true],
    ["workspace admin, other namespace", WS_ADMIN, NS_W2, false, false],
    ["workspace admin, bare name (reaches w2 too)", WS_ADMIN, NS_BARE, true, false],
    ["viewer, other workspace", VIEWER, W2, true, false],
    ["viewer of w1, other workspace", WS_VIEWER, W2, false, false],
    ["agent, org-wide", AGENT, ORG, false, false],
    ["another organization's admin", OTHER_ORG_ADMIN, ORG, false, false],
  ])("policies: %s", (_name, p, scope, sees, writes) => {
    expect(canSeePolicy(p, "o", scope, attachments)).toBe(sees);
    expect(canWritePolicy(p, "o", scope, attachments)).toBe(writes);
  });

  it("workspace filters for insights and audit", () => {
    expect(workspaceFilter(ORG_ADMIN, "o")).toBeUndefined();
    expect(workspaceFilter(WS_ADMIN, "o")).toEqual(["w1"]);
    expect(visibleWorkspaces(AGENT, "o")).toEqual([]);
  });
});

describe("a workspace admin of W never sees an object of another workspace (property)", () => {
  const workspace = fc.constantFrom<string>("w1", "w2", "w3", "w4");
  const scope = fc.oneof(
    fc.constant<PolicyRow["scope"]>({ kind: "organization" }),
    workspace.map((w): PolicyRow["scope"] => ({ kind: "workspace", workspace: w })),
    fc
      .record({
        namespace: fc.constantFrom("a", "b", "c"),
        cluster: fc.option(fc.constantFrom("c1", "c2"), { nil: undefined }),
      })
      .map(({ namespace, cluster }): PolicyRow["scope"] =>
        cluster === undefined
          ? { kind: "namespace", namespace }
          : { kind: "namespace", namespace, cluster },
      ),
  );
  const attachmentsArb = fc
    .uniqueArray(
      fc.record({
        cluster: fc.constantFrom("c1", "c2"),
        namespace: fc.constantFrom("a", "b", "c"),
        workspace,
      }),
      { selector: (a) => `${a.cluster}/${a.namespace}` },
    )
    .map((list) => list.map((a) => attach(a.workspace, a.cluster, a.namespace)));

  it("policies, workspaces and namespaces", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(workspace, { minLength: 1, maxLength: 2 }),
        fc.constantFrom<Role>("workspace-admin", "viewer"),
        scope,
        attachmentsArb,
        workspace,
        (mine, role, s, atts, other) => {
          const p = who(role, "o", mine);
          const reach =
            s.kind === "workspace"
              ? [s.workspace]
              : s.kind === "namespace"
                ? atts
                    .filter(
                      (a) =>
                        a.namespace === s.namespace &&
                        (s.cluster === undefined || a.cluster === s.cluster),
                    )
                    .map((a) => a.workspace)
                : [];
          if (canSeePolicy(p, "o", s, atts) && s.kind !== "organization") {
            expect(reach.some((w) => mine.includes(w))).toBe(true);
          }
          if (canWritePolicy(p, "o", s, atts)) {
            expect(reach.length).toBeGreaterThan(0);
            expect(reach.every((w) => mine.includes(w))).toBe(true);
          }
          if (!mine.includes(other)) {
            expect(canSeeWorkspace(p, "o", other)).toBe(false);
            expect(canChangeWorkspace(p, "o", other)).toBe(false);
            expect(canSeeNamespace(p, "o", [other])).toBe(false);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("namespace ownership", () => {
  const ws1 = who("workspace-admin", "o", ["w1"]);
  const org = who("organization-admin", "o");
  const claim = (namespace: string, label?: string, attachedTo?: string): NamespaceClaim => ({
    namespace,
    labels: label === undefined ? {} : { "customs.dev/workspace": label },
    attachedTo,
  });

  it("knows the system namespaces: a fixed list and every kube- name", () => {
    for (const n of ["kube-system", "kube-public", "kube-node-lease", "customs-system", "kube-x"])
      expect(isSystemNamespace(n)).toBe(true);
    for (const n of ["default", "kubernetes", "customs", "team-kube-system"])
      expect(isSystemNamespace(n)).toBe(false);
  });

  it("lets a workspace admin attach only what is labelled or attached for its workspace", () => {
    expect(canAttachNamespace(ws1, "o", "w1", claim("a", "w1"))).toBe(true);
    expect(canAttachNamespace(ws1, "o", "w1", claim("a", undefined, "w1"))).toBe(true);
    expect(canAttachNamespace(ws1, "o", "w1", claim("a"))).toBe(false);
    expect(canAttachNamespace(ws1, "o", "w1", claim("a", "w2"))).toBe(false);
    expect(
      canAttachNamespace(ws1, "o", "w1", {
        namespace: "a",
        labels: undefined,
        attachedTo: undefined,
      }),
    ).toBe(false);
    expect(canAttachNamespace(ws1, "o", "w1", claim("kube-system", "w1"))).toBe(false);
    expect(canAttachNamespace(ws1, "o", "w2", claim("a", "w2"))).toBe(false);
    expect(canAttachNamespace(org, "o", "w1", claim("kube-system"))).toBe(true);
  });

  it("lets the labelled workspace (or an org admin) reclaim", () => {
    expect(canReclaimNamespace(ws1, "o", "w1", claim("a", "w1", "w2"))).toBe(true);
    expect(canReclaimNamespace(ws1, "o", "w1", claim("a", "w2", "w2"))).toBe(false);
    expect(canReclaimNamespace(ws1, "o", "w1", claim("kube-a", "w1", "w2"))).toBe(false);
    expect(canReclaimNamespace(org, "o", "w1", claim("a", "w2", "w2"))).toBe(true);
    expect(canReclaimNamespace(who("viewer", "o"), "o", "w1", claim("a", "w1", "w2"))).toBe(false);
  });
});

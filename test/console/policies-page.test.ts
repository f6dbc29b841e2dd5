import { describe, expect, it } from "vitest";
import { canChangePolicy, toScopeOfNode } from "../../console/src/lib/permissions.js";
import { toNodeRefOfScope } from "../../console/src/lib/policy-tree.js";
import { parseRoute, type Route, toHash } from "../../console/src/lib/route.js";
import { toSavedWarnings } from "../../console/src/lib/saved.js";

describe("routes of the Policies page", () => {
  it.each<[string, Route]>([
    ["#/policies?view=organization", { page: "policies", node: { kind: "organization" } }],
    [
      "#/policies?workspace=team-a",
      { page: "policies", node: { kind: "workspace", workspace: "team-a" } },
    ],
    [
      "#/policies?workspace=team-a&cluster=dev&namespace=tanzu",
      {
        page: "policies",
        node: { kind: "namespace", workspace: "team-a", cluster: "dev", namespace: "tanzu" },
      },
    ],
    ["#/policies/new?scope=organization", { page: "policy-new", scope: { kind: "organization" } }],
    [
      "#/policies/new?workspace=a%20b",
      { page: "policy-new", scope: { kind: "workspace", workspace: "a b" } },
    ],
    [
      "#/policies/new?cluster=dev&namespace=tanzu",
      { page: "policy-new", scope: { kind: "namespace", cluster: "dev", namespace: "tanzu" } },
    ],
    [
      "#/policies/new?namespace=tanzu",
      { page: "policy-new", scope: { kind: "namespace", cluster: "", namespace: "tanzu" } },
    ],
    ["#/policies?bogus=1", { page: "policies" }],
  ])("%s", (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
    expect(parseRoute(toHash(route))).toEqual(route);
  });

  it.each([
    [{ kind: "workspace", workspace: "w" } as const, { kind: "workspace", workspace: "w" }],
    [{ kind: "organization" } as const, { kind: "organization" }],
    [{ kind: "namespace" } as const, { kind: "organization" }],
  ])("after saving a policy scoped %j the page shows %j", (scope, node) => {
    expect(toNodeRefOfScope(scope)).toEqual(node);
  });
});

describe("saved policy warnings", () => {
  it.each<[unknown, ReturnType<typeof toSavedWarnings>]>([
    [null, []],
    [{ metadata: { name: "p" } }, []],
    [{ warnings: "no" }, []],
    [
      { warnings: [{ code: "POLICY_LINT", path: "spec.input", message: "m" }, 3, null] },
      [{ code: "POLICY_LINT", path: "spec.input", message: "m" }],
    ],
    [{ warnings: [{ message: "only" }] }, [{ code: "", path: "", message: "only" }]],
  ])("%j", (body, warnings) => {
    expect(toSavedWarnings(body)).toEqual(warnings);
  });
});

describe("who sees Edit and Delete on a policy", () => {
  const who = (role: string, workspaces: string[] = []) => ({
    name: role,
    role,
    organization: "default",
    workspaces,
  });
  const org = { kind: "organization" } as const;
  const w1 = { kind: "workspace", workspace: "w1" } as const;
  const w2 = { kind: "workspace", workspace: "w2" } as const;
  const pinned = { kind: "namespace", cluster: "c1", namespace: "web" } as const;
  const bare = { kind: "namespace", cluster: undefined, namespace: "web" } as const;

  it.each([
    ["admin", [], [true, true, true, true, true]],
    ["organization-admin", [], [true, true, true, true, true]],
    ["workspace-admin", ["w1"], [false, true, false, true, false]],
    ["viewer", [], [false, false, false, false, false]],
    ["viewer", ["w1"], [false, false, false, false, false]],
  ] as const)("%s %j: organization, w1, w2, c1/web, web", (role, workspaces, expected) => {
    const w = who(role, [...workspaces]);
    expect([org, w1, w2, pinned, bare].map((s) => canChangePolicy(w, s))).toEqual(expected);
  });

  it("a workspace admin is offered no Create on the organization node", () => {
    const w = who("workspace-admin", ["w1"]);
    expect(canChangePolicy(w, toScopeOfNode({ kind: "organization" }))).toBe(false);
    expect(canChangePolicy(w, toScopeOfNode({ kind: "workspace", workspace: "w1" }))).toBe(true);
  });
});

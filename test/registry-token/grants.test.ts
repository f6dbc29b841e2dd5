import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  allowedActions,
  compileGrants,
  evaluateAccess,
  type Grant,
  isRepositoryName,
  toAccess,
} from "../../src/core/registry-token/index.js";

const CI: Grant[] = [{ repositories: ["team/*"], actions: ["pull", "push"] }];
const CLUSTER: Grant[] = [{ repositories: ["*"], actions: ["pull"] }];

describe("toAccess: scope strings", () => {
  it.each([
    [
      "repository:team/app:pull,push",
      { type: "repository", name: "team/app", actions: ["pull", "push"] },
    ],
    ["repository:team/app:pull,pull", { type: "repository", name: "team/app", actions: ["pull"] }],
    ["registry:catalog:*", { type: "registry", name: "catalog", actions: ["*"] }],
    ["repository(plugin):a:pull", { type: "repository(plugin)", name: "a", actions: ["pull"] }],
    ["repository:host:5000/a:pull", { type: "repository", name: "host:5000/a", actions: ["pull"] }],
  ])("%s", (scope, access) => {
    expect(toAccess(scope)).toEqual(access);
  });

  it.each([
    "",
    "repository",
    "repository:a",
    "repository::pull",
    ":a:pull",
    "repository:a:",
    "repository:a:,",
    "x".repeat(2000),
  ])("refuses %j", (scope) => {
    expect(toAccess(scope)).toBeUndefined();
  });
});

describe("isRepositoryName", () => {
  it.each([
    ["team/app", true],
    ["a", true],
    ["a__b/c-d.e", true],
    ["Team/app", false],
    ["team//app", false],
    ["/team", false],
    ["team/", false],
    ["a_-b", false],
    ["../etc", false],
    ["a".repeat(256), false],
  ])("%s → %s", (name, ok) => {
    expect(isRepositoryName(name)).toBe(ok);
  });
});

describe("evaluateAccess: the access claim is narrowed to the grants", () => {
  it.each<[string, Grant[], string[], { name: string; actions: string[] }[], string[]]>([
    [
      "ci pushes to its team",
      CI,
      ["repository:team/app:pull,push"],
      [{ name: "team/app", actions: ["pull", "push"] }],
      [],
    ],
    [
      "`*` in a grant spans `/`",
      CI,
      ["repository:team/a/b:push"],
      [{ name: "team/a/b", actions: ["push"] }],
      [],
    ],
    ["ci cannot touch another team", CI, ["repository:other/app:pull"], [], ["not-granted"]],
    [
      "the cluster pulls anything",
      CLUSTER,
      ["repository:other/app:pull"],
      [{ name: "other/app", actions: ["pull"] }],
      [],
    ],
    [
      "the cluster never pushes",
      CLUSTER,
      ["repository:team/app:pull,push"],
      [{ name: "team/app", actions: ["pull"] }],
      ["not-granted"],
    ],
    ["nobody gets the catalog", CLUSTER, ["registry:catalog:*"], [], ["unsupported-type"]],
    ["`*` is not expanded to actions", CLUSTER, ["repository:team/app:*"], [], ["not-granted"]],
    ["delete is its own action", CI, ["repository:team/app:delete"], [], ["not-granted"]],
    ["no grants, no access", [], ["repository:team/app:pull"], [], ["not-granted"]],
    ["invalid names are refused", CLUSTER, ["repository:Team/App:pull"], [], ["invalid-name"]],
    ["malformed scopes are refused", CLUSTER, ["pull"], [], ["malformed"]],
    [
      "scopes of one repository merge",
      CI,
      ["repository:team/app:pull", "repository:team/app:push"],
      [{ name: "team/app", actions: ["pull", "push"] }],
      [],
    ],
  ])("%s", (_, grants, scopes, granted, reasons) => {
    const d = evaluateAccess(compileGrants(grants), scopes);
    expect(d.granted).toEqual(granted.map((g) => ({ type: "repository", ...g })));
    expect(d.refused.map((r) => r.reason)).toEqual(reasons);
  });

  it("a login without scopes (docker login) gets a token with no access", () => {
    expect(evaluateAccess(compileGrants(CI), [])).toEqual({ granted: [], refused: [] });
  });
});

// Scope strings built from the pieces that matter, plus anything at all.
const piece = fc.constantFrom("team", "app", "a", "*", "", "Team", "..", "_", "-", "x.y");
const repoName = fc.array(piece, { minLength: 1, maxLength: 4 }).map((p) => p.join("/"));
const action = fc.constantFrom("pull", "push", "delete", "*", "PULL", "", "pull ");
const scope = fc.oneof(
  fc
    .tuple(
      fc.constantFrom("repository", "registry", "repository(x)", ""),
      repoName,
      fc.array(action, { maxLength: 4 }),
    )
    .map(([t, n, a]) => `${t}:${n}:${a.join(",")}`),
  fc.string({ maxLength: 80 }),
  fc.string({ unit: "binary", maxLength: 80 }),
);
const grant = fc.record({
  repositories: fc.array(fc.oneof(repoName, fc.constantFrom("*", "team/*", "*/app")), {
    minLength: 1,
    maxLength: 3,
  }),
  actions: fc.uniqueArray(fc.constantFrom("pull" as const, "push" as const, "delete" as const), {
    maxLength: 3,
  }),
});

describe("evaluateAccess: properties", () => {
  it("never grants an action the grants do not give for that repository", () => {
    fc.assert(
      fc.property(
        fc.array(grant, { maxLength: 4 }),
        fc.array(scope, { maxLength: 6 }),
        (grants, scopes) => {
          const compiled = compileGrants(grants);
          const d = evaluateAccess(compiled, scopes);
          for (const a of d.granted) {
            expect(a.type).toBe("repository");
            expect(isRepositoryName(a.name)).toBe(true);
            const allowed = allowedActions(compiled, a.name);
            for (const act of a.actions) expect(allowed.has(act)).toBe(true);
            // ...and only what some scope asked for.
            const asked = scopes.flatMap((s) => {
              const x = toAccess(s);
              return x && x.name === a.name && x.type === "repository" ? x.actions : [];
            });
            for (const act of a.actions) expect(asked).toContain(act);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("every requested scope is granted in full or reported as refused, and hostile input never throws", () => {
    fc.assert(
      fc.property(
        fc.array(grant, { maxLength: 3 }),
        fc.array(scope, { maxLength: 6 }),
        (grants, scopes) => {
          const d = evaluateAccess(compileGrants(grants), scopes);
          for (const s of scopes) {
            const x = toAccess(s);
            const full =
              x !== undefined &&
              d.granted.some(
                (g) => g.name === x.name && x.actions.every((a) => g.actions.includes(a)),
              );
            const refused = d.refused.some((r) => r.scope === s);
            expect(full || refused).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("with no grants nothing is ever granted", () => {
    fc.assert(
      fc.property(fc.array(scope, { maxLength: 8 }), (scopes) => {
        expect(evaluateAccess([], scopes).granted).toEqual([]);
      }),
    );
  });
});

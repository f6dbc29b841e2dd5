import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseResourceId, validatePolicyTest } from "../../src/core/policy-test/index.js";

const VALID = {
  apiVersion: "customs.dev/v1alpha1",
  kind: "PolicyTest",
  metadata: { name: "t" },
  policies: ["../policies"],
  resources: ["resources.yaml"],
  results: [{ resource: "Deployment/team-a/web", result: "deny" }],
};

/** The error paths and messages of a test file, or [] when it is valid. */
function errorsOf(doc: unknown): string[] {
  const r = validatePolicyTest(doc);
  return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
}

describe("validatePolicyTest", () => {
  it("reads a full test file", () => {
    const r = validatePolicyTest({
      ...VALID,
      namespaces: { "team-a": { "customs.dev/workspace": "payments", env: "prod" }, other: null },
      cluster: "prod-eu",
      now: "2027-01-15T00:00:00Z",
      facts: "facts.yaml",
      tagHandling: "pin",
      results: [
        {
          resource: "Deployment/team-a/web",
          policy: "p",
          result: "fail",
          code: "IMAGE_NOT_ALLOWED",
          container: "web",
        },
        { resource: "Pod/solo", result: "allow" },
        { resource: "Pod/solo", policy: "p", result: "exempt" },
      ],
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.test.now).toBe(Date.UTC(2027, 0, 15));
    expect(r.test.namespaces.get("team-a")).toEqual({
      "customs.dev/workspace": "payments",
      env: "prod",
    });
    expect(r.test.namespaces.get("other")).toEqual({});
    expect(r.test.results.map((e) => [e.path, e.resource.namespace, e.policy ?? null])).toEqual([
      ["results[0]", "team-a", "p"],
      ["results[1]", "default", null],
      ["results[2]", "default", "p"],
    ]);
  });

  // Every field wrong in turn: each error names its field path.
  const ROWS: Array<[string, Record<string, unknown>, string]> = [
    ["not an object", { __replace: "x" }, "(document): expected an object"],
    [
      "unknown field",
      { polices: [] },
      "polices: unknown field `polices`; did you mean `policies`?",
    ],
    ["apiVersion", { apiVersion: "v1" }, "apiVersion: must be customs.dev/v1alpha1"],
    ["kind", { kind: "Test" }, "kind: must be PolicyTest"],
    [
      "metadata unknown field",
      { metadata: { name: "t", labels: {} } },
      "metadata.labels: unknown field",
    ],
    ["metadata.name missing", { metadata: {} }, "metadata.name: is required"],
    ["policies missing", { policies: undefined }, "policies: is required"],
    ["policies empty", { policies: [] }, "policies: must not be empty"],
    ["policies not a list", { policies: "p.yaml" }, "policies: expected a list"],
    ["policies entry", { policies: [3] }, "policies[0]: expected a string"],
    ["resources entry empty", { resources: [""] }, "resources[0]: must not be empty"],
    ["namespaces not an object", { namespaces: ["a"] }, "namespaces: expected an object"],
    [
      "namespace labels",
      { namespaces: { a: "prod" } },
      "namespaces.a: expected an object of labels",
    ],
    [
      "namespace label value",
      { namespaces: { a: { env: 1 } } },
      "namespaces.a.env: expected a string",
    ],
    ["namespace name", { namespaces: { "a/b": {} } }, "namespaces.a/b: is not a namespace name"],
    ["cluster", { cluster: 1 }, "cluster: expected a string"],
    ["now not a date", { now: "tomorrow" }, 'now: "tomorrow" is not an RFC 3339 date-time'],
    ["now without zone", { now: "2027-01-15T00:00:00" }, "now: "],
    ["now a date only", { now: "2027-01-15" }, "now: "],
    ["now a number", { now: 5 }, "now: expected a string"],
    ["facts", { facts: [] }, "facts: expected a string"],
    ["tagHandling", { tagHandling: "allow" }, 'tagHandling: "allow" is not one of `pin`, `refuse`'],
    ["results missing", { results: undefined }, "results: is required"],
    ["results empty", { results: [] }, "results: must not be empty"],
    ["result not an object", { results: ["x"] }, "results[0]: expected an object"],
    [
      "result unknown field",
      { results: [{ resource: "Pod/a", result: "allow", rule: "r" }] },
      "results[0].rule: unknown field",
    ],
    ["resource missing", { results: [{ result: "allow" }] }, "results[0].resource: is required"],
    [
      "resource shape",
      { results: [{ resource: "a", result: "allow" }] },
      'results[0].resource: "a" is not KIND/NAMESPACE/NAME',
    ],
    [
      "resource too deep",
      { results: [{ resource: "a/b/c/d", result: "allow" }] },
      "results[0].resource: ",
    ],
    [
      "resource empty part",
      { results: [{ resource: "Pod//x", result: "allow" }] },
      "results[0].resource: ",
    ],
    ["result missing", { results: [{ resource: "Pod/a" }] }, "results[0].result: is required"],
    [
      "verdict for a policy",
      { results: [{ resource: "Pod/a", policy: "p", result: "deny" }] },
      'results[0].result: "deny" is not one of `pass`, `fail`, `skip`, `exempt`',
    ],
    [
      "policy result for a verdict",
      { results: [{ resource: "Pod/a", result: "fail" }] },
      'results[0].result: "fail" is not one of `allow`, `warn`, `deny`',
    ],
    [
      "code with a pass",
      { results: [{ resource: "Pod/a", policy: "p", result: "pass", code: "IMAGE_BLOCKED" }] },
      "results[0].code: needs result fail, deny or warn",
    ],
    [
      "code shape",
      { results: [{ resource: "Pod/a", policy: "p", result: "fail", code: "blocked" }] },
      'results[0].code: "blocked" is not a code',
    ],
    [
      "container without policy",
      { results: [{ resource: "Pod/a", result: "allow", container: "c" }] },
      "results[0].container: needs `policy`",
    ],
    [
      "policy empty",
      { results: [{ resource: "Pod/a", policy: "", result: "pass" }] },
      "results[0].policy: must not be empty",
    ],
    [
      "the same expectation twice",
      {
        results: [
          { resource: "Pod/a", result: "allow" },
          { resource: "Pod/default/a", result: "deny" },
        ],
      },
      "results[1]: expects the same resource, policy and container as results[0]",
    ],
  ];
  it.each(ROWS)("refuses %s with its path", (_, change, expected) => {
    const doc = "__replace" in change ? change.__replace : { ...VALID, ...change };
    const errors = errorsOf(doc);
    expect(
      errors.some((e) => e.startsWith(expected)),
      errors.join("\n"),
    ).toBe(true);
  });

  it("reports every problem of a file, not only the first", () => {
    expect(errorsOf({ ...VALID, kind: "x", cluster: 1, results: [] })).toHaveLength(3);
  });

  it("an unknown field anywhere is an error naming its path", () => {
    const key = fc
      .string({ minLength: 1, maxLength: 12 })
      .filter(
        (k) =>
          !/^(resource|policy|result|code|container|apiVersion|kind|metadata|policies|resources|namespaces|cluster|now|facts|tagHandling|results|name)$/.test(
            k,
          ) && k !== "__proto__",
      );
    fc.assert(
      fc.property(key, fc.constantFrom("", "metadata", "results[0]"), (k, where) => {
        const doc = structuredClone(VALID) as Record<string, unknown>;
        const target =
          where === ""
            ? doc
            : where === "metadata"
              ? (doc.metadata as Record<string, unknown>)
              : ((doc.results as unknown[])[0] as Record<string, unknown>);
        target[k] = "x";
        const path = where === "" ? k : `${where}.${k}`;
        expect(errorsOf(doc).some((e) => e.startsWith(`${path}: unknown field`))).toBe(true);
      }),
    );
  });
});

describe("parseResourceId", () => {
  it.each([
    ["Deployment/team-a/web", { kind: "Deployment", namespace: "team-a", name: "web" }],
    ["Pod/web", { kind: "Pod", namespace: "default", name: "web" }],
  ])("reads %s", (text, id) => {
    expect(parseResourceId(text)).toEqual(id);
  });

  it("reads back any KIND/NAMESPACE/NAME it is given, and refuses anything else", () => {
    const part = fc.stringMatching(/^[A-Za-z0-9.-]{1,20}$/);
    fc.assert(
      fc.property(part, part, part, (kind, namespace, name) => {
        expect(parseResourceId(`${kind}/${namespace}/${name}`)).toEqual({ kind, namespace, name });
      }),
    );
    fc.assert(
      fc.property(fc.string(), (text) => {
        const parts = text.split("/");
        const valid = (parts.length === 2 || parts.length === 3) && !parts.includes("");
        expect(typeof parseResourceId(text) !== "string").toBe(valid);
      }),
    );
  });
});

describe("validatePolicyTest on generated files", () => {
  const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/);
  const expectation = fc.oneof(
    fc.record({
      resource: fc.tuple(fc.constantFrom("Pod", "Deployment", "Job"), name, name),
      result: fc.constantFrom("allow", "warn", "deny"),
    }),
    fc.record(
      {
        resource: fc.tuple(fc.constantFrom("Pod", "Deployment", "Job"), name, name),
        policy: name,
        result: fc.constantFrom("pass", "fail", "skip", "exempt"),
        container: name,
      },
      { requiredKeys: ["resource", "policy", "result"] },
    ),
  );

  it("reads back every valid file it is given, expectation by expectation", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(expectation, {
          minLength: 1,
          maxLength: 8,
          selector: (e) =>
            JSON.stringify([
              e.resource,
              "policy" in e ? e.policy : null,
              "container" in e ? e.container : null,
            ]),
        }),
        fc.dictionary(name, fc.dictionary(name, name, { maxKeys: 3 }), { maxKeys: 3 }),
        (results, namespaces) => {
          const doc = {
            ...VALID,
            namespaces,
            results: results.map((e) => ({ ...e, resource: e.resource.join("/") })),
          };
          const r = validatePolicyTest(doc);
          expect(r.ok).toBe(true);
          if (!r.ok) return;
          expect(
            r.test.results.map((e) => [
              e.resource.kind,
              e.resource.namespace,
              e.resource.name,
              e.result,
            ]),
          ).toEqual(results.map((e) => [...e.resource, e.result]));
          expect(Object.fromEntries(r.test.namespaces)).toEqual(namespaces);
        },
      ),
    );
  });
});

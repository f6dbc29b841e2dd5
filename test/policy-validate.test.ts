import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { validateDocument } from "../src/core/policy/index.js";
import { policyDoc, workspaceDoc } from "./support/policies.js";

function errors(doc: unknown) {
  return validateDocument(doc)
    .issues.filter((i) => i.severity === "error")
    .map((i) => `${i.path}: ${i.message}`);
}

function warnings(doc: unknown) {
  return validateDocument(doc)
    .issues.filter((i) => i.severity === "warning")
    .map((i) => `${i.code} ${i.path}`);
}

describe("ImagePolicy validation: every problem with its field path", () => {
  const rule = (r: Record<string, unknown>) => ({ recipe: "custom", input: { rules: [r] } });
  const cases: Array<[string, unknown, string]> = [
    ["not an object", [], "(document): expected an object, got a list"],
    [
      "wrong apiVersion",
      { ...policyDoc("p", { recipe: "require-digest" }), apiVersion: "customs.dev/v1" },
      "apiVersion: expected customs.dev/v1alpha1",
    ],
    [
      "unknown kind",
      { ...policyDoc("p", {}), kind: "ImagePolcy" },
      "kind: expected ImagePolicy or Workspace",
    ],
    [
      "unknown top field",
      { ...policyDoc("p", { recipe: "require-digest" }), extra: 1 },
      "extra: unknown field `extra`",
    ],
    [
      "missing name",
      {
        apiVersion: "customs.dev/v1alpha1",
        kind: "ImagePolicy",
        metadata: {},
        spec: { recipe: "require-digest" },
      },
      "metadata.name: is required",
    ],
    [
      "bad name",
      policyDoc("Bad_Name", { recipe: "require-digest" }),
      'metadata.name: "Bad_Name" is not a valid name',
    ],
    [
      "missing spec",
      { apiVersion: "customs.dev/v1alpha1", kind: "ImagePolicy", metadata: { name: "p" } },
      "spec: expected an object, got a undefined",
    ],
    [
      "unknown recipe",
      policyDoc("p", { recipe: "require-digests" }),
      'spec.recipe: "require-digests" is not one of',
    ],
    ["missing recipe", policyDoc("p", {}), 'spec.recipe: "" is not one of'],
    [
      "unknown spec field with a hint",
      policyDoc("p", { recipe: "require-digest", namespaceSelecter: {} }),
      "spec.namespaceSelecter: unknown field `namespaceSelecter`; did you mean `namespaceSelector`?",
    ],
    [
      "both scopes",
      policyDoc("p", { recipe: "require-digest", workspace: "a", namespace: "b" }),
      "spec: set at most one of `workspace` and `namespace`",
    ],
    [
      "bad action",
      policyDoc("p", { recipe: "require-digest", action: "block" }),
      'spec.action: "block" is not one of `deny`, `warn`, `audit`',
    ],
    [
      "audit conflicts with action",
      policyDoc("p", { recipe: "require-digest", action: "deny", input: { audit: true } }),
      "spec.input.audit: `audit: true` means action audit, but spec.action is deny",
    ],
    [
      "audit not a boolean",
      policyDoc("p", { recipe: "require-digest", input: { audit: "yes" } }),
      "spec.input.audit: expected true or false",
    ],
    [
      "rules for a recipe without rules",
      policyDoc("p", { recipe: "require-digest", input: { rules: [{}] } }),
      "spec.input.rules: recipe require-digest takes no rules",
    ],
    [
      "custom without rules",
      policyDoc("p", { recipe: "custom" }),
      "spec.input.rules: recipe custom needs at least one rule",
    ],
    [
      "custom with empty rules",
      policyDoc("p", { recipe: "custom", input: { rules: [] } }),
      "spec.input.rules: recipe custom needs at least one rule",
    ],
    [
      "rules not a list",
      policyDoc("p", { recipe: "custom", input: { rules: { imageName: "x" } } }),
      "spec.input.rules: expected a list, got an object",
    ],
    [
      "field the recipe does not take",
      policyDoc("p", { recipe: "allowed-name-tag", input: { rules: [{ hostname: "x.io" }] } }),
      "spec.input.rules[0].hostname: unknown field `hostname`",
    ],
    [
      "requireDigest in blocked-images",
      policyDoc("p", { recipe: "blocked-images", input: { rules: [{ requireDigest: true }] } }),
      "spec.input.rules[0].requireDigest: unknown field",
    ],
    [
      "port without hostname",
      policyDoc("p", rule({ port: "5000" })),
      "spec.input.rules[0].port: a port needs a hostname in the same rule",
    ],
    [
      "port with letters",
      policyDoc("p", rule({ hostname: "h.io", port: "50a" })),
      'spec.input.rules[0].port: "50a" can never match',
    ],
    [
      "hostname with a port",
      policyDoc("p", rule({ hostname: "h.io:5000" })),
      'spec.input.rules[0].hostname: "h.io:5000" includes a port',
    ],
    [
      "hostname with a slash",
      policyDoc("p", rule({ hostname: "h.io/team" })),
      'spec.input.rules[0].hostname: "h.io/team" can never match',
    ],
    [
      "uppercase image name",
      policyDoc("p", rule({ imageName: "Team/App" })),
      'spec.input.rules[0].imageName: "Team/App" can never match',
    ],
    [
      "tag with a slash",
      policyDoc("p", rule({ tag: { value: "v1/x" } })),
      'spec.input.rules[0].tag.value: "v1/x" can never match',
    ],
    [
      "tag wrong type",
      policyDoc("p", rule({ tag: 5 })),
      "spec.input.rules[0].tag: expected a string, a list of strings, or an object {value, negate} or {values, negate}",
    ],
    [
      "tag unknown field",
      policyDoc("p", rule({ tag: { value: "v1", negated: true } })),
      "spec.input.rules[0].tag.negated: unknown field `negated`; did you mean `negate`?",
    ],
    [
      "imageName wrong type",
      policyDoc("p", rule({ imageName: ["a"] })),
      "spec.input.rules[0].imageName: expected a string, got a list",
    ],
    [
      "rule not an object",
      policyDoc("p", { recipe: "custom", input: { rules: ["busybox"] } }),
      'spec.input.rules[0]: expected an object, got a string ("busybox")',
    ],
    [
      "selector operator",
      policyDoc("p", {
        recipe: "require-digest",
        namespaceSelector: {
          matchExpressions: [{ key: "env", operator: "NotEquals", values: ["a"] }],
        },
      }),
      'spec.namespaceSelector.matchExpressions[0].operator: "NotEquals" is not one of',
    ],
    [
      "In without values",
      policyDoc("p", {
        recipe: "require-digest",
        namespaceSelector: { matchExpressions: [{ key: "env", operator: "In" }] },
      }),
      "spec.namespaceSelector.matchExpressions[0].values: operator In needs at least one value",
    ],
    [
      "Exists with values",
      policyDoc("p", {
        recipe: "require-digest",
        namespaceSelector: {
          matchExpressions: [{ key: "env", operator: "Exists", values: ["x"] }],
        },
      }),
      "spec.namespaceSelector.matchExpressions[0].values: operator Exists takes no values",
    ],
    [
      "bad label key",
      policyDoc("p", {
        recipe: "require-digest",
        namespaceSelector: { matchLabels: { "bad key": "x" } },
      }),
      'spec.namespaceSelector.matchLabels.bad key: "bad key" is not a valid label key',
    ],
    [
      "label value not a string",
      policyDoc("p", {
        recipe: "require-digest",
        namespaceSelector: { matchLabels: { env: true } },
      }),
      "spec.namespaceSelector.matchLabels.env: expected a string, got a boolean",
    ],
    [
      "bad workspace name",
      policyDoc("p", { recipe: "require-digest", workspace: "My WS" }),
      'spec.workspace: "My WS" is not a valid workspace name',
    ],
    [
      "bad namespace",
      policyDoc("p", { recipe: "require-digest", namespace: "a/b/c" }),
      'spec.namespace: "a/b/c" is not NAMESPACE or CLUSTER/NAMESPACE',
    ],
    [
      "workspace entry",
      workspaceDoc("ws", ["Team_A"]),
      'spec.namespaces[0]: "Team_A": "Team_A" is not a valid namespace name',
    ],
    [
      "workspace unknown field",
      { ...workspaceDoc("ws", []), spec: { namespace: ["a"] } },
      "spec.namespace: unknown field `namespace`; did you mean `namespaces`?",
    ],
    [
      "hostile key",
      policyDoc("p", { recipe: "require-digest", "\u0000\u001b[31m": 1 }),
      "unknown field `\\u0000\\u001b[31m`",
    ],
  ];
  it.each(cases)("%s", (_name, doc, expected) => {
    const found = errors(doc);
    expect(
      found.some((e) => e.includes(expected)),
      `expected "${expected}" among:\n${found.join("\n")}`,
    ).toBe(true);
  });

  it("reports every problem at once, not only the first", () => {
    const found = errors(
      policyDoc("p", {
        recipe: "custom",
        action: "nope",
        input: { rules: [{ port: "x" }, { imageName: "A" }] },
      }),
    );
    expect(found.length).toBeGreaterThanOrEqual(3);
  });

  it("accepts the spec's example, with port as a string or a number", () => {
    for (const port of ["5000", 5000]) {
      const doc = policyDoc("corp-registry-only", {
        workspace: "tko-day1-ops-ws",
        namespaceSelector: {
          matchExpressions: [{ key: "env", operator: "NotIn", values: ["sandbox"] }],
        },
        action: "deny",
        recipe: "custom",
        input: {
          audit: false,
          rules: [
            {
              hostname: "registry.mycorp.local",
              port,
              imageName: "team/*",
              tag: { value: "v*", negate: false },
              requireDigest: true,
            },
          ],
        },
      });
      const r = validateDocument(doc);
      expect(r.kind).toBe("ImagePolicy");
      if (r.kind === "ImagePolicy") expect(r.policy.rules[0]?.port).toBe("5000");
    }
  });

  it("accepts metadata that a cluster adds, and status", () => {
    const doc: Record<string, unknown> = {
      ...policyDoc("p", { recipe: "require-digest" }),
      status: {},
    };
    doc.metadata = { name: "p", resourceVersion: "12", uid: "u", labels: { team: "a" } };
    expect(validateDocument(doc).kind).toBe("ImagePolicy");
  });
});

describe("lint warnings", () => {
  it.each([
    [
      "busybox in custom",
      policyDoc("p", { recipe: "custom", input: { rules: [{ imageName: "busybox" }] } }),
      "LINT_DOCKER_HUB_SHORT_NAME spec.input.rules[0].imageName",
    ],
    [
      "busybox in allowed-name-tag",
      policyDoc("p", { recipe: "allowed-name-tag", input: { rules: [{ imageName: "busy*" }] } }),
      "LINT_DOCKER_HUB_SHORT_NAME spec.input.rules[0].imageName",
    ],
    [
      "index.docker.io",
      policyDoc("p", {
        recipe: "custom",
        input: { rules: [{ hostname: "index.docker.io", imageName: "library/x" }] },
      }),
      "LINT_DOCKER_HUB_ALIAS spec.input.rules[0].hostname",
    ],
    [
      "registry-1.docker.io in a blocklist",
      policyDoc("p", {
        recipe: "blocked-images",
        input: { rules: [{ hostname: "registry-1.docker.io" }] },
      }),
      "LINT_DOCKER_HUB_ALIAS spec.input.rules[0].hostname",
    ],
    [
      "negate without value",
      policyDoc("p", {
        recipe: "custom",
        input: { rules: [{ hostname: "a.io", tag: { negate: true } }] },
      }),
      "LINT_NEGATE_WITHOUT_VALUE spec.input.rules[0].tag.negate",
    ],
    [
      "empty rule",
      policyDoc("p", { recipe: "custom", input: { rules: [{}] } }),
      "LINT_RULE_MATCHES_EVERYTHING spec.input.rules[0]",
    ],
    [
      "wildcard-only rule",
      policyDoc("p", { recipe: "blocked-images", input: { rules: [{ imageName: "*" }] } }),
      "LINT_RULE_MATCHES_EVERYTHING spec.input.rules[0]",
    ],
    [
      "empty selector",
      policyDoc("p", { recipe: "require-digest", namespaceSelector: {} }),
      "LINT_SELECTOR_EMPTY spec.namespaceSelector",
    ],
  ])("%s", (_name, doc, expected) => {
    expect(warnings(doc)).toContain(expected);
  });

  it.each([
    ["library/busybox", { recipe: "custom", input: { rules: [{ imageName: "library/busybox" }] } }],
    [
      "single name on another registry",
      { recipe: "custom", input: { rules: [{ hostname: "localhost", imageName: "busybox" }] } },
    ],
    [
      "short name in blocked-images (it matches there)",
      { recipe: "blocked-images", input: { rules: [{ imageName: "busybox" }] } },
    ],
    ["leading wildcard", { recipe: "custom", input: { rules: [{ imageName: "*busybox" }] } }],
  ])("no warning for %s", (_name, spec) => {
    expect(warnings(policyDoc("p", spec))).toEqual([]);
  });
});

describe("validation never throws", () => {
  it("on any JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const r = validateDocument(value);
        expect(["ImagePolicy", "Workspace", "invalid"]).toContain(r.kind);
      }),
      { numRuns: 2000 },
    );
  });

  it("on policy-shaped documents with random specs", () => {
    const spec = fc.dictionary(
      fc.constantFrom(
        "workspace",
        "namespace",
        "namespaceSelector",
        "action",
        "recipe",
        "input",
        "x",
      ),
      fc.oneof(
        fc.jsonValue(),
        fc.constantFrom("custom", "deny", "blocked-images"),
        fc.record({ rules: fc.array(fc.jsonValue()) }),
      ),
    );
    fc.assert(
      fc.property(spec, (s) => {
        const r = validateDocument(policyDoc("p", s));
        if (r.kind === "invalid") expect(r.issues.some((i) => i.severity === "error")).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

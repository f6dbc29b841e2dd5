/**
 * Kyverno shapes `customs import kyverno` translates, and those it lists as untranslated.
 */
import { describe, expect, it } from "vitest";
import type { ImportOptions, ImportResult } from "../../src/core/import/index.js";
import { importPolicies } from "../../src/core/import/index.js";

function clusterPolicy(rule: Record<string, unknown>, spec: Record<string, unknown> = {}): unknown {
  return {
    apiVersion: "kyverno.io/v1",
    kind: "ClusterPolicy",
    metadata: { name: "p" },
    spec: {
      validationFailureAction: "Enforce",
      ...spec,
      rules: [{ name: "r", match: { any: [{ resources: { kinds: ["Pod"] } }] }, ...rule }],
    },
  };
}

function run(values: unknown[], options: ImportOptions = {}): ImportResult {
  return importPolicies(
    "kyverno",
    values.map((value, i) => ({ source: `f${i}.yaml`, value })),
    options,
  );
}

function specs(r: ImportResult): Record<string, unknown>[] {
  return r.documents.map((d) => d.document.spec as Record<string, unknown>);
}

const podPattern = (image: string) => ({
  pattern: {
    spec: {
      containers: [{ image }],
      "=(initContainers)": [{ image }],
      "=(ephemeralContainers)": [{ image }],
    },
  },
});

describe("Kyverno image patterns", () => {
  it.each([
    ["*:*", { recipe: "block-latest-tag" }],
    ["!*:latest", { recipe: "block-latest-tag" }],
    ["*@*", { recipe: "require-digest" }],
    [
      "eu.foo.io/* | bar.io/*",
      { recipe: "custom", input: { rules: [{ hostname: "eu.foo.io" }, { hostname: "bar.io" }] } },
    ],
    ["!k8s.gcr.io/*", { recipe: "blocked-images", input: { rules: [{ hostname: "k8s.gcr.io" }] } }],
    [
      "ghcr.io/team/*",
      { recipe: "custom", input: { rules: [{ hostname: "ghcr.io", imageName: "team/*" }] } },
    ],
  ])("validate.pattern image %s", (image, expected) => {
    const r = run([clusterPolicy({ validate: podPattern(image) })]);
    expect(r.untranslated).toEqual([]);
    expect(specs(r)).toEqual([{ action: "deny", ...expected }]);
  });

  it("anyPattern joins the alternatives", () => {
    const r = run([
      clusterPolicy({
        validate: { anyPattern: [podPattern("a.io/*").pattern, podPattern("b.io/*").pattern] },
      }),
    ]);
    expect(specs(r)[0]?.input).toEqual({ rules: [{ hostname: "a.io" }, { hostname: "b.io" }] });
  });

  it("foreach over each container list, with a pattern or deny conditions on element.image", () => {
    const lists = [
      "request.object.spec.containers",
      "request.object.spec.initContainers",
      "request.object.spec.ephemeralContainers",
    ];
    const a = run([
      clusterPolicy({
        validate: { foreach: lists.map((list) => ({ list, pattern: { image: "!*:latest" } })) },
      }),
    ]);
    expect(specs(a)).toEqual([{ action: "deny", recipe: "block-latest-tag" }]);
    const deny = (conditions: unknown) =>
      run([
        clusterPolicy({
          validate: {
            foreach: [
              {
                list: "request.object.spec.[initContainers, ephemeralContainers, containers][]",
                deny: { conditions },
              },
            ],
          },
        }),
      ]);
    expect(
      specs(
        deny({ all: [{ key: "{{ element.image }}", operator: "Equals", value: "k8s.gcr.io/*" }] }),
      )[0]?.recipe,
    ).toBe("blocked-images");
    expect(
      specs(
        deny({
          any: [{ key: "{{element.image}}", operator: "AnyIn", value: ["a.io/*", "b.io/*"] }],
        }),
      )[0]?.input,
    ).toEqual({ rules: [{ hostname: "a.io" }, { hostname: "b.io" }] });
    expect(
      specs(
        deny({
          all: [
            { key: "{{ element.image }}", operator: "NotEquals", value: "a.io/*" },
            { key: "{{ element.image }}", operator: "NotEquals", value: "b.io/*" },
          ],
        }),
      )[0],
    ).toEqual({
      action: "deny",
      recipe: "custom",
      input: { rules: [{ hostname: "a.io" }, { hostname: "b.io" }] },
    });
  });

  it.each([
    [
      { pattern: { spec: { containers: [{ image: "*", imagePullPolicy: "Always" }] } } },
      /not only image/,
    ],
    [{ pattern: { spec: { hostNetwork: false } } }, /spec.hostNetwork, not only images/],
    [podPattern("a.io/* | !b.io/*"), /negation among alternatives/],
    [podPattern("*/nginx"), /'\*' before its end/],
    [
      { foreach: [{ list: "request.object.spec.volumes", pattern: { image: "*" } }] },
      /not a list of containers/,
    ],
    [
      {
        foreach: [
          {
            list: "request.object.spec.containers",
            deny: {
              conditions: {
                all: [{ key: "{{ element.image }}", operator: "Equals", value: "{{ x }}" }],
              },
            },
          },
        ],
      },
      /not context variables/,
    ],
    [
      {
        deny: {
          conditions: {
            all: [
              { key: "{{ images.containers.*.registry }}", operator: "AnyNotIn", value: ["x"] },
            ],
          },
        },
      },
      /only \{\{ element.image \}\} is translated/,
    ],
    [{ podSecurity: { level: "baseline" } }, /podSecurity is not an image check/],
    [
      {
        cel: {
          expressions: [{ expression: "object.spec.containers.all(c, c.image.matches('^a'))" }],
        },
      },
      /CEL expression not recognized: object.spec.containers.all\(c, c.image.matches\('\^a'\)\)/,
    ],
  ])("untranslated with its reason: %j", (validate, reason) => {
    const r = run([clusterPolicy({ validate })]);
    expect(r.documents).toEqual([]);
    expect(r.untranslated).toHaveLength(1);
    expect(r.untranslated[0]).toMatchObject({
      source: "f0.yaml",
      kind: "ClusterPolicy",
      name: "p",
      rule: "r",
    });
    expect(r.untranslated[0]?.reason).toMatch(reason);
  });
});

describe("Kyverno CEL", () => {
  const all = [
    {
      name: "allContainers",
      expression:
        "object.spec.containers + object.spec.?initContainers.orValue([]) + object.spec.?ephemeralContainers.orValue([])",
    },
  ];
  it.each([
    [
      "object.spec.containers.all(container, container.image.contains(':'))",
      { recipe: "block-latest-tag" },
    ],
    ["object.spec.containers.all(c, !c.image.endsWith(':latest'))", { recipe: "block-latest-tag" }],
    ["object.spec.containers.all(c, c.image.contains('@'))", { recipe: "require-digest" }],
    [
      "variables.allContainers.all(c, c.image.startsWith('eu.foo.io/') || c.image.startsWith(\"bar.io/\"))",
      { recipe: "custom", input: { rules: [{ hostname: "eu.foo.io" }, { hostname: "bar.io" }] } },
    ],
    [
      "variables.allContainers.all(c, !c.image.startsWith('k8s.gcr.io/') && !c.image.startsWith('gcr.io/google-containers/'))",
      {
        recipe: "blocked-images",
        input: {
          rules: [
            { hostname: "k8s.gcr.io" },
            { hostname: "gcr.io", imageName: "google-containers/*" },
          ],
        },
      },
    ],
  ])("%s", (expression, expected) => {
    const r = run([
      clusterPolicy({ validate: { cel: { variables: all, expressions: [{ expression }] } } }),
    ]);
    expect(r.untranslated).toEqual([]);
    expect(specs(r)).toEqual([{ action: "deny", ...expected }]);
  });

  it.each([
    "variables.other.all(c, c.image.startsWith('a/'))",
    "object.spec.containers.all(c, c.image.startsWith('a/') && c.image.startsWith('b/'))",
    "object.spec.containers.exists(c, c.image.startsWith('a/'))",
    "object.spec.containers.all(c, c.image.startsWith('a/') || c.name == 'x')",
    "object.spec.containers.all(c, c.image.startsWith('a/') || c.image.startsWith('b/') && true)",
  ])("not recognized: %s", (expression) => {
    const r = run([
      clusterPolicy({ validate: { cel: { variables: all, expressions: [{ expression }] } } }),
    ]);
    expect(r.documents).toEqual([]);
    expect(r.untranslated[0]?.reason).toBe(`CEL expression not recognized: ${expression}`);
  });

  it("a ValidatingPolicy keeps its validationActions", () => {
    const vpol = (validationActions: string[]) => ({
      apiVersion: "policies.kyverno.io/v1alpha1",
      kind: "ValidatingPolicy",
      metadata: { name: "v" },
      spec: {
        validationActions,
        matchConstraints: {
          resourceRules: [
            { apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"] },
          ],
        },
        validations: [{ expression: "object.spec.containers.all(c, c.image.contains('@'))" }],
      },
    });
    expect(specs(run([vpol(["Audit"])]))[0]?.action).toBe("audit");
    expect(specs(run([vpol(["Warn"])]))[0]?.action).toBe("warn");
    expect(specs(run([vpol(["Deny", "Audit"])]))[0]?.action).toBe("deny");
  });
});

describe("Kyverno actions and scope", () => {
  const digest = { validate: podPattern("*@*") };

  it.each([
    [undefined, "audit"],
    ["Audit", "audit"],
    ["audit", "audit"],
    ["Enforce", "deny"],
    ["enforce", "deny"],
  ])("validationFailureAction %s is %s", (validationFailureAction, action) => {
    const r = run([clusterPolicy(digest, { validationFailureAction })]);
    expect(specs(r)[0]?.action).toBe(action);
  });

  it("a rule's failureAction wins over the policy's", () => {
    const r = run([clusterPolicy({ validate: { ...podPattern("*@*"), failureAction: "Audit" } })]);
    expect(specs(r)[0]?.action).toBe("audit");
  });

  it("validationFailureActionOverrides become policies of their own; the base leaves their namespaces out", () => {
    const r = run([
      clusterPolicy(digest, {
        validationFailureAction: "Audit",
        validationFailureActionOverrides: [{ action: "Enforce", namespaces: ["prod"] }],
      }),
    ]);
    expect(specs(r)).toEqual([
      {
        namespaceSelector: {
          matchExpressions: [
            { key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["prod"] },
          ],
        },
        action: "audit",
        recipe: "require-digest",
      },
      {
        namespaceSelector: {
          matchExpressions: [
            { key: "kubernetes.io/metadata.name", operator: "In", values: ["prod"] },
          ],
        },
        action: "deny",
        recipe: "require-digest",
      },
    ]);
    expect(r.documents.map((d) => (d.document.metadata as { name: string }).name)).toEqual([
      "p-r",
      "p-r-deny",
    ]);
    const glob = run([
      clusterPolicy(digest, {
        validationFailureActionOverrides: [{ action: "Enforce", namespaces: ["prod-*"] }],
      }),
    ]);
    expect(glob.untranslated[0]?.reason).toMatch(/glob is not a label selector/);
  });

  it("match namespaces and namespaceSelector, exclude namespaces and one-requirement selectors", () => {
    const r = run([
      clusterPolicy({
        ...digest,
        match: {
          any: [
            {
              resources: {
                kinds: ["Pod"],
                namespaces: ["a"],
                namespaceSelector: { matchLabels: { env: "prod" } },
              },
            },
          ],
        },
        exclude: {
          any: [
            { resources: { namespaces: ["kube-system"] } },
            {
              resources: {
                namespaceSelector: {
                  matchExpressions: [{ key: "tier", operator: "In", values: ["sandbox"] }],
                },
              },
            },
          ],
        },
      }),
    ]);
    expect(r.untranslated).toEqual([]);
    expect(specs(r)[0]?.namespaceSelector).toEqual({
      matchLabels: { env: "prod" },
      matchExpressions: [
        { key: "kubernetes.io/metadata.name", operator: "In", values: ["a"] },
        { key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["kube-system"] },
        { key: "tier", operator: "NotIn", values: ["sandbox"] },
      ],
    });
  });

  it("object selectors, users and exclusions it cannot say are dropped in the stricter direction, and listed", () => {
    const r = run([
      clusterPolicy({
        ...digest,
        match: {
          any: [{ resources: { kinds: ["Pod"], selector: { matchLabels: { app: "x" } } } }],
        },
        exclude: {
          any: [
            { subjects: [{ kind: "User", name: "admin" }] },
            { resources: { kinds: ["Pod"], namespaces: ["x"] } },
          ],
        },
        preconditions: { all: [] },
      }),
    ]);
    expect(specs(r)).toEqual([{ action: "deny", recipe: "require-digest" }]);
    const reasons = r.untranslated.map((u) => u.reason);
    expect(reasons).toHaveLength(4);
    for (const reason of reasons) expect(reason).toMatch(/\(stricter\)/);
  });

  it("rules on other kinds, context and mutation are untranslated, each rule on its own", () => {
    const policy = {
      apiVersion: "kyverno.io/v1",
      kind: "Policy",
      metadata: { name: "p", namespace: "team" },
      spec: {
        rules: [
          {
            name: "svc",
            match: { any: [{ resources: { kinds: ["Service"] } }] },
            validate: podPattern("*@*"),
          },
          {
            name: "ctx",
            match: { any: [{ resources: { kinds: ["Pod"] } }] },
            context: [{ name: "x", configMap: { name: "c" } }],
            validate: podPattern("*@*"),
          },
          { name: "mut", match: { any: [{ resources: { kinds: ["Pod"] } }] }, mutate: {} },
          {
            name: "ok",
            match: { any: [{ resources: { kinds: ["Pod"] } }] },
            validate: podPattern("*@*"),
          },
        ],
      },
    };
    const r = run([policy]);
    expect(r.untranslated.map((u) => `${u.rule}: ${u.reason}`)).toEqual([
      "svc: match.any[0].resources.kinds Service names no workload kind Customs checks",
      "ctx: rule reads context (API calls, ConfigMaps, variables) that an ImagePolicy cannot",
      "mut: rule is mutate, not a validation",
    ]);
    // A namespaced Policy applies in its own namespace.
    expect(specs(r)).toEqual([{ namespace: "team", action: "audit", recipe: "require-digest" }]);
  });
});

describe("Kyverno PolicyException", () => {
  const exception = (spec: Record<string, unknown>) => ({
    apiVersion: "kyverno.io/v2",
    kind: "PolicyException",
    metadata: { name: "e", namespace: "kyverno" },
    spec: { exceptions: [{ policyName: "p", ruleNames: ["r"] }], ...spec },
  });
  const match = {
    any: [
      { resources: { kinds: ["Pod", "Deployment"], namespaces: ["delta"], names: ["tool-*"] } },
    ],
  };
  const owned = { owner: "platform", expires: "2027-01-31" };

  it("becomes an ImagePolicyException naming the translated policies", () => {
    const r = run([exception({ match }), clusterPolicy({ validate: podPattern("*@*") })], owned);
    expect(r.untranslated).toEqual([]);
    expect(r.documents.map((d) => d.document.kind)).toEqual([
      "ImagePolicy",
      "ImagePolicyException",
    ]);
    expect(r.documents[1]?.document.spec).toEqual({
      policies: ["p-r"],
      namespace: "delta",
      workloads: [
        { kind: "Pod", name: "tool-*" },
        { kind: "Deployment", name: "tool-*" },
      ],
      reason: "Kyverno PolicyException e",
      owner: "platform",
      expires: "2027-01-31",
    });
  });

  it.each([
    [{}, exception({ match }), /give --owner and --expires/],
    [owned, exception({ match, conditions: { any: [] } }), /spec.conditions is not translated/],
    [
      owned,
      exception({ match: { any: [{ resources: { kinds: ["Pod"], namespaces: ["team-*"] } }] } }),
      /a glob is not a namespace/,
    ],
    [
      owned,
      exception({ match: { any: [{ resources: { kinds: ["Pod"], selector: {} } }] } }),
      /resources.selector is not translated/,
    ],
    [
      owned,
      {
        ...exception({ match }),
        spec: { exceptions: [{ policyName: "other", ruleNames: ["r"] }], match },
      },
      /not among the policies imported in this run/,
    ],
  ])("is untranslated, never invented or widened: %j", (options, value, reason) => {
    const r = run([clusterPolicy({ validate: podPattern("*@*") }), value], options);
    expect(r.documents.map((d) => d.document.kind)).toEqual(["ImagePolicy"]);
    expect(r.untranslated[0]?.reason).toMatch(reason);
  });
});

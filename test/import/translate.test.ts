/**
 * The translation shapes of `customs import`, one table per shape (docs/import.md).
 */
import { describe, expect, it } from "vitest";
import type { ImportResult } from "../../src/core/import/index.js";
import {
  exemptPattern,
  globRules,
  importPolicies,
  prefixRules,
} from "../../src/core/import/index.js";

type Rules = Record<string, string>[];

describe("a raw image prefix as Customs rules", () => {
  const table: [string, Rules, Rules][] = [
    // prefix, as an allowlist, as a blocklist
    [
      "openpolicyagent/",
      [{ hostname: "docker.io", imageName: "openpolicyagent/*" }],
      [{ hostname: "docker.io", imageName: "openpolicyagent/*" }],
    ],
    ["eu.foo.io/", [{ hostname: "eu.foo.io" }], [{ hostname: "eu.foo.io" }]],
    ["EU.Foo.IO/", [{ hostname: "eu.foo.io" }], [{ hostname: "eu.foo.io" }]],
    // Without '/': the allowlist keeps the host; the blocklist blocks every host the raw
    // prefix blocks (myregistry.io.evil.com too).
    ["myregistry.io", [{ hostname: "myregistry.io" }], [{ hostname: "myregistry.io*" }]],
    [
      "localhost:5000/",
      [{ hostname: "localhost", port: "5000" }],
      [{ hostname: "localhost", port: "5000" }],
    ],
    [
      "ghcr.io/team/app",
      [
        { hostname: "ghcr.io", imageName: "team/app" },
        { hostname: "ghcr.io", imageName: "team/app/*" },
      ],
      [{ hostname: "ghcr.io", imageName: "team/app*" }],
    ],
    [
      "ghcr.io/team/app:v1",
      [{ hostname: "ghcr.io", imageName: "team/app", tag: "v1*" }],
      [{ hostname: "ghcr.io", imageName: "team/app", tag: "v1*" }],
    ],
    [
      "ubuntu",
      [{ hostname: "docker.io", imageName: "library/ubuntu" }],
      [{ hostname: "docker.io", imageName: "ubuntu*" }],
    ],
    [
      "ubuntu:20",
      [{ hostname: "docker.io", imageName: "library/ubuntu", tag: "20*" }],
      [{ hostname: "docker.io", imageName: "library/ubuntu", tag: "20*" }],
    ],
    [
      "docker.io/library/",
      [{ hostname: "docker.io", imageName: "library/*" }],
      [{ hostname: "docker.io", imageName: "library/*" }],
    ],
    [
      "index.docker.io/nginx",
      [
        { hostname: "docker.io", imageName: "library/nginx" },
        { hostname: "docker.io", imageName: "library/nginx/*" },
      ],
      [{ hostname: "docker.io", imageName: "library/nginx*" }],
    ],
  ];
  it.each(table)("%s", (prefix, allow, block) => {
    expect(prefixRules(prefix, "allow")).toEqual({ ok: true, value: allow });
    expect(prefixRules(prefix, "block")).toEqual({ ok: true, value: block });
  });

  it.each([
    ["ghcr.io/app@sha256:"],
    ["ghcr.io/Team/"],
    ["ghcr.io/a*b/"],
  ])("%s cannot be translated", (prefix) => {
    const r = prefixRules(prefix, "allow");
    expect(r.ok).toBe(false);
  });
});

describe("a Kyverno wildcard pattern alternative", () => {
  it.each([
    ["bar.io/*", [{ hostname: "bar.io" }]],
    ["nginx", [{ hostname: "docker.io", imageName: "library/nginx", tag: "latest" }]],
    ["ghcr.io:443/a/b:v1", [{ hostname: "ghcr.io", port: "443", imageName: "a/b", tag: "v1" }]],
  ])("%s", (pattern, rules) => {
    expect(globRules(pattern, "allow")).toEqual({ ok: true, value: rules });
  });
  it.each([
    ["*/nginx"],
    ["bar.io/?"],
    ["nginx@sha256:aaaa"],
  ])("%s is refused with a reason", (pattern) => {
    const r = globRules(pattern, "allow");
    expect(r.ok).toBe(false);
    expect(r.ok ? "" : r.reason).toContain(pattern.replace("?", ""));
  });
});

describe("Gatekeeper exemptImages as normalized patterns", () => {
  it.each([
    ["openpolicyagent/opa-exp:latest", "docker.io/openpolicyagent/opa-exp:latest"],
    ["nginx", "docker.io/library/nginx:latest"],
    ["GHCR.io/team/app:v1", "ghcr.io/team/app:v1"],
    ["my-image-*", "docker.io/library/my-image-*"],
    ["ghcr.io/team/*", "ghcr.io/team/*"],
    ["myregistry.io:5000/app-*", "myregistry.io:5000/app-*"],
  ])("%s", (entry, pattern) => {
    expect(exemptPattern(entry)).toEqual({ ok: true, value: pattern });
  });
  it("refuses to exempt everything", () => {
    expect(exemptPattern("*").ok).toBe(false);
  });
});

function constraint(kind: string, spec: Record<string, unknown>): unknown {
  return { apiVersion: "constraints.gatekeeper.sh/v1beta1", kind, metadata: { name: "c" }, spec };
}

function only(result: ImportResult): Record<string, unknown> {
  expect(result.documents).toHaveLength(1);
  return result.documents[0]?.document.spec as Record<string, unknown>;
}

describe("Gatekeeper constraints", () => {
  const gk = (value: unknown) => importPolicies("gatekeeper", [{ source: "c.yaml", value }]);

  it.each([
    [undefined, "deny"],
    ["deny", "deny"],
    ["dryrun", "audit"],
    ["warn", "warn"],
  ])("enforcementAction %s is action %s", (enforcementAction, action) => {
    const spec = only(
      gk(
        constraint("K8sImageDigests", enforcementAction === undefined ? {} : { enforcementAction }),
      ),
    );
    expect(spec.action).toBe(action);
  });

  it("scopedEnforcementActions and unknown actions are untranslated, with the reason", () => {
    const a = gk(
      constraint("K8sImageDigests", { enforcementAction: "scoped", scopedEnforcementActions: [] }),
    );
    const b = gk(constraint("K8sImageDigests", { enforcementAction: "block" }));
    expect(a.documents).toEqual([]);
    expect(a.untranslated[0]?.reason).toMatch(/scopedEnforcementActions/);
    expect(b.untranslated[0]?.reason).toMatch(/"block" is not deny, dryrun or warn/);
  });

  it("namespaces and excludedNamespaces become a selector on kubernetes.io/metadata.name", () => {
    const spec = only(
      gk(
        constraint("K8sImageDigests", {
          match: {
            namespaces: ["a", "b"],
            excludedNamespaces: ["kube-system"],
            namespaceSelector: { matchLabels: { env: "prod" } },
          },
        }),
      ),
    );
    expect(spec.namespaceSelector).toEqual({
      matchLabels: { env: "prod" },
      matchExpressions: [
        { key: "kubernetes.io/metadata.name", operator: "In", values: ["a", "b"] },
        { key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["kube-system"] },
      ],
    });
  });

  it("globs and labelSelector are dropped only in the stricter direction, and listed", () => {
    const r = gk(
      constraint("K8sImageDigests", {
        match: {
          namespaces: ["team-*"],
          excludedNamespaces: ["kube-*", "default"],
          labelSelector: { matchLabels: { app: "x" } },
        },
      }),
    );
    const spec = only(r);
    expect(spec.namespaceSelector).toEqual({
      matchExpressions: [
        { key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["default"] },
      ],
    });
    const reasons = r.untranslated.map((u) => u.reason).join("\n");
    expect(reasons).toMatch(/team-\*.*every namespace \(stricter\)/);
    expect(reasons).toMatch(/kube-\*.*also applies there \(stricter\)/);
    expect(reasons).toMatch(/labelSelector.*\(stricter\)/);
  });

  it("a namespaceSelector requirement that is not one is untranslated, not copied", () => {
    const r = gk(
      constraint("K8sImageDigests", {
        match: {
          namespaceSelector: {
            matchExpressions: [{ key: "env", operator: "Equal", values: ["a"] }],
          },
        },
      }),
    );
    expect(r.documents).toEqual([]);
    expect(r.untranslated[0]?.reason).toBe(
      "spec.match.namespaceSelector.matchExpressions[0] is not a label selector requirement",
    );
  });

  it("match.kinds without any workload kind is untranslated", () => {
    const r = gk(
      constraint("K8sImageDigests", {
        match: { kinds: [{ apiGroups: [""], kinds: ["Service"] }] },
      }),
    );
    expect(r.documents).toEqual([]);
    expect(r.untranslated[0]?.reason).toMatch(/names no workload kind/);
  });

  it.each([
    [
      "K8sAllowedRepos",
      { repos: ["gcr.io/team/"] },
      "custom",
      [{ hostname: "gcr.io", imageName: "team/*" }],
    ],
    [
      "K8sAllowedReposv2",
      { allowedImages: ["nginx:1.27", "gcr.io/*"] },
      "custom",
      [{ hostname: "docker.io", imageName: "library/nginx", tag: "1.27" }, { hostname: "gcr.io" }],
    ],
    [
      "K8sDisallowedRepos",
      { repos: ["k8s.gcr.io"] },
      "blocked-images",
      [{ hostname: "k8s.gcr.io*" }],
    ],
    ["K8sDisallowedTags", { tags: ["dev"] }, "blocked-images", [{ tag: "latest" }, { tag: "dev" }]],
    ["K8sAllowedRepos", { repos: [] }, "blocked-images", [{ imageName: "*" }]],
  ])("%s %j", (kind, parameters, recipe, rules) => {
    const spec = only(gk(constraint(kind, { parameters })));
    expect(spec.recipe).toBe(recipe);
    expect((spec.input as { rules: unknown }).rules).toEqual(rules);
  });

  it("an allowlist entry it cannot say is left out and listed; a blocklist entry refuses the constraint", () => {
    const allow = gk(
      constraint("K8sAllowedRepos", { parameters: { repos: ["gcr.io/", "gcr.io/x@sha256:"] } }),
    );
    expect(only(allow).recipe).toBe("custom");
    expect(allow.untranslated[0]?.reason).toMatch(/digest; left out of the allowlist \(stricter\)/);
    const block = gk(
      constraint("K8sDisallowedRepos", { parameters: { repos: ["gcr.io/x@sha256:"] } }),
    );
    expect(block.documents).toEqual([]);
    expect(block.untranslated[0]?.reason).toMatch(/digest/);
  });

  it("unknown parameters, templates and other documents are listed, never dropped", () => {
    const r = importPolicies("gatekeeper", [
      { source: "a.yaml", value: constraint("K8sImageDigests", { parameters: { extra: 1 } }) },
      {
        source: "b.yaml",
        value: {
          apiVersion: "templates.gatekeeper.sh/v1",
          kind: "ConstraintTemplate",
          metadata: { name: "t" },
        },
      },
      { source: "c.yaml", value: { apiVersion: "v1", kind: "Pod", metadata: { name: "p" } } },
      { source: "d.yaml", value: constraint("K8sRequiredLabels", {}) },
    ]);
    expect(r.documents).toEqual([]);
    expect(r.untranslated.map((u) => `${u.source} ${u.kind}/${u.name}: ${u.reason}`)).toEqual([
      "a.yaml K8sImageDigests/c: spec.parameters.extra is not translated",
      "b.yaml ConstraintTemplate/t: a template's Rego is not translated; its constraints are",
      "c.yaml Pod/p: not a Gatekeeper constraint",
      "d.yaml K8sRequiredLabels/c: K8sRequiredLabels is not one of K8sAllowedRepos, K8sAllowedReposv2, K8sDisallowedRepos, K8sDisallowedTags, K8sImageDigests",
    ]);
  });

  it("two constraints of the same name get distinct policy names", () => {
    const r = importPolicies("gatekeeper", [
      { source: "a.yaml", value: constraint("K8sImageDigests", {}) },
      { source: "b.yaml", value: constraint("K8sDisallowedTags", { parameters: { tags: [] } }) },
    ]);
    expect(r.documents.map((d) => (d.document.metadata as { name: string }).name)).toEqual([
      "c",
      "c-2",
    ]);
  });
});

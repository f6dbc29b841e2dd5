import { describe, expect, it } from "vitest";
import { toFormErrors } from "../../console/src/lib/form-errors.js";
import {
  EMPTY_RULE,
  NEW_POLICY,
  type RuleRow,
  TEMPLATES,
  toDocument,
  toWizardState,
  type WizardState,
} from "../../console/src/lib/wizard.js";
import { RECIPE_RULE_FIELDS, validateDocument } from "../../src/core/policy/index.js";

const rule = (patch: Partial<RuleRow>): RuleRow => ({ ...EMPTY_RULE, ...patch });
const state = (patch: Partial<WizardState>): WizardState => ({
  ...NEW_POLICY,
  name: "p",
  ...patch,
});

describe("templates", () => {
  it("take exactly the rule fields of the policy language", () => {
    for (const t of TEMPLATES) {
      expect([...t.fields], t.recipe).toEqual([...(RECIPE_RULE_FIELDS[t.recipe as never] ?? [])]);
    }
  });
});

describe("wizard state → ImagePolicy document", () => {
  it.each<[string, Partial<WizardState>, Record<string, unknown>]>([
    [
      "custom rule in a workspace, deny",
      {
        scope: { kind: "workspace", workspace: "team-a" },
        rules: [rule({ hostname: "registry.mycorp.local", port: "5000", tagValue: "v*" })],
      },
      {
        workspace: "team-a",
        action: "deny",
        recipe: "custom",
        input: {
          rules: [
            {
              hostname: "registry.mycorp.local",
              port: "5000",
              tag: { value: "v*", negate: false },
            },
          ],
        },
      },
    ],
    [
      "require-digest takes no rules even when rows are left over",
      { recipe: "require-digest", action: "warn", rules: [rule({ hostname: "x" })] },
      { action: "warn", recipe: "require-digest" },
    ],
    [
      "allowed-name-tag keeps only imageName and tag",
      {
        recipe: "allowed-name-tag",
        rules: [rule({ hostname: "h", imageName: "team/*", tagValue: "1.*", requireDigest: true })],
      },
      {
        action: "deny",
        recipe: "allowed-name-tag",
        input: { rules: [{ imageName: "team/*", tag: { value: "1.*", negate: false } }] },
      },
    ],
    [
      "blocked-images drops requireDigest, keeps negate",
      {
        recipe: "blocked-images",
        rules: [
          rule({
            imageName: "library/nginx",
            tagValue: "latest",
            tagNegate: true,
            requireDigest: true,
          }),
        ],
      },
      {
        action: "deny",
        recipe: "blocked-images",
        input: { rules: [{ imageName: "library/nginx", tag: { value: "latest", negate: true } }] },
      },
    ],
    [
      "namespace in one cluster, audit",
      {
        scope: { kind: "namespace", cluster: "prod-1", namespace: "web" },
        action: "audit",
        recipe: "block-latest-tag",
      },
      { namespace: "prod-1/web", action: "audit", recipe: "block-latest-tag" },
    ],
    [
      "namespace in every cluster, include and exclude labels",
      {
        scope: { kind: "namespace", cluster: "", namespace: "web" },
        recipe: "require-digest",
        include: [
          { key: "env", value: "prod" },
          { key: "team", value: "" },
        ],
        exclude: [
          { key: "tier", value: "sandbox" },
          { key: "tier", value: "dev" },
          { key: "legacy", value: "" },
        ],
      },
      {
        namespace: "web",
        namespaceSelector: {
          matchLabels: { env: "prod" },
          matchExpressions: [
            { key: "team", operator: "Exists" },
            { key: "legacy", operator: "DoesNotExist" },
            { key: "tier", operator: "NotIn", values: ["sandbox", "dev"] },
          ],
        },
        action: "deny",
        recipe: "require-digest",
      },
    ],
  ])("%s", (_name, patch, spec) => {
    const doc = toDocument(state(patch));
    expect(doc).toEqual({
      apiVersion: "customs.dev/v1alpha1",
      kind: "ImagePolicy",
      metadata: { name: "p" },
      spec,
    });
    expect(toFormErrors(state(patch))).toEqual({});
    const v = validateDocument(doc);
    expect(v.issues.filter((i) => i.severity === "error")).toEqual([]);
    expect(v.kind).toBe("ImagePolicy");
  });
});

describe("form errors name the field path the server would use", () => {
  it.each<[string, Partial<WizardState>, Record<string, string>]>([
    ["no name", { name: "" }, { "metadata.name": "Enter a name." }],
    ["bad name", { name: "Web_1" }, { "metadata.name": expect.stringContaining("lowercase") }],
    [
      "no workspace",
      { scope: { kind: "workspace", workspace: "" } },
      { "spec.workspace": "Choose a workspace." },
    ],
    [
      "no namespace",
      { scope: { kind: "namespace", cluster: "c", namespace: "" } },
      { "spec.namespace": "Enter a namespace." },
    ],
    [
      "bad cluster",
      { scope: { kind: "namespace", cluster: "C!", namespace: "web" } },
      { "spec.namespace.cluster": expect.stringContaining("cluster") },
    ],
    [
      "empty rule",
      { rules: [EMPTY_RULE] },
      { "spec.input.rules[0]": expect.stringContaining("at least one field") },
    ],
    ["no rules", { rules: [] }, { "spec.input.rules": "Add at least one rule." }],
    [
      "port without hostname",
      { rules: [rule({ port: "5000" })] },
      { "spec.input.rules[0].port": expect.stringContaining("hostname") },
    ],
    [
      "port with letters",
      { rules: [rule({ hostname: "h", port: "50a" })] },
      { "spec.input.rules[0].port": expect.any(String) },
    ],
    [
      "uppercase image name",
      { rules: [rule({ imageName: "Team/App" })] },
      { "spec.input.rules[0].imageName": expect.any(String) },
    ],
    [
      "tag with a slash",
      { rules: [rule({ tagValue: "a/b" })] },
      { "spec.input.rules[0].tag.value": expect.any(String) },
    ],
    [
      "negate without a tag",
      { rules: [rule({ hostname: "h", tagNegate: true })] },
      { "spec.input.rules[0].tag.value": expect.any(String) },
    ],
    [
      "bad label key",
      { include: [{ key: "-x", value: "" }] },
      { "include[0].key": expect.any(String) },
    ],
    [
      "bad label value",
      { exclude: [{ key: "x", value: "a b" }] },
      { "exclude[0].value": expect.any(String) },
    ],
    [
      "value without key",
      { exclude: [{ key: "", value: "v" }] },
      { "exclude[0].key": "Enter a label key." },
    ],
    [
      "one key twice in include",
      {
        include: [
          { key: "env", value: "a" },
          { key: "env", value: "b" },
        ],
      },
      { "include[1].key": expect.any(String) },
    ],
  ])("%s", (_name, patch, errors) => {
    const s = state({ rules: [rule({ hostname: "h" })], ...patch });
    expect(toFormErrors(s)).toEqual(errors);
  });

  it("blank label rows and rules of templates without rules are ignored", () => {
    expect(
      toFormErrors(
        state({ recipe: "require-digest", rules: [], include: [{ key: " ", value: "" }] }),
      ),
    ).toEqual({});
  });
});

describe("editing an existing document", () => {
  it("keeps what the form does not show and folds input.audit into the action", () => {
    const doc = {
      apiVersion: "customs.dev/v1alpha1",
      kind: "ImagePolicy",
      metadata: {
        name: "p",
        labels: { a: "b" },
        resourceVersion: "7",
        updatedBy: "admin",
        uid: "u",
      },
      spec: {
        pinDigests: true,
        recipe: "custom",
        namespaceSelector: {
          matchExpressions: [{ key: "env", operator: "In", values: ["a", "b"] }],
        },
        input: { audit: true, rules: [{ hostname: "h", port: 5000, tag: "v1" }] },
      },
    };
    const s = toWizardState(doc);
    expect(s.action).toBe("audit");
    expect(s.rules).toEqual([rule({ hostname: "h", port: "5000", tagValue: "v1" })]);
    expect(toDocument(s)).toEqual({
      apiVersion: "customs.dev/v1alpha1",
      kind: "ImagePolicy",
      metadata: { labels: { a: "b" }, name: "p" },
      spec: {
        pinDigests: true,
        namespaceSelector: {
          matchExpressions: [{ key: "env", operator: "In", values: ["a", "b"] }],
        },
        action: "audit",
        recipe: "custom",
        input: { rules: [{ hostname: "h", port: "5000", tag: { value: "v1", negate: false } }] },
      },
    });
  });

  it("keeps the input of a supply-chain recipe unchanged", () => {
    const input = { maxAge: "30d" };
    const s = toWizardState({
      metadata: { name: "old" },
      spec: { recipe: "max-image-age", action: "warn", input },
    });
    expect(toDocument(s).spec).toEqual({ action: "warn", recipe: "max-image-age", input });
  });
});

describe("several tags and exemptImages in the wizard", () => {
  it("comma-separated tags become `values`, and valid policy", () => {
    const doc = toDocument(
      state({
        recipe: "allowed-name-tag",
        rules: [rule({ imageName: "team/*", tagValue: "v1.*, stable", tagNegate: true })],
      }),
    );
    expect((doc.spec as { input: unknown }).input).toEqual({
      rules: [{ imageName: "team/*", tag: { values: ["v1.*", "stable"], negate: true } }],
    });
    expect(validateDocument(doc).kind).toBe("ImagePolicy");
  });

  it.each([
    [["v1.*", "stable"], "v1.*, stable", false],
    [{ values: ["a", "b"], negate: true }, "a, b", true],
  ])("reads tag %j back as %s", (tag, text, negate) => {
    const s = toWizardState({
      metadata: { name: "p" },
      spec: { recipe: "custom", input: { rules: [{ hostname: "h", tag }] } },
    });
    expect(s.rules).toEqual([rule({ hostname: "h", tagValue: text, tagNegate: negate })]);
  });

  it("a bad tag among several is an error at tag.value", () => {
    const errors = toFormErrors(state({ rules: [rule({ hostname: "h", tagValue: "v1, a/b" })] }));
    expect(errors["spec.input.rules[0].tag.value"]).toContain("a/b");
  });

  it("keeps exemptImages of an edited policy", () => {
    const input = { exemptImages: ["docker.io/library/nginx:*"], rules: [{ hostname: "h" }] };
    const s = toWizardState({ metadata: { name: "p" }, spec: { recipe: "custom", input } });
    expect((toDocument(s).spec as { input: unknown }).input).toEqual(input);
  });
});

describe("image hygiene templates", () => {
  it("minimum-version writes rules with minVersion, and checks it", () => {
    const s = state({
      recipe: "minimum-version",
      rules: [
        rule({
          hostname: "registry.k8s.io",
          imageName: "ingress-nginx/controller",
          minVersion: "v1.11.2",
        }),
      ],
    });
    expect(toFormErrors(s)).toEqual({});
    const doc = toDocument(s);
    expect((doc.spec as { input: unknown }).input).toEqual({
      rules: [
        {
          hostname: "registry.k8s.io",
          imageName: "ingress-nginx/controller",
          minVersion: "v1.11.2",
        },
      ],
    });
    expect(validateDocument(doc).kind).toBe("ImagePolicy");
    const bad = toFormErrors(
      state({ recipe: "minimum-version", rules: [rule({ minVersion: "latest" })] }),
    );
    expect(bad["spec.input.rules[0].minVersion"]).toContain("not a version");
    expect(bad["spec.input.rules[0].imageName"]).toBeDefined();
  });

  it("require-pull-secret takes hostname and port only", () => {
    const doc = toDocument(
      state({
        recipe: "require-pull-secret",
        rules: [rule({ hostname: "registry.corp.example", imageName: "x", tagValue: "v1" })],
      }),
    );
    expect((doc.spec as { input: unknown }).input).toEqual({
      rules: [{ hostname: "registry.corp.example" }],
    });
    expect(validateDocument(doc).kind).toBe("ImagePolicy");
  });

  it("require-pull-policy takes no rules and keeps immutableTags", () => {
    const input = { immutableTags: ["v*"] };
    const s = toWizardState({
      metadata: { name: "p" },
      spec: { recipe: "require-pull-policy", input },
    });
    expect(s.rules).toEqual([]);
    const doc = toDocument(s);
    expect((doc.spec as { input: unknown }).input).toEqual(input);
    expect(validateDocument(doc).kind).toBe("ImagePolicy");
  });
});

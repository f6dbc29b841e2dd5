/**
 * The console's extensions (docs/policy-language.md, "Widening an allowlist"): the wizard
 * writes an extension the policy language accepts, offers only extensible allowlists as
 * parents, shows the merged allowlist, and the table puts extensions under their parent.
 */
import { describe, expect, it } from "vitest";
import {
  describeRuleDocument,
  extensibleParents,
  mergedAllowlist,
  withExtensionsUnderParents,
} from "../../console/src/lib/extensions.js";
import type { PolicyDocument } from "../../console/src/lib/resources.js";
import {
  EMPTY_RULE,
  NEW_POLICY,
  toDocument,
  toWizardState,
  type WizardState,
} from "../../console/src/lib/wizard.js";
import { describeRule } from "../../src/core/evaluate/index.js";
import { type PolicyRule, validateDocument } from "../../src/core/policy/index.js";

const doc = (name: string, spec: Record<string, unknown>) =>
  ({
    apiVersion: "customs.dev/v1alpha1",
    kind: "ImagePolicy",
    metadata: { name, resourceVersion: "1" },
    spec,
  }) as unknown as PolicyDocument;

const corp = doc("corp", {
  recipe: "custom",
  extensible: true,
  input: { rules: [{ hostname: "registry.corp.example" }] },
});
const wsList = doc("ws-list", {
  workspace: "w1",
  recipe: "allowed-name-tag",
  extensible: true,
  input: { rules: [{ imageName: "w1/*" }] },
});
const nsList = doc("ns-list", {
  namespace: "a",
  recipe: "custom",
  extensible: true,
  input: { rules: [{ hostname: "x.example" }] },
});
const closed = doc("closed", { recipe: "custom", input: { rules: [{ hostname: "y.example" }] } });
const blocklist = doc("blocks", {
  recipe: "blocked-images",
  extensible: true,
  input: { rules: [{ imageName: "busybox" }] },
});
const teamA = doc("team-a", {
  namespace: "team-a",
  extends: "corp",
  input: { rules: [{ hostname: "ghcr.io", imageName: "team-a/*" }] },
});

const extension: WizardState = {
  ...NEW_POLICY,
  name: "team-a",
  scope: { kind: "namespace", cluster: "", namespace: "team-a" },
  extends: "corp",
  action: "warn",
  rules: [{ ...EMPTY_RULE, hostname: "ghcr.io", imageName: "team-a/*" }],
};

describe("the wizard and extensions", () => {
  it("writes an extension without action or recipe, which the policy language accepts", () => {
    const d = toDocument(extension);
    expect(d.spec).toEqual({
      namespace: "team-a",
      extends: "corp",
      input: { rules: [{ hostname: "ghcr.io", imageName: "team-a/*" }] },
    });
    expect(validateDocument(d).issues.filter((i) => i.severity === "error")).toEqual([]);
  });

  it("writes extensible only for an allowlist", () => {
    const allow = toDocument({ ...NEW_POLICY, name: "p", extensible: true });
    expect((allow.spec as Record<string, unknown>).extensible).toBe(true);
    expect(validateDocument(allow).kind).toBe("ImagePolicy");
    const digest = toDocument({
      ...NEW_POLICY,
      name: "p",
      recipe: "require-digest",
      extensible: true,
    });
    expect((digest.spec as Record<string, unknown>).extensible).toBeUndefined();
  });

  it("reads an extension back unchanged", () => {
    const d = toDocument(extension);
    expect(toDocument(toWizardState(d))).toEqual(d);
    const e = toDocument({ ...NEW_POLICY, name: "p", extensible: true });
    expect(toDocument(toWizardState(e))).toEqual(e);
  });
});

describe("parents, merged allowlist, table order", () => {
  it("offers extensible allowlists of organization and workspace scope only", () => {
    const options = extensibleParents([nsList, wsList, closed, blocklist, corp, teamA]);
    expect(options.map((o) => [o.name, o.kind, o.recipe])).toEqual([
      ["corp", "organization", "custom"],
      ["ws-list", "workspace", "allowed-name-tag"],
    ]);
  });

  it("merges the parent's rules and the extension's, each named by its policy", () => {
    expect(mergedAllowlist(corp, toDocument(extension))).toEqual([
      { policy: "corp", index: 1, rule: "hostname registry.corp.example" },
      { policy: "team-a", index: 1, rule: "hostname ghcr.io, image name team-a/*" },
    ]);
  });

  it.each<PolicyRule>([
    {
      hostname: "a.example",
      port: "5000",
      imageName: "x/*",
      tag: { value: "v*", values: ["v*"], negate: false },
    },
    { tag: { value: "latest", values: ["latest"], negate: true }, requireDigest: true },
    {},
  ])("describes a rule as the engine does: %j", (rule) => {
    expect(describeRuleDocument(rule)).toBe(describeRule(rule));
  });

  it("puts each extension under its parent, and keeps an orphan in place", () => {
    const orphan = doc("orphan", { namespace: "b", extends: "gone", input: { rules: [{}] } });
    const rows = withExtensionsUnderParents([teamA, closed, orphan, corp]);
    expect(rows.map((r) => [r.policy.metadata.name, r.parent])).toEqual([
      ["closed", undefined],
      ["orphan", "gone"],
      ["corp", undefined],
      ["team-a", "corp"],
    ]);
  });
});

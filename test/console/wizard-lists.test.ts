import { describe, expect, it } from "vitest";
import { MISSING, toFormErrors } from "../../console/src/lib/form-errors.js";
import {
  listInputsOf,
  NEW_POLICY,
  toDocument,
  toWizardState,
  type WizardState,
} from "../../console/src/lib/wizard.js";
import { validateDocument } from "../../src/core/policy/index.js";

const state = (patch: Partial<WizardState>): WizardState => ({
  ...NEW_POLICY,
  name: "p",
  ...patch,
});
const inputOf = (doc: Record<string, unknown>) => (doc.spec as { input?: unknown }).input;
const serverErrors = (doc: Record<string, unknown>) =>
  Object.fromEntries(
    validateDocument(doc)
      .issues.filter((i) => i.severity === "error")
      .map((i) => [i.path, i.message]),
  );

describe("list inputs the wizard edits", () => {
  it.each<[string, Partial<WizardState>, string[]]>([
    ["every recipe takes exemptImages", { recipe: "custom" }, ["exemptImages"]],
    ["a recipe without rules too", { recipe: "require-digest" }, ["exemptImages"]],
    ["a supply-chain recipe too", { recipe: "max-image-age" }, ["exemptImages"]],
    [
      "require-pull-policy: immutableTags",
      { recipe: "require-pull-policy" },
      ["exemptImages", "immutableTags"],
    ],
    ["an extension adds rules only", { recipe: "custom", extends: "base" }, []],
  ])("%s", (_, patch, lists) => {
    expect(listInputsOf(state(patch))).toEqual(lists);
  });

  it("writes exemptImages rows (trimmed) and immutableTags, valid policy", () => {
    const doc = toDocument(
      state({
        recipe: "require-pull-policy",
        rules: [],
        exemptImages: [" docker.io/library/nginx:* ", "registry.corp.example/tools/*"],
        immutableTags: ["v*.*.*"],
      }),
    );
    expect(inputOf(doc)).toEqual({
      exemptImages: ["docker.io/library/nginx:*", "registry.corp.example/tools/*"],
      immutableTags: ["v*.*.*"],
    });
    expect(validateDocument(doc).kind).toBe("ImagePolicy");
  });

  it("no rows: no field; immutableTags only for require-pull-policy", () => {
    expect(
      inputOf(toDocument(state({ recipe: "require-digest", rules: [], exemptImages: [] }))),
    ).toBe(undefined);
    const doc = toDocument(state({ recipe: "require-digest", rules: [], immutableTags: ["v*"] }));
    expect(inputOf(doc)).toBe(undefined);
  });

  it("reads the lists of an edited policy into rows and writes them back", () => {
    const input = { exemptImages: ["docker.io/library/nginx:*"], immutableTags: ["v*"] };
    const s = toWizardState({
      metadata: { name: "p" },
      spec: { recipe: "require-pull-policy", input },
    });
    expect(s.exemptImages).toEqual(["docker.io/library/nginx:*"]);
    expect(s.immutableTags).toEqual(["v*"]);
    expect(s.keep.input).toEqual({});
    const edited = toDocument({ ...s, exemptImages: [...(s.exemptImages ?? []), "ghcr.io/x/*"] });
    expect(inputOf(edited)).toEqual({
      exemptImages: ["docker.io/library/nginx:*", "ghcr.io/x/*"],
      immutableTags: ["v*"],
    });
  });

  it("an extension's input keeps what it has (the server names it) and edits none", () => {
    const input = { rules: [{ imageName: "x" }], exemptImages: ["a/*"] };
    const s = toWizardState({ metadata: { name: "p" }, spec: { extends: "base", input } });
    expect(s.exemptImages).toBe(undefined);
    expect(inputOf(toDocument(s))).toEqual(input);
  });

  it("a list that is not of strings is kept as it was, for the server to name", () => {
    const input = { exemptImages: [1] };
    const s = toWizardState({ metadata: { name: "p" }, spec: { recipe: "require-digest", input } });
    expect(s.exemptImages).toBe(undefined);
    expect(inputOf(toDocument(s))).toEqual(input);
  });

  it.each<[string, Partial<WizardState>, string]>([
    [
      "a character no image holds",
      { exemptImages: ["ok/*", "bad image"] },
      "spec.input.exemptImages[1]",
    ],
    [
      "a pattern too long",
      { exemptImages: [`a/${"b".repeat(600)}`] },
      "spec.input.exemptImages[0]",
    ],
    [
      "a bad tag pattern",
      { recipe: "require-pull-policy", immutableTags: ["v1/x"] },
      "spec.input.immutableTags[0]",
    ],
  ])("%s: the error is at the path the server uses, with its message", (_, patch, path) => {
    const s = state({ recipe: "require-digest", rules: [], ...patch });
    const mine = toFormErrors(s);
    const server = serverErrors(toDocument(s));
    expect(mine[path]).toBeDefined();
    expect(mine[path]).toBe(server[path]);
  });

  it("a blank row is a missing entry (shown once saving is tried)", () => {
    const errors = toFormErrors(
      state({ recipe: "require-digest", rules: [], exemptImages: ["a/*", " "] }),
    );
    expect(errors).toEqual({ "spec.input.exemptImages[1]": MISSING.entry });
  });
});

describe("supply-chain templates with inputs", () => {
  it("max-image-size writes maxSize, checked as the validator does", () => {
    const doc = toDocument(state({ recipe: "max-image-size", rules: [], maxSize: " 500Mi " }));
    expect(inputOf(doc)).toEqual({ maxSize: "500Mi" });
    expect(validateDocument(doc).kind).toBe("ImagePolicy");
    expect(toFormErrors(state({ recipe: "max-image-size", rules: [] }))).toEqual({
      "spec.input.maxSize": MISSING.maxSize,
    });
    const bad = state({ recipe: "max-image-size", rules: [], maxSize: "lots" });
    expect(toFormErrors(bad)["spec.input.maxSize"]).toBe(
      serverErrors(toDocument(bad))["spec.input.maxSize"],
    );
  });

  it("no-volumes writes allowed paths; a relative one is an error at its row", () => {
    const doc = toDocument(state({ recipe: "no-volumes", rules: [], allowed: ["/data"] }));
    expect(inputOf(doc)).toEqual({ allowed: ["/data"] });
    expect(validateDocument(doc).kind).toBe("ImagePolicy");
    const bad = state({ recipe: "no-volumes", rules: [], allowed: ["/data", "tmp"] });
    const mine = toFormErrors(bad)["spec.input.allowed[1]"];
    expect(mine).toContain("not a volume path");
    expect(mine).toBe(serverErrors(toDocument(bad))["spec.input.allowed[1]"]);
  });

  it("reads maxSize and allowed of an edited policy", () => {
    const size = toWizardState({
      metadata: { name: "p" },
      spec: { recipe: "max-image-size", input: { maxSize: 1024, exemptImages: ["a/*"] } },
    });
    expect(size.maxSize).toBe("1024");
    expect(inputOf(toDocument(size))).toEqual({ maxSize: "1024", exemptImages: ["a/*"] });
    const vols = toWizardState({
      metadata: { name: "p" },
      spec: { recipe: "no-volumes", input: { allowed: ["/data"] } },
    });
    expect(vols.allowed).toEqual(["/data"]);
    expect(vols.keep.input).toEqual({});
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createEvaluator,
  explainImage,
  toImageFacts,
  toNamespaceFacts,
} from "../src/core/evaluate/index.js";
import { exemptKey, validateDocument } from "../src/core/policy/index.js";
import { decideWith, facts, metadata, ok } from "./supply/support.js";
import { compileDocs, policyDoc } from "./support/policies.js";

const D = `sha256:${"a".repeat(64)}`;
const ns = toNamespaceFacts("default");

function violationsOf(spec: Record<string, unknown>, image: string) {
  const evaluator = createEvaluator(compileDocs(policyDoc("p", spec)));
  return evaluator.evaluate(ns, [{ container: "c", containerType: "containers", image }])
    .violations;
}

function errorsOf(spec: Record<string, unknown>): string[] {
  const r = validateDocument(policyDoc("p", spec));
  return r.issues.filter((i) => i.severity === "error").map((i) => `${i.path}: ${i.message}`);
}

describe("exemptKey: the normalized image with its implied tag", () => {
  const cases: Array<[string, string]> = [
    ["busybox", "docker.io/library/busybox:latest"],
    ["Registry-1.Docker.io/busybox:1.36", "docker.io/library/busybox:1.36"],
    [`host:5000/a/b:v1@${D}`, `host:5000/a/b:v1@${D}`],
    [`reg.io/a@${D}`, `reg.io/a@${D}`],
    ["REG.example/a:v1", "reg.example/a:v1"],
  ];
  it.each(cases)("%s -> %s", (image, key) => {
    const f = toImageFacts(image);
    expect(f.valid && exemptKey(f.parts)).toBe(key);
  });
});

describe("exemptImages (every recipe)", () => {
  const exempt = ["docker.io/library/nginx:*", "registry.corp.example/tools/*"];
  const cases: Array<[string, Record<string, unknown>, string, boolean]> = [
    ["require-digest: exempt nginx", { recipe: "require-digest" }, "nginx:1.27", true],
    ["require-digest: nginx implied latest", { recipe: "require-digest" }, "nginx", true],
    ["require-digest: busybox not exempt", { recipe: "require-digest" }, "busybox:1", false],
    [
      "require-digest: tools by digest only",
      { recipe: "require-digest" },
      "registry.corp.example/tools/x",
      true,
    ],
    ["block-latest-tag: exempt", { recipe: "block-latest-tag" }, "nginx:latest", true],
    [
      "custom: exempt passes an allowlist",
      { recipe: "custom", input: { rules: [{ hostname: "quay.io" }] } },
      "nginx:1",
      true,
    ],
    [
      "blocked-images: exempt passes a blocklist",
      { recipe: "blocked-images", input: { rules: [{ imageName: "nginx" }] } },
      "nginx:1",
      true,
    ],
    [
      "blocked-images: the pattern is on the whole image, not the name",
      { recipe: "blocked-images", input: { rules: [{ imageName: "*nginx" }] } },
      "quay.io/library/nginx:1",
      false,
    ],
  ];
  it.each(cases)("%s", (_name, spec, image, passes) => {
    const input = { ...((spec.input as object | undefined) ?? {}), exemptImages: exempt };
    expect(violationsOf({ ...spec, input }, image).length === 0).toBe(passes);
  });

  it("an invalid image is never exempt, whatever the pattern", () => {
    const v = violationsOf({ recipe: "require-digest", input: { exemptImages: ["*"] } }, "A:B:C");
    expect(v.map((x) => x.code)).toEqual(["IMAGE_REFERENCE_INVALID"]);
  });

  it("a container without an image is never exempt", () => {
    const evaluator = createEvaluator(
      compileDocs(policyDoc("p", { recipe: "require-digest", input: { exemptImages: ["*"] } })),
    );
    const d = evaluator.evaluate(ns, [
      { container: "c", containerType: "containers", image: undefined },
    ]);
    expect(d.violations.map((x) => x.code)).toEqual(["IMAGE_MISSING"]);
  });

  it("exempts only from its own policy: other policies still check the image", () => {
    const evaluator = createEvaluator(
      compileDocs(
        policyDoc("a", { recipe: "require-digest", input: { exemptImages: ["*"] } }),
        policyDoc("b", { recipe: "block-latest-tag" }),
      ),
    );
    const d = evaluator.evaluate(ns, [{ container: "c", containerType: "containers", image: "x" }]);
    expect(d.violations.map((v) => v.policy)).toEqual(["b"]);
  });

  it("explain says which entry exempts the image", () => {
    const set = compileDocs(
      policyDoc("p", {
        recipe: "require-digest",
        input: { exemptImages: ["quay.io/*", "*nginx*"] },
      }),
    );
    const [e] = explainImage(set, ns, "nginx:1").policies;
    expect(e?.result).toBe("pass");
    expect(e?.detail).toContain("exempt by exemptImages[1]");
  });

  it("supply-chain recipes skip exempt images (no facts needed)", () => {
    const spec = {
      recipe: "non-root-user",
      input: { exemptImages: ["registry.example.com/team/*"] },
    };
    const rootFacts = facts({ metadata: ok(metadata({ user: "" })) });
    expect(decideWith(spec, rootFacts).violations).toEqual([]);
    expect(decideWith({ recipe: "non-root-user" }, rootFacts).violations.length).toBe(1);
  });

  it.each([
    [{ exemptImages: "nginx" }, "spec.input.exemptImages: expected a list"],
    [{ exemptImages: [""] }, "spec.input.exemptImages[0]: must not be empty"],
    [{ exemptImages: [null] }, "spec.input.exemptImages[0]: is required"],
    [{ exemptImages: [3] }, "spec.input.exemptImages[0]: expected a string"],
    [{ exemptImages: ["ok/*", "a b"] }, 'spec.input.exemptImages[1]: "a b" can never match'],
    [{ exemptImages: ["x".repeat(513)] }, "spec.input.exemptImages[0]: is 513 characters long"],
    [{ exemptImages: Array(1001).fill("x") }, "spec.input.exemptImages: has 1001 entries"],
  ])("refuses bad exemptImages (%#) at its path", (input, expected) => {
    expect(errorsOf({ recipe: "require-digest", input }).join("\n")).toContain(expected);
  });

  it("every recipe takes exemptImages", () => {
    expect(errorsOf({ recipe: "non-root-user", input: { exemptImages: ["a/*"] } })).toEqual([]);
    expect(
      errorsOf({ recipe: "custom", input: { rules: [{ hostname: "a" }], exemptImages: [] } }),
    ).toEqual([]);
  });
});

describe("several tags in one rule", () => {
  const allow = (tag: unknown) => ({
    recipe: "allowed-name-tag",
    input: { rules: [{ imageName: "library/nginx", tag }] },
  });
  const cases: Array<[string, unknown, string, boolean]> = [
    ["list: first matches", ["v1.*", "stable"], "nginx:v1.2", true],
    ["list: second matches", ["v1.*", "stable"], "nginx:stable", true],
    ["list: none matches", ["v1.*", "stable"], "nginx:v2", false],
    ["list: digest-only never matches", ["*"], `nginx@${D}`, false],
    ["values: any", { values: ["v1.*", "stable"] }, "nginx:stable", true],
    ["values negated: none matches", { values: ["latest", "dev"], negate: true }, "nginx:1", true],
    [
      "values negated: one matches",
      { values: ["latest", "dev"], negate: true },
      "nginx:dev",
      false,
    ],
    ["values negated: digest-only", { values: ["latest"], negate: true }, `nginx@${D}`, true],
  ];
  it.each(cases)("%s", (_name, tag, image, passes) => {
    expect(violationsOf(allow(tag), image).length === 0).toBe(passes);
  });

  it("a list is the same as {values} and as one rule per tag (property)", () => {
    const tag = fc.constantFrom("v1", "v*", "*.1", "latest", "stable", "1.*");
    fc.assert(
      fc.property(
        fc.array(tag, { minLength: 1, maxLength: 4 }),
        fc.constantFrom("nginx", "nginx:v1", "nginx:1.1", "nginx:stable", `nginx@${D}`),
        (tags, image) => {
          const asList = violationsOf(allow(tags), image).length === 0;
          const asValues = violationsOf(allow({ values: tags }), image).length === 0;
          const perRule = {
            recipe: "allowed-name-tag",
            input: { rules: tags.map((t) => ({ imageName: "library/nginx", tag: t })) },
          };
          expect(asValues).toBe(asList);
          expect(violationsOf(perRule, image).length === 0).toBe(asList);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("the message names every tag", () => {
    const [v] = violationsOf(allow(["v1.*", "stable"]), "nginx:v2");
    expect(v?.message).toContain("a tag of v1.* or stable");
    const [n] = violationsOf(allow({ values: ["latest", "dev"], negate: true }), "nginx:dev");
    expect(n?.message).toContain("a tag other than any of latest or dev");
  });

  it.each([
    [[], "spec.input.rules[0].tag: needs at least one tag pattern"],
    [{ values: [] }, "spec.input.rules[0].tag.values: needs at least one tag pattern"],
    [["v1", "a/b"], 'spec.input.rules[0].tag[1]: "a/b" can never match'],
    [["v1", 3], "spec.input.rules[0].tag[1]: expected a string"],
    [["v1", ""], "spec.input.rules[0].tag[1]: must not be empty"],
    [{ value: "v1", values: ["v2"] }, "spec.input.rules[0].tag: set one of `value` and `values`"],
    [{ values: ["v1"], other: 1 }, "spec.input.rules[0].tag.other: unknown field"],
    [3, "spec.input.rules[0].tag: expected a string, a list of strings"],
  ])("refuses tag %j at its path", (tag, expected) => {
    expect(errorsOf(allow(tag)).join("\n")).toContain(expected);
  });
});

describe("lint: exemptImages entries that can never match a normalized image", () => {
  const warnings = (exemptImages: string[]) =>
    validateDocument(policyDoc("p", { recipe: "require-digest", input: { exemptImages } }))
      .issues.filter((i) => i.code === "LINT_EXEMPT_NOT_NORMALIZED")
      .map((i) => i.path);
  it.each<[string[], string[]]>([
    [["docker.io/library/nginx:*", "*/nginx:*", "localhost:5000/a", "reg.io/a"], []],
    [
      ["nginx:*", "library/nginx:*"],
      ["spec.input.exemptImages[0]", "spec.input.exemptImages[1]"],
    ],
  ])("%j", (entries, expected) => {
    expect(warnings(entries)).toEqual(expected);
  });
});

describe("property: exemptImages", () => {
  const images = fc.constantFrom(
    "busybox",
    "nginx:1.27",
    `quay.io/team/app:v1@${D}`,
    `reg.io:5000/a/b@${D}`,
    "Registry-1.Docker.io/library/redis:7",
    "localhost:5000/x:latest",
  );
  it("a pattern exempts exactly the images whose normalized key it matches, whatever the recipe", () => {
    fc.assert(
      fc.property(
        images,
        images,
        fc.nat(60),
        fc.nat(60),
        fc.constantFrom("require-digest", "block-latest-tag"),
        (image, other, a, b, recipe) => {
          const f = toImageFacts(image);
          if (!f.valid) return;
          const key = exemptKey(f.parts);
          const [i, j] = [Math.min(a, b, key.length), Math.min(Math.max(a, b), key.length)];
          const pattern = `${key.slice(0, i)}*${key.slice(j)}`;
          const spec = { recipe, input: { exemptImages: [pattern] } };
          // The image it was made from is always exempt.
          expect(violationsOf(spec, image)).toEqual([]);
          // Another image is exempt only if the pattern matches its key too.
          const g = toImageFacts(other);
          if (!g.valid) return;
          const otherKey = exemptKey(g.parts);
          const matches =
            otherKey.length >= i + (key.length - j) &&
            otherKey.startsWith(key.slice(0, i)) &&
            otherKey.endsWith(key.slice(j));
          const plain = violationsOf({ recipe }, other).length;
          expect(violationsOf(spec, other).length).toBe(matches ? 0 : plain);
        },
      ),
      { numRuns: 300 },
    );
  });
});

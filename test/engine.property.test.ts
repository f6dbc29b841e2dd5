import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createEvaluator, toNamespaceFacts } from "../src/core/evaluate/index.js";
import { compilePattern, matchPattern } from "../src/core/policy/index.js";
import { compileDocs, policyDoc } from "./support/policies.js";

/** The test's oracle for patterns: a regular expression (fine here: the patterns are ours). */
function oracle(pattern: string, value: string): boolean {
  const source = pattern
    .split("*")
    .map((s) => s.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&"))
    .join("[\\s\\S]*");
  return new RegExp(`^${source}$`).test(value);
}

const alphabet = fc.constantFrom("a", "b", "/", ".", "*", "-");
const small = fc.array(alphabet, { maxLength: 10 }).map((cs) => cs.join(""));

describe("wildcard patterns", () => {
  it("agree with a regular-expression oracle", () => {
    fc.assert(
      fc.property(small, small, (pattern, value) => {
        expect(matchPattern(compilePattern(pattern), value)).toBe(oracle(pattern, value));
      }),
      { numRuns: 20_000 },
    );
  });

  it("lowercase mode folds the pattern only", () => {
    expect(matchPattern(compilePattern("Registry.*", true), "registry.local")).toBe(true);
    expect(matchPattern(compilePattern("registry.*"), "Registry.local")).toBe(false);
  });

  it("stay fast on adversarial patterns (no backtracking blow-up)", () => {
    const p = compilePattern(`${"*a".repeat(200)}*b`);
    expect(matchPattern(p, "a".repeat(5_000))).toBe(false);
  });
});

const part = fc.stringMatching(/^[a-z0-9]{1,4}$/);
const imageArb = fc.oneof(
  fc
    .tuple(
      fc.constantFrom("", "docker.io/", "quay.io/", "localhost:5000/", "registry-1.docker.io/"),
      part,
      fc.option(part),
      fc.option(part),
    )
    .map(([host, name, ns, tag]) => `${host}${ns ? `${ns}/` : ""}${name}${tag ? `:${tag}` : ""}`),
  fc.string({ maxLength: 30 }),
);
const ruleArb = fc.record(
  {
    hostname: fc.constantFrom("docker.io", "quay.io", "localhost", "*"),
    imageName: fc.constantFrom("library/*", "*a*", "b", "*/*", "library/a"),
    tag: fc.record({ value: fc.constantFrom("latest", "a*", "*"), negate: fc.boolean() }),
  },
  { requiredKeys: [] },
);

describe("the engine", () => {
  it("never throws, and an image that does not parse is never allowed by an applicable deny policy", () => {
    const set = compileDocs(
      policyDoc("p", { recipe: "blocked-images", input: { rules: [{ imageName: "zzz" }] } }),
    );
    const evaluator = createEvaluator(set);
    const ns = toNamespaceFacts("default");
    fc.assert(
      fc.property(fc.oneof(imageArb, fc.string({ unit: "grapheme", maxLength: 50 })), (image) => {
        const d = evaluator.evaluate(ns, [{ container: "c", containerType: "containers", image }]);
        if (!evaluator.imageFacts(image).valid) expect(d.verdict).toBe("deny");
      }),
      { numRuns: 3_000 },
    );
  });

  it("custom and blocked-images with the same rule are exact complements on valid images", () => {
    fc.assert(
      fc.property(ruleArb, imageArb, (rule, image) => {
        const evaluator = createEvaluator(
          compileDocs(
            policyDoc("allow", { recipe: "custom", input: { rules: [rule] } }),
            policyDoc("block", { recipe: "blocked-images", input: { rules: [rule] } }),
          ),
        );
        if (!evaluator.imageFacts(image).valid) return;
        // blocked-images also matches short Docker Hub names; custom does not. Compare where they coincide.
        if (
          rule.imageName !== undefined &&
          !rule.imageName.includes("/") &&
          !rule.imageName.startsWith("*")
        )
          return;
        const failed = evaluator
          .evaluate(toNamespaceFacts("default"), [
            { container: "c", containerType: "containers", image },
          ])
          .violations.map((v) => v.policy);
        expect(failed).toHaveLength(1);
      }),
      { numRuns: 5_000 },
    );
  });

  it("adding a policy never turns a denial into an allow (policies add up)", () => {
    const recipes = fc.constantFrom<Record<string, unknown>>(
      { recipe: "require-digest" },
      { recipe: "block-latest-tag" },
      { recipe: "custom", input: { rules: [{ hostname: "quay.io" }] } },
      { recipe: "blocked-images", input: { rules: [{ imageName: "*a*" }] } },
      { recipe: "allowed-name-tag", input: { rules: [{ imageName: "library/*" }] } },
    );
    fc.assert(
      fc.property(
        fc.array(recipes, { minLength: 1, maxLength: 5 }),
        recipes,
        imageArb,
        (specs, extra, image) => {
          const docs = specs.map((s, i) => policyDoc(`p${i}`, s));
          const c = [{ container: "c", containerType: "containers" as const, image }];
          const ns = toNamespaceFacts("default");
          const before = createEvaluator(compileDocs(...docs)).evaluate(ns, c);
          const after = createEvaluator(compileDocs(...docs, policyDoc("extra", extra))).evaluate(
            ns,
            c,
          );
          if (before.verdict === "deny") expect(after.verdict).toBe("deny");
          expect(after.violations.length).toBeGreaterThanOrEqual(before.violations.length);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("memoized and fresh evaluations agree", () => {
    const docs = [
      policyDoc("a", {
        recipe: "custom",
        input: { rules: [{ hostname: "docker.io", imageName: "library/*" }] },
      }),
      policyDoc("b", { recipe: "block-latest-tag", action: "warn" }),
    ];
    const shared = createEvaluator(compileDocs(...docs));
    fc.assert(
      fc.property(fc.array(imageArb, { minLength: 1, maxLength: 20 }), (images) => {
        for (const image of [...images, ...images]) {
          const c = [{ container: "c", containerType: "containers" as const, image }];
          const ns = toNamespaceFacts("default");
          expect(shared.evaluate(ns, c)).toEqual(
            createEvaluator(compileDocs(...docs)).evaluate(ns, c),
          );
        }
      }),
      { numRuns: 300 },
    );
  });
});

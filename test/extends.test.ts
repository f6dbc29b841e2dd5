/**
 * Widening an allowlist by scope (docs/policy-language.md, "Widening an allowlist"):
 * validation with field paths, the set's checks, evaluation, messages and explain.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ContainerInput,
  createEvaluator,
  explainImage,
  toImageFacts,
  toNamespaceFacts,
} from "../src/core/evaluate/index.js";
import {
  checkExtensions,
  compilePolicySet,
  type ImagePolicy,
  validateDocument,
} from "../src/core/policy/index.js";
import { compileDocs, policyDoc, workspaceDoc } from "./support/policies.js";

const corp = (extra: Record<string, unknown> = {}) =>
  policyDoc("corp-registries", {
    recipe: "custom",
    extensible: true,
    input: { rules: [{ hostname: "registry.corp.example" }] },
    ...extra,
  });

const teamA = (extra: Record<string, unknown> = {}) =>
  policyDoc("team-a-registries", {
    namespace: "team-a",
    extends: "corp-registries",
    input: { rules: [{ hostname: "ghcr.io", imageName: "team-a/*" }] },
    ...extra,
  });

const container = (image: string): ContainerInput => ({
  container: "app",
  containerType: "containers",
  image,
});

function errorPaths(doc: Record<string, unknown>): string[] {
  return validateDocument(doc)
    .issues.filter((i) => i.severity === "error")
    .map((i) => i.path);
}

function policiesOf(...docs: Record<string, unknown>[]): ImagePolicy[] {
  return docs.map((d) => {
    const r = validateDocument(d);
    if (r.kind !== "ImagePolicy") throw new Error(JSON.stringify(r.issues));
    return r.policy;
  });
}

describe("validation of extensible and extends (one document)", () => {
  const table: [string, Record<string, unknown>, string[]][] = [
    ["an extensible custom allowlist", corp(), []],
    [
      "an extensible allowed-name-tag allowlist",
      policyDoc("p", {
        recipe: "allowed-name-tag",
        extensible: true,
        input: { rules: [{ imageName: "a/*" }] },
      }),
      [],
    ],
    [
      "extensible: false on a blocklist",
      policyDoc("p", {
        recipe: "blocked-images",
        extensible: false,
        input: { rules: [{ imageName: "busybox" }] },
      }),
      [],
    ],
    [
      "an extensible blocklist",
      policyDoc("p", {
        recipe: "blocked-images",
        extensible: true,
        input: { rules: [{ imageName: "busybox" }] },
      }),
      ["spec.extensible"],
    ],
    [
      "an extensible require-digest",
      policyDoc("p", { recipe: "require-digest", extensible: true }),
      ["spec.extensible"],
    ],
    ["extensible not a boolean", corp({ extensible: "yes" }), ["spec.extensible"]],
    ["an extension without a recipe", teamA(), []],
    ["an extension with its parent's recipe", teamA({ recipe: "custom" }), []],
    ["an extension of a workspace", teamA({ namespace: undefined, workspace: "ws-a" }), []],
    ["an extension with an action", teamA({ action: "warn" }), ["spec.action"]],
    ["an extension with pinDigests", teamA({ pinDigests: false }), ["spec.pinDigests"]],
    ["an extension that is extensible", teamA({ extensible: true }), ["spec.extensible"]],
    [
      "an extension with audit",
      teamA({ input: { audit: true, rules: [{ hostname: "ghcr.io" }] } }),
      ["spec.input.audit"],
    ],
    ["an extension of organization scope", teamA({ namespace: undefined }), ["spec.extends"]],
    ["an extension with a blocklist recipe", teamA({ recipe: "blocked-images" }), ["spec.recipe"]],
    ["an extension without rules", teamA({ input: {} }), ["spec.input.rules"]],
    ["extends not a name", teamA({ extends: "Corp_Registries" }), ["spec.extends"]],
    ["extends empty", teamA({ extends: "" }), ["spec.extends"]],
    ["extends not a string", teamA({ extends: 3 }), ["spec.extends"]],
    [
      "an extension's rule with an unknown field",
      teamA({ input: { rules: [{ registry: "ghcr.io" }] } }),
      ["spec.input.rules[0].registry"],
    ],
    [
      "a policy without recipe nor extends",
      policyDoc("p", { input: { rules: [] } }),
      ["spec.recipe"],
    ],
  ];
  it.each(table)("%s", (_name, doc, paths) => {
    expect(errorPaths(doc)).toEqual(paths);
  });

  it("records the parent and whether the recipe was left out", () => {
    const [ext, withRecipe] = policiesOf(teamA(), teamA({ recipe: "custom" }));
    expect(ext?.extension).toEqual({ parent: "corp-registries", recipeInherited: true });
    expect(withRecipe?.extension).toEqual({ parent: "corp-registries", recipeInherited: false });
    expect(policiesOf(corp())[0]?.extensible).toBe(true);
  });
});

describe("the set's checks on extensions", () => {
  const paths = (...docs: Record<string, unknown>[]) =>
    checkExtensions(policiesOf(...docs)).issues.map((i) => `${i.policy} ${i.path}`);

  const table: [string, Record<string, unknown>[], string[]][] = [
    ["parent and extension", [corp(), teamA()], []],
    ["a missing parent", [teamA()], ["team-a-registries spec.extends"]],
    [
      "a parent that is not extensible",
      [corp({ extensible: false }), teamA()],
      ["team-a-registries spec.extends"],
    ],
    [
      "a parent that is itself an extension",
      [
        corp(),
        teamA(),
        policyDoc("x", {
          namespace: "team-a",
          extends: "team-a-registries",
          input: { rules: [{ hostname: "a.example" }] },
        }),
      ],
      ["x spec.extends"],
    ],
    [
      "another recipe than the parent's",
      [corp(), teamA({ recipe: "allowed-name-tag", input: { rules: [{ imageName: "a/*" }] } })],
      ["team-a-registries spec.recipe"],
    ],
    [
      "a rule field the parent's recipe does not take",
      [
        policyDoc("corp-registries", {
          recipe: "allowed-name-tag",
          extensible: true,
          input: { rules: [{ imageName: "corp/*" }] },
        }),
        teamA(),
      ],
      ["team-a-registries spec.input.rules[0].hostname"],
    ],
    [
      "a workspace extension of a workspace policy",
      [corp({ workspace: "ws-a" }), teamA({ namespace: undefined, workspace: "ws-a" })],
      ["team-a-registries spec.workspace"],
    ],
    ["a namespace extension of a workspace policy", [corp({ workspace: "ws-a" }), teamA()], []],
    [
      "an extension of a namespace policy",
      [corp({ namespace: "team-a" }), teamA()],
      ["team-a-registries spec.extends"],
    ],
  ];
  it.each(table)("%s", (_name, docs, expected) => {
    expect(paths(...docs)).toEqual(expected);
  });

  it("leaves refused extensions out and gives valid ones the parent's recipe and action", () => {
    const checked = checkExtensions(
      policiesOf(corp({ action: "warn" }), teamA(), teamA({ extends: "gone" })),
    );
    expect(checked.policies.map((p) => [p.name, p.recipe, p.action])).toEqual([
      ["corp-registries", "custom", "warn"],
      ["team-a-registries", "custom", "warn"],
    ]);
  });

  it("keeps extensions out of the evaluated policies and lists them by parent", () => {
    const set = compileDocs(corp(), teamA());
    expect(set.policies.map((p) => p.policy.name)).toEqual(["corp-registries"]);
    expect(set.extensions?.get("corp-registries")?.map((p) => p.policy.name)).toEqual([
      "team-a-registries",
    ]);
  });
});

describe("evaluation of a widened allowlist", () => {
  const teamANs = toNamespaceFacts("team-a");
  const teamBNs = toNamespaceFacts("team-b");
  const blocklist = policyDoc("no-busybox", {
    recipe: "blocked-images",
    input: { rules: [{ hostname: "ghcr.io", imageName: "team-a/forbidden" }] },
  });

  const table: [string, string, string, string[]][] = [
    ["the parent's rule, anywhere", "team-b", "registry.corp.example/app:1", []],
    ["the extension's rule, in its namespace", "team-a", "ghcr.io/team-a/app:1", []],
    ["the extension's rule, elsewhere", "team-b", "ghcr.io/team-a/app:1", ["corp-registries"]],
    ["neither rule", "team-a", "docker.io/library/nginx:1", ["corp-registries"]],
    // Separate policies are still ANDed: an extension never lifts a blocklist.
    [
      "a blocked image the extension allows",
      "team-a",
      "ghcr.io/team-a/forbidden:1",
      ["no-busybox"],
    ],
  ];
  it.each(table)("%s", (_name, ns, image, failing) => {
    const evaluator = createEvaluator(compileDocs(corp(), teamA(), blocklist));
    const d = evaluator.evaluate(toNamespaceFacts(ns), [container(image)]);
    expect(d.violations.map((v) => v.policy)).toEqual(failing);
  });

  it("names the extensions considered when an image is still refused", () => {
    const evaluator = createEvaluator(compileDocs(corp(), teamA()));
    const [v] = evaluator.evaluate(teamANs, [container("quay.io/x/y:1")]).violations;
    expect(v?.policy).toBe("corp-registries");
    expect(v?.message).toContain(
      "allowed: hostname registry.corp.example; or, added by team-a-registries (namespace team-a): hostname ghcr.io, image name team-a/*",
    );
    const [other] = evaluator.evaluate(teamBNs, [container("quay.io/x/y:1")]).violations;
    expect(other?.message).not.toContain("team-a-registries");
  });

  it("applies the parent's action to the widened allowlist", () => {
    const evaluator = createEvaluator(compileDocs(corp({ action: "warn" }), teamA()));
    const d = evaluator.evaluate(teamANs, [container("quay.io/x/y:1")]);
    expect(d.verdict).toBe("warn");
  });

  it("widens a workspace's policy only in namespaces of that workspace and of the extension", () => {
    const set = compileDocs(
      corp({ workspace: "ws-a" }),
      teamA(),
      workspaceDoc("ws-a", ["team-a", "team-c"]),
    );
    const evaluator = createEvaluator(set);
    const image = [container("ghcr.io/team-a/app:1")];
    expect(evaluator.evaluate(teamANs, image).verdict).toBe("allow");
    expect(evaluator.evaluate(toNamespaceFacts("team-c"), image).verdict).toBe("deny");
    // team-a in another cluster is still team-a (a bare name), and still in ws-a.
    expect(evaluator.evaluate(toNamespaceFacts("team-a", {}, "c2"), image).verdict).toBe("allow");
    // Outside the workspace the parent does not apply at all: nothing to widen.
    const outside = createEvaluator(compileDocs(corp({ workspace: "ws-b" }), teamA()));
    expect(outside.applicable(teamANs)).toEqual([]);
  });

  it("narrows an extension further by its namespaceSelector", () => {
    const set = compileDocs(
      corp(),
      teamA({
        namespace: undefined,
        workspace: "ws-a",
        namespaceSelector: { matchLabels: { env: "dev" } },
      }),
    );
    const evaluator = createEvaluator(set);
    const image = [container("ghcr.io/team-a/app:1")];
    const dev = toNamespaceFacts("x", { "customs.dev/workspace": "ws-a", env: "dev" });
    const prod = toNamespaceFacts("y", { "customs.dev/workspace": "ws-a", env: "prod" });
    expect(evaluator.evaluate(dev, image).verdict).toBe("allow");
    expect(evaluator.evaluate(prod, image).verdict).toBe("deny");
  });

  it("shares one widened policy, and one list, among namespaces with the same extensions", () => {
    const set = compileDocs(corp(), teamA({ namespace: undefined, workspace: "ws-a" }));
    const evaluator = createEvaluator(set);
    const x = evaluator.applicable(toNamespaceFacts("x", { "customs.dev/workspace": "ws-a" }));
    const y = evaluator.applicable(toNamespaceFacts("y", { "customs.dev/workspace": "ws-a" }));
    const z = evaluator.applicable(toNamespaceFacts("z"));
    expect(x).toBe(y);
    expect(x).not.toBe(z);
    expect(x[0]?.extensions?.map((e) => e.policy.name)).toEqual(["team-a-registries"]);
    expect(z[0]).toBe(set.policies[0]);
  });

  it("never evaluates a refused extension (its parent stays as narrow as written)", () => {
    const refused = compilePolicySet(policiesOf(corp({ extensible: false }), teamA()), []);
    const d = createEvaluator(refused).evaluate(teamANs, [container("ghcr.io/team-a/app:1")]);
    expect(d.verdict).toBe("deny");
  });

  it("allows exactly what the parent or an applying extension allows (property)", () => {
    const hosts = ["registry.corp.example", "ghcr.io", "quay.io", "docker.io"];
    const names = ["team-a/app", "team-b/app", "library/nginx"];
    const nss = ["team-a", "team-b", "team-c"];
    const evaluator = createEvaluator(
      compileDocs(
        corp(),
        teamA(),
        policyDoc("team-b-registries", {
          namespace: "team-b",
          extends: "corp-registries",
          input: { rules: [{ hostname: "quay.io" }, { imageName: "library/*" }] },
        }),
      ),
    );
    const allowedBy: Record<string, (host: string, name: string) => boolean> = {
      "team-a": (h, n) => h === "ghcr.io" && n.startsWith("team-a/"),
      "team-b": (h, n) => h === "quay.io" || n.startsWith("library/"),
      "team-c": () => false,
    };
    fc.assert(
      fc.property(
        fc.constantFrom(...hosts),
        fc.constantFrom(...names),
        fc.constantFrom(...nss),
        (host, name, ns) => {
          const image = `${host}/${name}:1`;
          const expected =
            host === "registry.corp.example" || (allowedBy[ns]?.(host, name) ?? false);
          const d = createEvaluator(compileDocs(corp())).evaluate(toNamespaceFacts(ns), [
            container(image),
          ]);
          const widened = evaluator.evaluate(toNamespaceFacts(ns), [container(image)]);
          // Widening never refuses what the parent alone allows, and allows only by a rule.
          if (d.verdict === "allow") expect(widened.verdict).toBe("allow");
          expect(widened.verdict === "allow").toBe(expected);
        },
      ),
    );
  });
});

describe("explain with extensions", () => {
  it("says which rule of which policy and scope allowed an image", () => {
    const set = compileDocs(corp(), teamA());
    const r = explainImage(set, toNamespaceFacts("team-a"), "ghcr.io/team-a/app:1");
    expect(r.policies).toHaveLength(1);
    const [p] = r.policies;
    expect(p?.result).toBe("pass");
    expect(p?.detail).toBe(
      "rule 1 of team-a-registries (namespace team-a), which extends corp-registries (organization), matches (hostname ghcr.io, image name team-a/*)",
    );
    expect(p?.extensions).toEqual([
      {
        policy: "team-a-registries",
        scope: "namespace team-a",
        applies: true,
        why: "scope is namespace team-a",
      },
    ]);
  });

  it("shows extensions that do not apply, and the parent's own rule when it matches", () => {
    const set = compileDocs(corp(), teamA());
    const r = explainImage(set, toNamespaceFacts("team-b"), "registry.corp.example/app:1");
    expect(r.policies[0]?.detail).toBe("rule 1 matches (hostname registry.corp.example)");
    expect(r.policies[0]?.extensions?.[0]?.applies).toBe(false);
    expect(toImageFacts("registry.corp.example/app:1").valid).toBe(true);
  });
});

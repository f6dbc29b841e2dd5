import { describe, expect, it } from "vitest";
import {
  type ContainerInput,
  createEvaluator,
  toNamespaceFacts,
} from "../src/core/evaluate/index.js";
import { compileDocs, policyDoc, workspaceDoc } from "./support/policies.js";

const D = `sha256:${"a".repeat(64)}`;

function decide(
  spec: Record<string, unknown>,
  image: string | undefined,
  ns = toNamespaceFacts("default"),
) {
  const evaluator = createEvaluator(compileDocs(policyDoc("p", spec)));
  return evaluator.evaluate(ns, [{ container: "c", containerType: "containers", image }]);
}

function passes(spec: Record<string, unknown>, image: string): boolean {
  return decide(spec, image).violations.length === 0;
}

describe("recipes (spec: Recipes table)", () => {
  const cases: Array<[string, Record<string, unknown>, string, boolean]> = [
    // require-digest: the image has a digest
    ["require-digest: no digest", { recipe: "require-digest" }, "busybox", false],
    ["require-digest: tag only", { recipe: "require-digest" }, "busybox:1.36", false],
    ["require-digest: digest", { recipe: "require-digest" }, `busybox@${D}`, true],
    ["require-digest: tag and digest", { recipe: "require-digest" }, `busybox:1.36@${D}`, true],
    // block-latest-tag: neither tag nor digest counts as latest
    ["block-latest: implied latest", { recipe: "block-latest-tag" }, "busybox", false],
    ["block-latest: explicit latest", { recipe: "block-latest-tag" }, "busybox:latest", false],
    [
      "block-latest: latest with digest",
      { recipe: "block-latest-tag" },
      `busybox:latest@${D}`,
      false,
    ],
    ["block-latest: version tag", { recipe: "block-latest-tag" }, "busybox:1.36", true],
    ["block-latest: digest only", { recipe: "block-latest-tag" }, `busybox@${D}`, true],
    [
      "block-latest: tag Latest is not latest",
      { recipe: "block-latest-tag" },
      "busybox:Latest",
      true,
    ],
  ];
  it.each(cases)("%s", (_name, spec, image, expected) => {
    expect(passes(spec, image)).toBe(expected);
  });
});

describe("allowed-name-tag and custom (allowlists)", () => {
  const nginx1 = {
    recipe: "allowed-name-tag",
    input: { rules: [{ imageName: "library/nginx", tag: { value: "1.*" } }] },
  };
  const corp = {
    recipe: "custom",
    input: {
      rules: [
        {
          hostname: "registry.mycorp.local",
          port: "5000",
          imageName: "team/*",
          tag: { value: "v*" },
          requireDigest: true,
        },
      ],
    },
  };
  const hostOnly = { recipe: "custom", input: { rules: [{ hostname: "registry.mycorp.local" }] } };
  const shortBusybox = { recipe: "custom", input: { rules: [{ imageName: "busybox" }] } };
  const notLatest = {
    recipe: "custom",
    input: { rules: [{ tag: { value: "latest", negate: true } }] },
  };
  const anyTag = { recipe: "allowed-name-tag", input: { rules: [{ tag: "*" }] } };
  const cases: Array<[string, Record<string, unknown>, string, boolean]> = [
    ["name and tag match", nginx1, "nginx:1.25", true],
    ["docker.io/library form is the same image", nginx1, "docker.io/library/nginx:1.25.3", true],
    ["tag does not match", nginx1, "nginx:latest", false],
    ["implied latest does not match 1.*", nginx1, "nginx", false],
    ["other name", nginx1, "busybox:1.0", false],
    ["all fields match", corp, `registry.mycorp.local:5000/team/app:v1@${D}`, true],
    ["hostname is case-insensitive", corp, `REGISTRY.mycorp.LOCAL:5000/team/app:v2@${D}`, true],
    ["nested path matches *", corp, `registry.mycorp.local:5000/team/a/b:v1@${D}`, true],
    ["digest required by the rule", corp, "registry.mycorp.local:5000/team/app:v1", false],
    ["wrong port", corp, `registry.mycorp.local:5001/team/app:v1@${D}`, false],
    ["no port when the rule wants one", corp, `registry.mycorp.local/team/app:v1@${D}`, false],
    ["look-alike host suffix", corp, `registry.mycorp.local.evil.com:5000/team/app:v1@${D}`, false],
    ["look-alike host prefix", corp, `evilregistry.mycorp.local:5000/team/app:v1@${D}`, false],
    [
      "digest-only image has no tag to match v*",
      corp,
      `registry.mycorp.local:5000/team/app@${D}`,
      false,
    ],
    ["port not checked when the rule sets none", hostOnly, "registry.mycorp.local:5000/x/y", true],
    ["host only: any image on that host", hostOnly, "registry.mycorp.local/app", true],
    ["host only: Docker Hub refused", hostOnly, "busybox", false],
    [
      "spec: `busybox` in custom does not match Docker Hub's library/busybox",
      shortBusybox,
      "busybox",
      false,
    ],
    [
      "…but matches a single-component path elsewhere",
      shortBusybox,
      "localhost:5000/busybox",
      true,
    ],
    ["negate: a version tag passes", notLatest, "busybox:1.36", true],
    ["negate: implied latest fails", notLatest, "busybox", false],
    [
      "negate: a digest-only image has no tag, so it is not latest",
      notLatest,
      `busybox@${D}`,
      true,
    ],
    ["tag * never matches an empty tag (digest only)", anyTag, `busybox@${D}`, false],
    ["tag * matches any tag", anyTag, "busybox:x", true],
  ];
  it.each(cases)("%s", (_name, spec, image, expected) => {
    expect(passes(spec, image)).toBe(expected);
  });
});

describe("blocked-images", () => {
  const noBusybox = { recipe: "blocked-images", input: { rules: [{ imageName: "busybox" }] } };
  const hubOnly = { recipe: "blocked-images", input: { rules: [{ hostname: "docker.io" }] } };
  const cases: Array<[string, Record<string, unknown>, string, boolean]> = [
    ["short name blocks Docker Hub's official image", noBusybox, "busybox", false],
    ["…in its long form", noBusybox, "docker.io/library/busybox:1.36", false],
    ["…via index.docker.io", noBusybox, "index.docker.io/library/busybox", false],
    [
      "…via registry-1.docker.io with library/",
      noBusybox,
      "registry-1.docker.io/library/busybox",
      false,
    ],
    [
      "…via registry-1.docker.io without library/",
      noBusybox,
      "registry-1.docker.io/busybox",
      false,
    ],
    ["…via an uppercase Hub host", noBusybox, "Docker.IO/library/busybox", false],
    ["a user's busybox on Hub is another image", noBusybox, "someone/busybox", true],
    ["other images pass", noBusybox, "nginx", true],
    ["host rule blocks every Hub alias", hubOnly, "registry-1.docker.io/library/nginx", false],
    ["host rule: other registries pass", hubOnly, "quay.io/prometheus/prometheus", true],
  ];
  it.each(cases)("%s", (_name, spec, image, expected) => {
    expect(passes(spec, image)).toBe(expected);
  });
});

describe("violations", () => {
  it("name policy, action, container, type, image, normalized image, code and what was allowed", () => {
    const d = decide(
      {
        recipe: "custom",
        workspace: "ws",
        input: { rules: [{ hostname: "registry.mycorp.local" }] },
      },
      "busybox",
      toNamespaceFacts("team-a", { "customs.dev/workspace": "ws" }),
    );
    expect(d.verdict).toBe("deny");
    expect(d.violations).toHaveLength(1);
    const v = d.violations[0]!;
    expect(v).toMatchObject({
      policy: "p",
      action: "deny",
      scope: "workspace ws",
      container: "c",
      containerType: "containers",
      image: "busybox",
      normalizedImage: "docker.io/library/busybox:latest",
      code: "IMAGE_NOT_ALLOWED",
    });
    expect(v.message).toContain('container "c"');
    expect(v.message).toContain('"busybox"');
    expect(v.message).toContain("docker.io/library/busybox:latest");
    expect(v.message).toContain('policy "p" (workspace ws, action deny)');
    expect(v.message).toContain("allowed: hostname registry.mycorp.local");
  });

  it("an invalid image violates every applicable policy, whatever its recipe", () => {
    const set = compileDocs(
      policyDoc("a", { recipe: "blocked-images", input: { rules: [{ imageName: "x" }] } }),
      policyDoc("b", { recipe: "block-latest-tag", action: "warn" }),
    );
    const d = createEvaluator(set).evaluate(toNamespaceFacts("default"), [
      { container: "c", containerType: "initContainers", image: "Not A Ref" },
    ]);
    expect(d.verdict).toBe("deny");
    expect(d.violations.map((v) => [v.policy, v.code, v.normalizedImage])).toEqual([
      ["a", "IMAGE_REFERENCE_INVALID", ""],
      ["b", "IMAGE_REFERENCE_INVALID", ""],
    ]);
  });

  it("a container without an image is reported, not allowed", () => {
    const d = decide({ recipe: "block-latest-tag" }, undefined);
    expect(d.verdict).toBe("deny");
    expect(d.violations[0]?.code).toBe("IMAGE_MISSING");
  });

  it("checks every container type", () => {
    const set = compileDocs(policyDoc("p", { recipe: "require-digest" }));
    const containers: ContainerInput[] = [
      { container: "a", containerType: "containers", image: "x:1" },
      { container: "b", containerType: "initContainers", image: "y:1" },
      { container: "e", containerType: "ephemeralContainers", image: "z:1" },
    ];
    const d = createEvaluator(set).evaluate(toNamespaceFacts("default"), containers);
    expect(d.violations.map((v) => `${v.containerType}/${v.container}`)).toEqual([
      "containers/a",
      "initContainers/b",
      "ephemeralContainers/e",
    ]);
  });
});

describe("verdicts (spec: Decisions)", () => {
  const set = (actions: string[]) =>
    compileDocs(
      ...actions.map((action, i) => policyDoc(`p${i}`, { recipe: "require-digest", action })),
    );
  const verdict = (actions: string[]) =>
    createEvaluator(set(actions)).evaluate(toNamespaceFacts("default"), [
      { container: "c", containerType: "containers", image: "x" },
    ]);
  it.each([
    [["deny"], "deny"],
    [["warn"], "warn"],
    [["audit"], "allow"],
    [["audit", "warn"], "warn"],
    [["warn", "deny", "audit"], "deny"],
  ])("actions %j give %s, and every failure is reported", (actions, expected) => {
    const d = verdict(actions);
    expect(d.verdict).toBe(expected);
    expect(d.violations.map((v) => v.action)).toEqual(actions);
  });

  it("input.audit: true means action audit", () => {
    const d = decide({ recipe: "require-digest", input: { audit: true } }, "x");
    expect(d.verdict).toBe("allow");
    expect(d.violations[0]?.action).toBe("audit");
  });

  it("policies add up: each must pass", () => {
    const s = compileDocs(
      policyDoc("digest", { recipe: "require-digest" }),
      policyDoc("corp", { recipe: "custom", input: { rules: [{ hostname: "corp.example" }] } }),
    );
    const e = createEvaluator(s);
    const ns = toNamespaceFacts("default");
    const one = (image: string) =>
      e
        .evaluate(ns, [{ container: "c", containerType: "containers", image }])
        .violations.map((v) => v.policy);
    expect(one(`corp.example/app@${D}`)).toEqual([]);
    expect(one("corp.example/app:1")).toEqual(["digest"]);
    expect(one(`busybox@${D}`)).toEqual(["corp"]);
    expect(one("busybox")).toEqual(["digest", "corp"]);
  });
});

describe("scope and namespace selectors", () => {
  const image = [{ container: "c", containerType: "containers" as const, image: "busybox" }];
  const applies = (docs: Record<string, unknown>[], ns: ReturnType<typeof toNamespaceFacts>) =>
    createEvaluator(compileDocs(...docs)).evaluate(ns, image).violations.length > 0;
  const p = (spec: Record<string, unknown>) =>
    policyDoc("p", { recipe: "block-latest-tag", ...spec });

  it.each([
    ["organization: every namespace", [p({})], toNamespaceFacts("anything"), true],
    [
      "workspace by label",
      [p({ workspace: "ws" })],
      toNamespaceFacts("a", { "customs.dev/workspace": "ws" }),
      true,
    ],
    [
      "workspace: other label",
      [p({ workspace: "ws" })],
      toNamespaceFacts("a", { "customs.dev/workspace": "other" }),
      false,
    ],
    [
      "workspace by list",
      [p({ workspace: "ws" }), workspaceDoc("ws", ["team-a"])],
      toNamespaceFacts("team-a"),
      true,
    ],
    [
      "workspace list: not listed",
      [p({ workspace: "ws" }), workspaceDoc("ws", ["team-a"])],
      toNamespaceFacts("team-b"),
      false,
    ],
    [
      "workspace list: CLUSTER/NS on that cluster",
      [p({ workspace: "ws" }), workspaceDoc("ws", ["c1/team-a"])],
      toNamespaceFacts("team-a", {}, "c1"),
      true,
    ],
    [
      "workspace list: CLUSTER/NS on another cluster",
      [p({ workspace: "ws" }), workspaceDoc("ws", ["c1/team-a"])],
      toNamespaceFacts("team-a", {}, "c2"),
      false,
    ],
    [
      "workspace list: CLUSTER/NS with no cluster known",
      [p({ workspace: "ws" }), workspaceDoc("ws", ["c1/team-a"])],
      toNamespaceFacts("team-a"),
      false,
    ],
    ["namespace scope", [p({ namespace: "team-a" })], toNamespaceFacts("team-a"), true],
    ["namespace scope: other", [p({ namespace: "team-a" })], toNamespaceFacts("team-b"), false],
    [
      "matchLabels",
      [p({ namespaceSelector: { matchLabels: { env: "prod" } } })],
      toNamespaceFacts("a", { env: "prod" }),
      true,
    ],
    [
      "matchLabels: other value",
      [p({ namespaceSelector: { matchLabels: { env: "prod" } } })],
      toNamespaceFacts("a", { env: "dev" }),
      false,
    ],
    [
      "NotIn excludes",
      [
        p({
          namespaceSelector: {
            matchExpressions: [{ key: "env", operator: "NotIn", values: ["sandbox"] }],
          },
        }),
      ],
      toNamespaceFacts("a", { env: "sandbox" }),
      false,
    ],
    [
      "NotIn: label absent still selected",
      [
        p({
          namespaceSelector: {
            matchExpressions: [{ key: "env", operator: "NotIn", values: ["sandbox"] }],
          },
        }),
      ],
      toNamespaceFacts("a"),
      true,
    ],
    [
      "In",
      [
        p({
          namespaceSelector: {
            matchExpressions: [{ key: "env", operator: "In", values: ["a", "b"] }],
          },
        }),
      ],
      toNamespaceFacts("a", { env: "b" }),
      true,
    ],
    [
      "In: absent",
      [
        p({
          namespaceSelector: { matchExpressions: [{ key: "env", operator: "In", values: ["a"] }] },
        }),
      ],
      toNamespaceFacts("a"),
      false,
    ],
    [
      "Exists",
      [p({ namespaceSelector: { matchExpressions: [{ key: "team", operator: "Exists" }] } })],
      toNamespaceFacts("a", { team: "" }),
      true,
    ],
    [
      "DoesNotExist",
      [p({ namespaceSelector: { matchExpressions: [{ key: "team", operator: "DoesNotExist" }] } })],
      toNamespaceFacts("a", { team: "x" }),
      false,
    ],
    [
      "metadata.name label is always there",
      [
        p({
          namespaceSelector: {
            matchExpressions: [
              { key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["kube-system"] },
            ],
          },
        }),
      ],
      toNamespaceFacts("kube-system"),
      false,
    ],
    [
      "selector ANDed with scope",
      [p({ workspace: "ws", namespaceSelector: { matchLabels: { env: "prod" } } })],
      toNamespaceFacts("a", { env: "prod" }),
      false,
    ],
  ])("%s", (_name, docs, ns, expected) => {
    expect(applies(docs as Record<string, unknown>[], ns)).toBe(expected);
  });
});

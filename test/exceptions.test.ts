import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ContainerInput,
  createEvaluator,
  toNamespaceFacts,
  type WorkloadContext,
} from "../src/core/evaluate/index.js";
import { type PolicyIssue, validateDocument } from "../src/core/policy/index.js";
import { compileDocs, exceptionDoc, policyDoc, workspaceDoc } from "./support/policies.js";

const DAY = 86_400_000;
const NOW = Date.parse("2027-01-10T12:00:00Z");
const D = `sha256:${"a".repeat(64)}`;

const registryOnly = policyDoc("corp-registry-only", {
  recipe: "custom",
  input: { rules: [{ hostname: "registry.corp" }] },
});
const noLatest = policyDoc("no-latest", { recipe: "block-latest-tag", action: "warn" });

function exc(spec: Record<string, unknown>, name = "legacy-busybox") {
  return exceptionDoc(name, {
    policies: ["corp-registry-only"],
    images: ["docker.io/library/busybox:*"],
    reason: "vendor image, JIRA-123",
    owner: "team-a@example.com",
    expires: "2027-01-31",
    ...spec,
  });
}

function container(image: string | undefined, name = "c"): ContainerInput {
  return { container: name, containerType: "containers", image };
}

function decide(
  docs: Record<string, unknown>[],
  images: (string | undefined)[],
  options: {
    ns?: string;
    labels?: Record<string, string>;
    workload?: WorkloadContext;
    now?: number;
  } = {},
) {
  const evaluator = createEvaluator(compileDocs(...docs), undefined, {
    now: () => options.now ?? NOW,
  });
  const ns = toNamespaceFacts(options.ns ?? "team-a", options.labels ?? {});
  return evaluator.evaluate(
    ns,
    images.map((i, n) => container(i, `c${n}`)),
    options.workload ?? { kind: "Deployment", name: "legacy-app" },
  );
}

function errorsOf(doc: Record<string, unknown>): PolicyIssue[] {
  return validateDocument(doc, undefined, { now: NOW }).issues.filter(
    (i) => i.severity === "error",
  );
}

describe("ImagePolicyException validation (field paths)", () => {
  const cases: Array<[string, Record<string, unknown>, string | undefined]> = [
    ["valid", {}, undefined],
    ["valid, every policy", { policies: ["*"] }, undefined],
    ["valid, workloads only", { images: undefined, workloads: [{ name: "legacy-*" }] }, undefined],
    ["valid, date-time expiry", { expires: "2027-01-31T08:00:00Z" }, undefined],
    ["valid, namespace scope", { namespace: "cluster-1/team-a" }, undefined],
    ["policies missing", { policies: undefined }, "spec.policies"],
    ["policies empty", { policies: [] }, "spec.policies"],
    ["* with other names", { policies: ["*", "x"] }, "spec.policies"],
    ["policy name invalid", { policies: ["Bad_Name"] }, "spec.policies[0]"],
    ["policy name twice", { policies: ["a", "a"] }, "spec.policies[1]"],
    ["neither images nor workloads", { images: undefined }, "spec"],
    ["images empty", { images: [] }, "spec.images"],
    ["image not normalized", { images: ["busybox"] }, "spec.images[0]"],
    ["image not normalized, tagless", { images: ["docker.io/library/busybox"] }, "spec.images[0]"],
    ["image with whitespace", { images: ["docker.io/a b*"] }, "spec.images[0]"],
    ["image not a string", { images: [3] }, "spec.images[0]"],
    [
      "workload kind unknown",
      { workloads: [{ kind: "Deploy", name: "x" }] },
      "spec.workloads[0].kind",
    ],
    ["workload name missing", { workloads: [{ kind: "Pod" }] }, "spec.workloads[0].name"],
    [
      "workload unknown field",
      { workloads: [{ name: "x", label: "y" }] },
      "spec.workloads[0].label",
    ],
    ["reason missing", { reason: undefined }, "spec.reason"],
    ["reason empty", { reason: "" }, "spec.reason"],
    ["owner missing", { owner: undefined }, "spec.owner"],
    ["expires missing", { expires: undefined }, "spec.expires"],
    ["expires not a date", { expires: "next year" }, "spec.expires"],
    ["expires impossible date", { expires: "2027-02-30" }, "spec.expires"],
    ["two scopes", { namespace: "a", workspace: "b" }, "spec"],
    ["unknown spec field", { action: "deny" }, "spec.action"],
    [
      "selector invalid",
      { namespaceSelector: { matchLabels: { "a b": "c" } } },
      "spec.namespaceSelector.matchLabels.a b",
    ],
  ];
  it.each(cases)("%s", (_name, spec, path) => {
    const errors = errorsOf(exc(spec));
    if (path === undefined) expect(errors).toEqual([]);
    else expect(errors.map((e) => e.path)).toContain(path);
  });

  it("refuses an invalid metadata.name", () => {
    expect(errorsOf(exc({}, "Not_A_Name")).map((e) => e.path)).toEqual(["metadata.name"]);
  });

  it("warns before expiry and after it, at spec.expires", () => {
    const lint = (expires: string) =>
      validateDocument(exc({ expires }), undefined, { now: NOW }).issues.map((i) => [
        i.path,
        i.code,
      ]);
    expect(lint("2027-01-20")).toEqual([["spec.expires", "LINT_EXCEPTION_EXPIRING"]]);
    expect(lint("2027-01-01")).toEqual([["spec.expires", "LINT_EXCEPTION_EXPIRED"]]);
    expect(lint("2027-06-01")).toEqual([]);
  });
});

describe("exceptions in decisions", () => {
  it("exempts a covered violation, names the exception and recomputes the verdict", () => {
    const d = decide([registryOnly, exc({})], ["busybox:1.36"]);
    expect(d.verdict).toBe("allow");
    expect(d.violations).toEqual([]);
    expect(d.exempted).toMatchObject([
      {
        policy: "corp-registry-only",
        exception: "legacy-busybox",
        expires: "2027-01-31",
        normalizedImage: "docker.io/library/busybox:1.36",
        code: "IMAGE_NOT_ALLOWED",
      },
    ]);
  });

  const cases: Array<
    [
      string,
      Record<string, unknown>,
      { ns?: string; labels?: Record<string, string>; workload?: WorkloadContext; now?: number },
      boolean,
    ]
  > = [
    ["matching image", {}, {}, true],
    ["other image", { images: ["docker.io/library/nginx:*"] }, {}, false],
    ["other policy named", { policies: ["other"] }, {}, false],
    ["every policy", { policies: ["*"] }, {}, true],
    ["namespace scope, same", { namespace: "team-a" }, {}, true],
    ["namespace scope, other", { namespace: "team-b" }, {}, false],
    [
      "workspace scope, member by label",
      { workspace: "ws" },
      { labels: { "customs.dev/workspace": "ws" } },
      true,
    ],
    ["workspace scope, not a member", { workspace: "ws" }, {}, false],
    [
      "selector matches",
      { namespaceSelector: { matchLabels: { env: "dev" } } },
      { labels: { env: "dev" } },
      true,
    ],
    ["selector does not match", { namespaceSelector: { matchLabels: { env: "dev" } } }, {}, false],
    ["expired (end of the day passed)", { expires: "2027-01-09" }, {}, false],
    ["last day still applies", { expires: "2027-01-10" }, {}, true],
    ["date-time in the past", { expires: "2027-01-10T11:59:59Z" }, {}, false],
    ["workload name matches", { workloads: [{ kind: "Deployment", name: "legacy-*" }] }, {}, true],
    [
      "workload kind differs",
      { workloads: [{ kind: "StatefulSet", name: "legacy-*" }] },
      {},
      false,
    ],
    ["workload name differs", { workloads: [{ name: "other" }] }, {}, false],
    [
      "workload and image must both match",
      { workloads: [{ name: "legacy-*" }], images: ["docker.io/library/nginx:*"] },
      {},
      false,
    ],
  ];
  it.each(cases)("%s", (_name, spec, options, exempted) => {
    const d = decide([registryOnly, exc(spec)], ["busybox:1.36"], options);
    expect(d.violations.length === 0).toBe(exempted);
    expect((d.exempted ?? []).length === 1).toBe(exempted);
  });

  it("never exempts an invalid image or a container without one", () => {
    const d = decide([registryOnly, exc({ images: ["*"] })], ["Bad Image", undefined]);
    expect(d.violations.map((v) => v.code).sort()).toEqual([
      "IMAGE_MISSING",
      "IMAGE_REFERENCE_INVALID",
    ]);
    expect(d.exempted).toBeUndefined();
    expect(d.verdict).toBe("deny");
  });

  it("relaxes only the policies it names: the others still count", () => {
    const d = decide([registryOnly, noLatest, exc({})], ["busybox"]);
    expect(d.violations.map((v) => v.policy)).toEqual(["no-latest"]);
    expect(d.verdict).toBe("warn");
  });

  it("needs a clock: without one, no exception applies (fail closed)", () => {
    const evaluator = createEvaluator(compileDocs(registryOnly, exc({})));
    const d = evaluator.evaluate(toNamespaceFacts("team-a"), [container("busybox:1.36")]);
    expect(d.verdict).toBe("deny");
    expect(d.exempted).toBeUndefined();
  });

  it("a workload exception does not cover a decision made without a workload", () => {
    const evaluator = createEvaluator(
      compileDocs(registryOnly, exc({ images: undefined, workloads: [{ name: "*" }] })),
      undefined,
      { now: () => NOW },
    );
    const d = evaluator.evaluate(toNamespaceFacts("team-a"), [container("busybox:1.36")]);
    expect(d.verdict).toBe("deny");
  });

  it("matches digests in the normalized image", () => {
    const d = decide(
      [registryOnly, exc({ images: [`docker.io/library/busybox@${D}`] })],
      [`busybox@${D}`],
    );
    expect(d.verdict).toBe("allow");
  });

  it("workspace lists scope an exception like a policy", () => {
    const d = decide(
      [registryOnly, workspaceDoc("ws", ["team-a"]), exc({ workspace: "ws" })],
      ["busybox:1.36"],
    );
    expect(d.verdict).toBe("allow");
  });

  it("property: exceptions only move violations to exempted, and never raise the verdict", () => {
    const rank = { allow: 0, warn: 1, deny: 2 } as const;
    const image = fc.constantFrom(
      "busybox",
      "busybox:1.36",
      "nginx:1",
      "registry.corp/app:v1",
      `alpine@${D}`,
      "Not Valid",
      undefined,
    );
    const pattern = fc.constantFrom(
      "*",
      "docker.io/library/busybox:*",
      "docker.io/*",
      "*:latest",
      "docker.io/library/nginx:1",
    );
    fc.assert(
      fc.property(
        fc.array(image, { maxLength: 4 }),
        fc.array(pattern, { minLength: 1, maxLength: 3 }),
        fc.integer({ min: -40, max: 40 }),
        (images, patterns, days) => {
          const without = decide([registryOnly, noLatest], images);
          const e = exc({ images: patterns, policies: ["*"] });
          const withE = decide([registryOnly, noLatest, e], images, { now: NOW + days * DAY });
          const exempted = withE.exempted ?? [];
          expect(withE.violations.length + exempted.length).toBe(without.violations.length);
          expect(rank[withE.verdict]).toBeLessThanOrEqual(rank[without.verdict]);
          for (const x of exempted) {
            expect(["IMAGE_MISSING", "IMAGE_REFERENCE_INVALID"]).not.toContain(x.code);
          }
          if (NOW + days * DAY >= Date.parse("2027-02-01T00:00:00Z")) expect(exempted).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });
});

/**
 * ImagePolicyExceptions compiled into native policies decide as the engine: the generated CEL,
 * run by @bufbuild/cel, against the engine with the same exceptions (test/vap.k8s.test.ts runs
 * the same through Kubernetes' own CEL).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildVap,
  canCompileToVap,
  EXCEPTIONS_ANNOTATION,
  RECOMPILE_BY_ANNOTATION,
} from "../src/adapters/vap/index.js";
import type { ImagePolicy, ImagePolicyException } from "../src/core/policy/index.js";
import { policyOf, runVap, specOf } from "./vap-corpus.js";
import {
  type ExceptionCase,
  engineAllows,
  exceptionAdmission,
  exceptionOf,
  NOW,
} from "./vap-exceptions-corpus.js";

function vapAllows(
  policy: ImagePolicy,
  exceptions: readonly ImagePolicyException[],
  c: ExceptionCase,
): boolean {
  const vap = buildVap(policy, [], { exceptions, now: NOW }).policy;
  const r = runVap(specOf(vap), exceptionAdmission(c));
  if (r.error !== undefined) throw new Error(r.error);
  return r.allowed;
}

const D = `sha256:${"b".repeat(64)}`;
const policy = policyOf("p", {
  recipe: "custom",
  input: { rules: [{ hostname: "registry.corp" }] },
});
const base: ExceptionCase = {
  image: "busybox:1.36",
  namespace: "team-a",
  labels: {},
  kind: "Deployment",
  name: "legacy-app",
};

describe("exceptions in native policies: verdict == engine verdict", () => {
  const cases: Array<[string, Record<string, unknown>, Partial<ExceptionCase>, boolean]> = [
    ["image pattern", { images: ["docker.io/library/busybox:*"] }, {}, true],
    ["implied tag", { images: ["docker.io/library/busybox:latest"] }, { image: "busybox" }, true],
    ["other image", { images: ["docker.io/library/nginx:*"] }, {}, false],
    ["digest", { images: [`docker.io/library/busybox@${D}`] }, { image: `busybox@${D}` }, true],
    ["tag and digest", { images: ["*@sha256:*"] }, { image: `busybox:1@${D}` }, true],
    [
      "index.docker.io",
      { images: ["docker.io/library/busybox:1.36"] },
      { image: "index.docker.io/busybox:1.36" },
      true,
    ],
    [
      "host with port",
      { images: ["localhost:5000/app:*"] },
      { image: "localhost:5000/app:v1" },
      true,
    ],
    ["invalid image never exempted", { images: ["*"] }, { image: "Not Valid" }, false],
    ["namespace scope", { namespace: "team-a", images: ["*"] }, {}, true],
    ["namespace scope, other", { namespace: "team-b", images: ["*"] }, {}, false],
    [
      "workspace label",
      { workspace: "ws", images: ["*"] },
      { labels: { "customs.dev/workspace": "ws" } },
      true,
    ],
    ["workspace, not a member", { workspace: "ws", images: ["*"] }, {}, false],
    [
      "selector In",
      {
        images: ["*"],
        namespaceSelector: { matchExpressions: [{ key: "env", operator: "In", values: ["dev"] }] },
      },
      { labels: { env: "dev" } },
      true,
    ],
    [
      "selector NotIn",
      {
        images: ["*"],
        namespaceSelector: {
          matchExpressions: [{ key: "env", operator: "NotIn", values: ["dev"] }],
        },
      },
      { labels: { env: "dev" } },
      false,
    ],
    [
      "selector Exists",
      {
        images: ["*"],
        namespaceSelector: { matchExpressions: [{ key: "env", operator: "Exists" }] },
      },
      {},
      false,
    ],
    [
      "selector DoesNotExist",
      {
        images: ["*"],
        namespaceSelector: { matchExpressions: [{ key: "env", operator: "DoesNotExist" }] },
      },
      {},
      true,
    ],
    [
      "matchLabels",
      { images: ["*"], namespaceSelector: { matchLabels: { env: "dev" } } },
      { labels: { env: "prod" } },
      false,
    ],
    ["workload kind and name", { workloads: [{ kind: "Deployment", name: "legacy-*" }] }, {}, true],
    ["workload kind differs", { workloads: [{ kind: "Pod", name: "legacy-*" }] }, {}, false],
    ["workload any kind", { workloads: [{ name: "legacy-app" }] }, { kind: "CronJob" }, true],
    [
      "both must match",
      { workloads: [{ name: "legacy-*" }], images: ["docker.io/library/nginx:*"] },
      {},
      false,
    ],
    ["expired at compile time", { images: ["*"], expires: "2027-01-09" }, {}, false],
    ["another policy", { images: ["*"], policies: ["other"] }, {}, false],
    ["every policy", { images: ["*"], policies: ["*"] }, {}, true],
  ];
  it.each(cases)("%s", (_name, spec, patch, allowed) => {
    const e = [exceptionOf("e", spec)];
    const c = { ...base, ...patch };
    expect(engineAllows(policy, e, c)).toBe(allowed);
    expect(vapAllows(policy, e, c)).toBe(allowed);
  });

  it("property: the native policy and the engine agree", () => {
    const image = fc.constantFrom(
      "busybox",
      "busybox:1.36",
      "library/busybox:1",
      "index.docker.io/library/busybox",
      "registry-1.docker.io/busybox:1",
      "nginx:1",
      `alpine@${D}`,
      "registry.corp/app:v1",
      "Registry.Example/App:1",
      "localhost:5000/app",
      "not valid",
      "",
    );
    const pattern = fc.constantFrom(
      "*",
      "docker.io/*",
      "docker.io/library/busybox:*",
      "docker.io/library/busybox:latest",
      "*:latest",
      "*@sha256:*",
      "registry-1.docker.io/*",
      "localhost:5000/*",
    );
    const spec = fc.record(
      {
        images: fc.array(pattern, { minLength: 1, maxLength: 2 }),
        namespace: fc.constantFrom("team-a", "team-b"),
        workloads: fc.constant([{ kind: "Deployment", name: "legacy-*" }]),
      },
      { requiredKeys: ["images"] },
    );
    const c = fc.record({
      image,
      namespace: fc.constantFrom("team-a", "team-b"),
      labels: fc.constant({}),
      kind: fc.constantFrom("Deployment", "Pod"),
      name: fc.constantFrom("legacy-app", "web"),
    });
    fc.assert(
      fc.property(fc.array(spec, { minLength: 1, maxLength: 2 }), c, (specs, x) => {
        const e = specs.map((s, i) => exceptionOf(`e${i}`, s));
        expect(vapAllows(policy, e, x)).toBe(engineAllows(policy, e, x));
      }),
      { numRuns: 150 },
    );
  });
});

describe("compiling exceptions", () => {
  it("annotates the objects with the exceptions and the earliest expiry", () => {
    const e = [
      exceptionOf("a", { images: ["*"], expires: "2027-03-01" }),
      exceptionOf("b", { images: ["*"], expires: "2027-02-01T12:00:00Z" }),
      exceptionOf("old", { images: ["*"], expires: "2027-01-01" }),
    ];
    const built = buildVap(policy, [], { exceptions: e, now: NOW });
    const annotations = (built.policy.metadata as { annotations: Record<string, string> })
      .annotations;
    expect(annotations[EXCEPTIONS_ANNOTATION]).toBe("a,b");
    expect(annotations[RECOMPILE_BY_ANNOTATION]).toBe("2027-02-01T12:00:00Z");
    const bindingAnnotations = (built.binding.metadata as { annotations: Record<string, string> })
      .annotations;
    expect(bindingAnnotations[RECOMPILE_BY_ANNOTATION]).toBe("2027-02-01T12:00:00Z");
  });

  it("leaves a policy without exceptions exactly as before", () => {
    const plain = buildVap(policy, []).policy;
    const none = buildVap(policy, [], { exceptions: [], now: NOW }).policy;
    expect(none).toEqual(plain);
  });

  it("counts exception patterns in the cost bound of canCompileToVap", () => {
    const long = `registry.corp/${"a".repeat(300)}*`;
    const e = Array.from({ length: 40 }, (_, i) =>
      exceptionOf(`e${i}`, { images: [`${long}${i}*`] }),
    );
    expect(canCompileToVap(policy, [], { exceptions: e, now: NOW })).toMatchObject({ ok: false });
    expect(canCompileToVap(policy, [], { exceptions: e.slice(0, 1), now: NOW })).toEqual({
      ok: true,
    });
  });
});

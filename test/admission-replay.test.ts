/**
 * Remembered decisions (core/admission/replay.ts): a review whose decision inputs were seen
 * before is answered with that decision and its own uid, and the answer is exactly what
 * deciding it again would give.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decideAdmission, outcomeText } from "../src/app/webhook/admission.js";
import { NamespaceCache } from "../src/app/webhook/namespaces.js";
import {
  type AdmissionRequest,
  parseAdmissionReview,
  replayKey,
  reviewAdmission,
} from "../src/core/admission/index.js";
import { createEvaluator, type Evaluator } from "../src/core/evaluate/index.js";
import type { Workload } from "../src/core/workload/index.js";
import { review } from "./support/admission.js";
import { compileDocs, exceptionDoc, policyDoc } from "./support/policies.js";

const POLICIES = [
  policyDoc("corp-only", {
    recipe: "custom",
    input: { rules: [{ hostname: "registry.corp.example" }] },
  }),
  policyDoc("no-latest", { recipe: "block-latest-tag", action: "warn" }),
  policyDoc("digests", { recipe: "require-digest", action: "audit" }),
  policyDoc("pull-always", { recipe: "require-pull-policy", action: "warn" }),
  policyDoc("corp-secret", {
    recipe: "require-pull-secret",
    input: { rules: [{ hostname: "registry.corp.example" }] },
  }),
  policyDoc("prod-strict", {
    recipe: "block-latest-tag",
    namespaceSelector: { matchLabels: { env: "prod" } },
  }),
];

const D = `@sha256:${"e".repeat(64)}`;
const IMAGES = [
  "busybox",
  "registry.corp.example/app:1.2",
  `registry.corp.example/app:1.2${D}`,
  "registry.corp.example/app:latest",
  "quay.io/x/y:2",
  "not a reference",
];

/** A review from small pools, so that the same decision inputs come back often. */
const requests = fc.record({
  kind: fc.constantFrom("Pod", "Deployment"),
  name: fc.constantFrom("a", "b"),
  namespace: fc.constantFrom("team-a", "prod"),
  operation: fc.constantFrom("CREATE", "CREATE", "UPDATE"),
  uid: fc.uuid(),
  serviceAccountName: fc.option(fc.constantFrom("default", "builder"), { nil: undefined }),
  pullSecrets: fc.subarray(["corp", "other"]),
  containers: fc.array(
    fc.record({
      name: fc.constantFrom("app", "side"),
      image: fc.option(fc.constantFrom(...IMAGES), { nil: undefined, freq: 8 }),
      imagePullPolicy: fc.option(fc.constantFrom("Always", "IfNotPresent"), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 3 },
  ),
  initImage: fc.option(fc.constantFrom(...IMAGES), { nil: undefined }),
  oldImage: fc.constantFrom(...IMAGES),
});

type Drawn = typeof requests extends fc.Arbitrary<infer T> ? T : never;

/** Each input of a decision, changed alone. */
const CHANGES = [
  "kind",
  "name",
  "namespace",
  "operation",
  "serviceAccountName",
  "pullSecrets",
  "initImage",
  "containerName",
  "containerImage",
  "containerPullPolicy",
  "containerCount",
] as const;

function changed(base: Drawn, change: (typeof CHANGES)[number], other: Drawn): Drawn {
  const [first, ...rest] = base.containers;
  const [otherFirst] = other.containers;
  if (first === undefined || otherFirst === undefined) return base;
  switch (change) {
    case "containerName":
      return { ...base, containers: [{ ...first, name: otherFirst.name }, ...rest] };
    case "containerImage":
      return { ...base, containers: [{ ...first, image: otherFirst.image }, ...rest] };
    case "containerPullPolicy":
      return {
        ...base,
        containers: [{ ...first, imagePullPolicy: otherFirst.imagePullPolicy }, ...rest],
      };
    case "containerCount":
      return { ...base, containers: [...base.containers, otherFirst] };
    default:
      return { ...base, [change]: other[change] };
  }
}

function requestOf(r: Drawn): AdmissionRequest {
  const podSpec: Record<string, unknown> = {
    containers: r.containers.map((c) => ({ ...c })),
    imagePullSecrets: r.pullSecrets.map((name) => ({ name })),
    ...(r.serviceAccountName === undefined ? {} : { serviceAccountName: r.serviceAccountName }),
    ...(r.initImage === undefined
      ? {}
      : { initContainers: [{ name: "init", image: r.initImage }] }),
  };
  const object = (spec: Record<string, unknown>) =>
    r.kind === "Pod"
      ? { apiVersion: "v1", kind: "Pod", metadata: { name: r.name }, spec }
      : {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: r.name },
          spec: { template: { metadata: {}, spec } },
        };
  const body = review(object(podSpec), {
    uid: r.uid,
    namespace: r.namespace,
    operation: r.operation,
    oldObject:
      r.operation === "UPDATE"
        ? object({ containers: [{ name: "app", image: r.oldImage }] })
        : undefined,
  });
  const parsed = parseAdmissionReview(JSON.parse(JSON.stringify(body)));
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.request;
}

/** The decision made afresh: no replay, a namespace cache of its own with the same labels. */
function fresh(request: AdmissionRequest, evaluator: Evaluator, labels: Record<string, string>) {
  const namespaces = new NamespaceCache();
  namespaces.set("prod", labels);
  return reviewAdmission(request, { evaluator, namespace: (n) => namespaces.facts(n) });
}

describe("remembered admission decisions", () => {
  it("answer every review exactly as deciding it again would, uid and JSON included", () => {
    let replayed = 0;
    fc.assert(
      // A few workloads, reviewed over and over in some order, each time with a new uid.
      fc.property(
        requests,
        fc.array(fc.tuple(fc.constantFrom(...CHANGES), requests), { maxLength: 5 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
        (base, changes, order) => {
          // Workloads that differ from one another in one input each, reviewed over and over
          // in some order, each time with a new uid.
          const pool = [base, ...changes.map(([change, other]) => changed(base, change, other))];
          const drawn = order.map((n, i) => ({
            ...(pool[n % pool.length] as Drawn),
            uid: `u-${i}`,
          }));
          // A new evaluator per run: its replay starts empty.
          const evaluator = createEvaluator(compileDocs(...POLICIES));
          const namespaces = new NamespaceCache();
          let labels: Record<string, string> = { env: "prod" };
          namespaces.set("prod", labels);
          for (const [i, r] of drawn.entries()) {
            // Relabelling a namespace part way must not replay decisions made under old labels.
            if (i === Math.floor(drawn.length / 2)) {
              labels = { env: "dev" };
              namespaces.set("prod", labels);
            }
            const request = requestOf(r);
            const outcome = decideAdmission(request, evaluator, namespaces);
            const expected = fresh(request, evaluator, labels);
            expect(outcome.response).toEqual(expected.response);
            expect(outcome.violations).toEqual(expected.violations);
            expect(outcomeText(outcome)).toBe(JSON.stringify(outcome.body));
            if (outcome.replayOf !== undefined) {
              replayed++;
              expect(request.operation).toBe("CREATE");
            }
          }
        },
      ),
      { numRuns: 150 },
    );
    // The pools are small: many reviews repeat one before them.
    expect(replayed).toBeGreaterThan(100);
  });

  it("replays a repeated CREATE, and only that", () => {
    const evaluator = createEvaluator(compileDocs(...POLICIES));
    const namespaces = new NamespaceCache();
    const drawn: Drawn = {
      kind: "Deployment",
      name: "a",
      namespace: "team-a",
      operation: "CREATE",
      uid: "first",
      serviceAccountName: undefined,
      pullSecrets: [],
      containers: [{ name: "app", image: "busybox", imagePullPolicy: undefined }],
      initImage: undefined,
      oldImage: "busybox",
    };
    // Remembered the second time it comes, answered from memory the third.
    for (const uid of ["first", "second"]) {
      const outcome = decideAdmission(requestOf({ ...drawn, uid }), evaluator, namespaces);
      expect(outcome.replayOf).toBeUndefined();
    }
    const third = decideAdmission(requestOf({ ...drawn, uid: "third" }), evaluator, namespaces);
    expect(third.replayOf).toBeDefined();
    expect(third.response?.uid).toBe("third");
    expect(third.response?.allowed).toBe(false);
    expect(outcomeText(third)).toContain('"uid":"third"');
    // Another container name is another decision.
    const other = decideAdmission(
      requestOf({
        ...drawn,
        uid: "fourth",
        containers: [{ name: "side", image: "busybox", imagePullPolicy: undefined }],
      }),
      evaluator,
      namespaces,
    );
    expect(other.replayOf).toBeUndefined();
    // Another name is the same decision, its denial said with that name.
    const renamed = decideAdmission(
      requestOf({ ...drawn, uid: "fifth", name: "b" }),
      evaluator,
      namespaces,
    );
    expect(renamed.violations).toBe(third.violations);
    expect(renamed.response?.status?.message).toContain("customs denied Deployment team-a/b:");
    expect(outcomeText(renamed)).toBe(JSON.stringify(renamed.body));
    const update = requestOf({ ...drawn, uid: "u", operation: "UPDATE" });
    expect(decideAdmission(update, evaluator, namespaces).replayOf).toBeUndefined();
    // A decision with a finishing touch (the supply-chain path) is never replayed.
    const touched = decideAdmission(
      requestOf({ ...drawn, uid: "t" }),
      evaluator,
      namespaces,
      (r) => r,
    );
    expect(touched.replayOf).toBeUndefined();
  });

  it("never replays with exceptions loaded: they match on more and they expire", () => {
    let now = Date.UTC(2027, 0, 10);
    const evaluator = createEvaluator(
      compileDocs(
        ...POLICIES,
        exceptionDoc("legacy-busybox", {
          policies: ["*"],
          images: ["docker.io/library/busybox:*"],
          reason: "vendor image",
          owner: "team-a",
          expires: "2027-01-31",
        }),
      ),
      undefined,
      { now: () => now },
    );
    const namespaces = new NamespaceCache();
    const request = requestOf({
      kind: "Pod",
      name: "a",
      namespace: "team-a",
      operation: "CREATE",
      uid: "x",
      serviceAccountName: undefined,
      pullSecrets: [],
      containers: [{ name: "app", image: "busybox", imagePullPolicy: "Always" }],
      initImage: undefined,
      oldImage: "busybox",
    });
    const before = decideAdmission(request, evaluator, namespaces);
    expect(before.response?.allowed).toBe(true);
    now = Date.UTC(2027, 1, 10);
    const after = decideAdmission(request, evaluator, namespaces);
    expect(after.replayOf).toBeUndefined();
    expect(after.response?.allowed).toBe(false);
  });

  it("gives workloads that differ in more than their name different keys, whatever their strings hold", () => {
    const text = fc.string({ unit: "binary", maxLength: 6 });
    const workload = fc.record({
      kind: fc.constantFrom("Pod", "Deployment"),
      name: text,
      serviceAccountName: fc.option(text, { nil: undefined }),
      imagePullSecrets: fc.array(text, { maxLength: 2 }),
      containers: fc.array(
        fc.record({
          containerType: fc.constantFrom("containers", "initContainers"),
          container: text,
          image: fc.option(text, { nil: undefined }),
          imagePullPolicy: fc.option(text, { nil: undefined }),
        }),
        { maxLength: 3 },
      ),
    });
    const full = (w: unknown) => w as Workload;
    const normal = (w: Record<string, unknown>, ns: string) =>
      // The name is not part of the key: only a denial's message says it, made again.
      JSON.stringify([
        w.kind,
        w.serviceAccountName ?? null,
        w.imagePullSecrets,
        (w.containers as Array<Record<string, unknown>>).map((c) => [
          c.containerType,
          c.container,
          c.image ?? null,
          c.imagePullPolicy ?? null,
        ]),
        ns,
      ]);
    const fields = ["kind", "name", "serviceAccountName", "imagePullSecrets", "containers", "ns"];
    fc.assert(
      // Two workloads, and the first with one input of the second: keys differ where they do.
      fc.property(
        workload,
        workload,
        text,
        text,
        fc.constantFrom(...fields),
        (a, b, nsA, nsB, f) => {
          const c: Record<string, unknown> =
            f === "ns" ? a : { ...a, [f]: (b as Record<string, unknown>)[f] };
          const nsC = f === "ns" ? nsB : nsA;
          for (const [x, nsX, y, nsY] of [
            [a, nsA, b, nsB],
            [a, nsA, c, nsC],
          ] as const) {
            const same = normal(x, nsX) === normal(y as Record<string, unknown>, nsY);
            expect(replayKey(full(x), nsX) === replayKey(full(y), nsY)).toBe(same);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

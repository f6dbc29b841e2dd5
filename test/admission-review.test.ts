import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { handleAdmission } from "../src/app/webhook/admission.js";
import { NamespaceCache } from "../src/app/webhook/namespaces.js";
import { createEvaluator } from "../src/core/evaluate/index.js";
import { deployment, pod, review } from "./support/admission.js";
import { compileDocs, policyDoc } from "./support/policies.js";

const evaluator = createEvaluator(
  compileDocs(
    policyDoc("corp-only", {
      recipe: "custom",
      input: { rules: [{ hostname: "registry.corp.example" }] },
    }),
    policyDoc("no-latest", { recipe: "block-latest-tag", action: "warn" }),
    policyDoc("digests", { recipe: "require-digest", action: "audit" }),
  ),
);
const namespaces = new NamespaceCache();
const D = `@sha256:${"e".repeat(64)}`;

function run(body: unknown) {
  return handleAdmission(
    typeof body === "string" ? body : JSON.stringify(body),
    evaluator,
    namespaces,
  );
}

function response(body: unknown) {
  const out = run(body);
  expect(out.status).toBe(200);
  return (out.body as unknown as { response: Record<string, unknown> }).response;
}

describe("POST /validate decisions", () => {
  it("denies with a 403 whose message names each violation and what is allowed", () => {
    const body = review(deployment("busybox", ["busybox"]), { uid: "abc" });
    const r = response(body);
    expect(r.uid).toBe("abc");
    expect(r.allowed).toBe(false);
    const status = r.status as { code: number; reason: string; message: string };
    expect(status.code).toBe(403);
    expect(status.reason).toBe("Forbidden");
    expect(status.message).toContain("customs denied Deployment team-a/busybox");
    expect(status.message).toContain(
      'image "busybox" (docker.io/library/busybox:latest) is not allowed by policy "corp-only"',
    );
    expect(status.message).toContain("allowed: hostname registry.corp.example");
    expect(r.warnings).toEqual([expect.stringContaining('no-latest: container "c0"')]);
    expect(r.auditAnnotations).toEqual({ digests: expect.stringContaining("has no digest") });
  });

  it("allows a compliant image, with warnings and audit annotations only where due", () => {
    expect(response(review(pod("ok", [`registry.corp.example/app:1${D}`])))).toEqual({
      uid: expect.any(String),
      allowed: true,
    });
    const r = response(review(pod("warn", ["registry.corp.example/app"])));
    expect(r.allowed).toBe(true);
    expect(r.warnings).toHaveLength(1);
    expect(r.auditAnnotations).toBeDefined();
  });

  it("checks init and ephemeral containers, and every workload kind", () => {
    const p = pod("p", [`registry.corp.example/a:1${D}`], {
      initContainers: [{ name: "init", image: "busybox:1" }],
    });
    expect(response(review(p)).allowed).toBe(false);
    const cron = {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "c", namespace: "team-a" },
      spec: {
        schedule: "* * * * *",
        jobTemplate: {
          spec: { template: { spec: { containers: [{ name: "x", image: "nginx:1" }] } } },
        },
      },
    };
    expect(response(review(cron)).allowed).toBe(false);
    const template = {
      apiVersion: "v1",
      kind: "PodTemplate",
      metadata: { name: "t" },
      template: { spec: { containers: [{ name: "x", image: "nginx:1" }] } },
    };
    expect(response(review(template)).allowed).toBe(false);
  });

  it("checks `kubectl debug` ephemeral containers (pods/ephemeralcontainers)", () => {
    const old = pod("p", [`registry.corp.example/a:1${D}`]);
    const updated = pod("p", [`registry.corp.example/a:1${D}`], {
      ephemeralContainers: [{ name: "debugger", image: "busybox" }],
    });
    const r = response(
      review(updated, { operation: "UPDATE", oldObject: old, subResource: "ephemeralcontainers" }),
    );
    expect(r.allowed).toBe(false);
    expect((r.status as { message: string }).message).toContain(
      'container "debugger" (ephemeralContainers)',
    );
  });

  it("an UPDATE that changes no image is never denied, only warned (scaling an old Deployment)", () => {
    const old = deployment("legacy", ["busybox"], 1);
    const r = response(
      review(deployment("legacy", ["busybox"], 5), { operation: "UPDATE", oldObject: old }),
    );
    expect(r.allowed).toBe(true);
    expect(r.warnings).toEqual(
      expect.arrayContaining([
        expect.stringContaining("image unchanged by this update, so not denied"),
      ]),
    );
  });

  it("an UPDATE that brings a new image is judged in full", () => {
    const old = deployment("legacy", [`registry.corp.example/a:1${D}`]);
    const r = response(
      review(deployment("legacy", ["busybox:1"]), { operation: "UPDATE", oldObject: old }),
    );
    expect(r.allowed).toBe(false);
  });

  it("denies a workload it cannot read, never allows it", () => {
    const bad = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p" },
      spec: { containers: { image: "busybox" } },
    };
    const r = response(review(bad));
    expect(r.allowed).toBe(false);
    expect((r.status as { message: string }).message).toContain("/spec/containers");
  });

  it("lets through what is not a workload or not a change of one", () => {
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" }, data: {} };
    expect(response(review(cm)).allowed).toBe(true);
    expect(response(review(pod("p", ["busybox"]), { operation: "DELETE" })).allowed).toBe(true);
    expect(
      response(review(deployment("d", ["busybox"]), { operation: "UPDATE", subResource: "scale" }))
        .allowed,
    ).toBe(true);
  });
});

describe("bad requests are 400s, never allows", () => {
  it.each([
    ["not JSON", "{nope", /not JSON/],
    ["an array", "[]", /not a JSON object/],
    [
      "wrong apiVersion",
      { ...review(pod("p", ["x"])), apiVersion: "admission.k8s.io/v1beta1" },
      /apiVersion must be admission\.k8s\.io\/v1/,
    ],
    ["wrong kind", { ...review(pod("p", ["x"])), kind: "Review" }, /kind must be AdmissionReview/],
    [
      "no request",
      { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview" },
      /request is missing/,
    ],
    [
      "missing uid",
      (() => {
        const r = review(pod("p", ["x"])) as { request: Record<string, unknown> };
        delete r.request.uid;
        return r;
      })(),
      /uid is missing/,
    ],
    [
      "bad operation",
      (() => {
        const r = review(pod("p", ["x"])) as { request: Record<string, unknown> };
        r.request.operation = "PATCH";
        return r;
      })(),
      /operation/,
    ],
  ])("%s", (_name, body, message) => {
    const out = run(body);
    expect(out.status).toBe(400);
    expect((out.body as { error: { code: string; message: string } }).error).toMatchObject({
      code: "ADMISSION_REVIEW_INVALID",
      message: expect.stringMatching(message),
    });
  });

  it("fuzz: any JSON body gets a 400 or a response for its uid; malformed workloads are never allowed", () => {
    const object = fc.oneof(
      fc.jsonValue(),
      fc.record({
        apiVersion: fc.constantFrom("v1", "apps/v1"),
        kind: fc.constantFrom("Pod", "Deployment", "CronJob", "List"),
        metadata: fc.oneof(fc.jsonValue(), fc.record({ name: fc.string() })),
        spec: fc.jsonValue(),
      }),
    );
    const body = fc.record({
      apiVersion: fc.constantFrom("admission.k8s.io/v1", "x"),
      kind: fc.constantFrom("AdmissionReview", "x"),
      request: fc.oneof(
        fc.jsonValue(),
        fc.record({
          uid: fc.oneof(fc.string(), fc.integer()),
          kind: fc.record({
            group: fc.constantFrom("", "apps"),
            version: fc.constant("v1"),
            kind: fc.constantFrom("Pod", "Deployment", "CronJob"),
          }),
          operation: fc.constantFrom("CREATE", "UPDATE", "DELETE", "X"),
          namespace: fc.string(),
          object,
          oldObject: object,
        }),
      ),
    });
    fc.assert(
      fc.property(body, (b) => {
        const out = run(b);
        expect([200, 400]).toContain(out.status);
        if (out.status === 200) {
          const r = (out.body as { response: { uid: string; allowed: boolean } }).response;
          expect(r.uid).toBe((b.request as { uid: string }).uid);
        }
      }),
      { numRuns: 3_000 },
    );
  });
});

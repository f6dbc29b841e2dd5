/**
 * The webhook's hot path: the answer written around the response alone is the same JSON as
 * the whole body serialized; the counters kept outside prom-client reach it when read; the
 * benchmark's profile summary gives each sample to the category its stack names.
 */
import fc from "fast-check";
import { Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { type CpuProfile, timeByCategory } from "../bench/cpu-profile.js";
import { answered } from "../src/app/webhook/admission.js";
import { type AdmissionOutcome, outcomeText } from "../src/app/webhook/index.js";
import {
  type AdmissionRequest,
  type AdmissionResponse,
  auditKey,
} from "../src/core/admission/index.js";
import { LatencyHistogram } from "../src/server/latency-histogram.js";
import { createMetrics } from "../src/server/metrics.js";
import { countersOf } from "../src/server/webhook-counters.js";

const request: AdmissionRequest = {
  uid: "u",
  kind: { group: "apps", version: "v1", kind: "Deployment" },
  resource: { group: "apps", version: "v1", resource: "deployments" },
  subResource: undefined,
  name: "web",
  namespace: "team-a",
  operation: "CREATE",
  object: {},
  oldObject: null,
  dryRun: false,
};

const responses: fc.Arbitrary<AdmissionResponse> = fc.record(
  {
    uid: fc.string(),
    allowed: fc.boolean(),
    status: fc.record({ code: fc.integer(), reason: fc.string(), message: fc.string() }),
    warnings: fc.array(fc.string({ unit: "binary" })),
    auditAnnotations: fc.dictionary(fc.string(), fc.string({ unit: "binary" })),
    patch: fc.base64String(),
    patchType: fc.constant("JSONPatch" as const),
  },
  { requiredKeys: ["uid", "allowed"] },
) as fc.Arbitrary<AdmissionResponse>;

describe("outcomeText", () => {
  it("is byte for byte JSON.stringify of the outcome's body, for any response", () => {
    fc.assert(
      fc.property(responses, (response) => {
        const outcome = answered(request, response);
        expect(outcomeText(outcome)).toBe(JSON.stringify(outcome.body));
      }),
    );
  });

  it("serializes an error body whole", () => {
    const outcome: AdmissionOutcome = {
      status: 400,
      body: { error: { code: "ADMISSION_REVIEW_INVALID", message: 'no "uid"' } },
    };
    expect(JSON.parse(outcomeText(outcome))).toEqual(outcome.body);
  });
});

describe("webhook counters", () => {
  it("reach prom-client when flushed, added up by label set", async () => {
    const metrics = createMetrics();
    const count = countersOf(metrics);
    for (let i = 0; i < 3; i++) count.request("/validate", 200);
    count.request("/validate", 400);
    count.violation("corp-only", "deny", "IMAGE_NOT_ALLOWED");
    count.violation("corp-only", "deny", "IMAGE_NOT_ALLOWED");
    count.decision("deny");
    count.exemption("corp-only", "legacy");
    count.flush();
    count.flush(); // nothing counted since: nothing added twice
    count.request("/validate", 200);
    count.flush();
    const text = await metrics.registry.metrics();
    expect(text).toContain('customs_http_requests_total{path="/validate",code="200"} 4');
    expect(text).toContain('customs_http_requests_total{path="/validate",code="400"} 1');
    expect(text).toContain(
      'customs_policy_violations_total{policy="corp-only",action="deny",code="IMAGE_NOT_ALLOWED"} 2',
    );
    expect(text).toContain('customs_admission_decisions_total{verdict="deny"} 1');
    expect(text).toContain(
      'customs_policy_exemptions_total{policy="corp-only",exception="legacy"} 1',
    );
  });

  it("observe latency at once", async () => {
    const metrics = createMetrics();
    countersOf(metrics).latency("/validate", 0.0002);
    expect(await metrics.registry.metrics()).toContain(
      'customs_request_duration_seconds_count{path="/validate"} 1',
    );
  });
});

describe("auditKey", () => {
  it("gives every name the same key each time: the name made safe, at most 63 characters", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", minLength: 1, maxLength: 120 }), (name) => {
        const key = auditKey(name);
        expect(auditKey(name)).toBe(key);
        expect(key).toMatch(/^[A-Za-z0-9_.-]{1,63}$/);
        const safe = name.replace(/[^A-Za-z0-9_.-]/g, "-");
        if (safe.length <= 63) expect(key).toBe(safe);
        else expect(key.slice(0, 54)).toBe(safe.slice(0, 54));
      }),
    );
  });
});

describe("latency histogram", () => {
  const bounds = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
  const observations = fc.array(
    fc.tuple(
      fc.constantFrom("/validate", "/mutate"),
      fc.oneof(fc.double({ min: 0, max: 2, noNaN: true }), fc.constantFrom(...bounds)),
    ),
    { maxLength: 40 },
  );

  it("exposes what prom-client's Histogram exposes for the same observations", async () => {
    await fc.assert(
      fc.asyncProperty(observations, async (seen) => {
        const ours = new Registry();
        const theirs = new Registry();
        const help = "Time by path.";
        const mine = new LatencyHistogram("t_seconds", help, bounds, ours);
        const reference = new Histogram({
          name: "t_seconds",
          help,
          labelNames: ["path"],
          buckets: bounds,
          registers: [theirs],
        });
        for (const [path, seconds] of seen) {
          mine.observe(path, seconds);
          reference.observe({ path }, seconds);
        }
        expect(await ours.metrics()).toBe(await theirs.metrics());
      }),
    );
  });
});

describe("bench cpu-profile summary", () => {
  const frame = (functionName: string, url = "") => ({ functionName, url });
  // root → (idle); root → answer (webhook) → LOG (pino) → writeString; root → parse
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame("(root)"), children: [2, 3, 6, 7] },
      { id: 2, callFrame: frame("(idle)") },
      { id: 3, callFrame: frame("answer", "file:///x/dist/server/webhook.js"), children: [4] },
      { id: 4, callFrame: frame("LOG", "file:///x/node_modules/pino/lib/tools.js"), children: [5] },
      { id: 5, callFrame: frame("writeString") },
      { id: 6, callFrame: frame("parse") },
      { id: 7, callFrame: frame("(program)") },
    ],
    startTime: 0,
    endTime: 100,
    samples: [2, 5, 5, 6, 3, 7],
    timeDeltas: [1000, 1000, 1000, 2000, 1000, 3000],
  };

  it("gives each sample to the innermost frame that names a category, idle left out", () => {
    const byCategory = Object.fromEntries(timeByCategory(profile));
    expect(byCategory).toEqual({
      logging: 2,
      "JSON parse": 2,
      metrics: 1,
      other: 3,
    });
  });

  // The bundle's chunks are named after one of their modules: `reply-….js` holds all of
  // server/http, `admission-….js` both app/webhook/admission and core/admission.
  const bundled = (fn: string, chunk: string) =>
    frame(fn, `file:///x/dist/bundle/${chunk}-Ab3_x-9Q.js`);
  const cases: ReadonlyArray<readonly [string, { functionName: string; url: string }]> = [
    ["JSON parse", bundled("readReview", "admission")],
    ["review envelope and extraction", bundled("parseAdmissionReview", "admission")],
    ["review envelope and extraction", bundled("readContainers", "policy")],
    ["evaluation", bundled("reviewAdmission", "admission")],
    ["evaluation", bundled("entryOf", "evaluate")],
    ["response building", bundled("outcomeText", "admission")],
    ["response building", bundled("sendJsonText", "reply")],
    ["body reading", bundled("readBodyThen", "reply")],
    ["metrics", bundled("add2", "webhook")],
    ["TLS (encryption, socket reads and writes)", frame("writev")],
    ["body reading", frame("_addHeaderLine", "node:_http_incoming")],
    [
      "review envelope and extraction",
      frame("extractResources", "file:///x/dist/core/workload/extract.js"),
    ],
  ];

  it.each(cases)("names %s for a frame of the bundle or of Node", (category, callFrame) => {
    const one: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame("(root)"), children: [2] },
        { id: 2, callFrame },
      ],
      startTime: 0,
      endTime: 10,
      samples: [2],
      timeDeltas: [1000],
    };
    expect(Object.fromEntries(timeByCategory(one))).toEqual({ [category]: 1 });
  });
});

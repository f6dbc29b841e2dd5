import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admissionReports } from "../../src/app/agent/reports.js";
import type { AdmissionOutcome } from "../../src/app/webhook/admission.js";
import { NamespaceCache } from "../../src/app/webhook/namespaces.js";
import { createEvaluator } from "../../src/core/evaluate/index.js";
import { createMetrics } from "../../src/server/metrics.js";
import { startWebhook, type WebhookServer } from "../../src/server/webhook.js";
import { deployment, review } from "../support/admission.js";
import { compileDocs, policyDoc } from "../support/policies.js";
import { httpsCall, type TestPki, testPki } from "../support/tls.js";
import { corpOnly } from "./support.js";

const evaluator = createEvaluator(
  compileDocs(corpOnly(), policyDoc("no-latest", { recipe: "block-latest-tag", action: "warn" })),
);

describe("the webhook's onDecision hook", () => {
  let pki: TestPki;
  let server: WebhookServer;
  const seen: AdmissionOutcome[] = [];
  let throwing = false;

  beforeAll(async () => {
    pki = await testPki();
    server = await startWebhook({
      host: "127.0.0.1",
      port: 0,
      tlsCert: pki.certFile,
      tlsKey: pki.keyFile,
      maxBodyBytes: 64 * 1024,
      requestTimeoutMs: 2_000,
      logger: pino({ level: "silent" }),
      metrics: createMetrics(),
      namespaces: new NamespaceCache(),
      evaluator: () => evaluator,
      onDecision: (o) => {
        seen.push(o);
        if (throwing) throw new Error("hook failed");
      },
    });
  });
  afterAll(async () => {
    await server.drain(100);
    pki.cleanup();
  });

  const validate = (body: unknown) =>
    httpsCall(server.port, pki.caPem, "POST", "/validate", JSON.stringify(body));

  it("gets each decided review, turned into one report per violation", async () => {
    seen.length = 0;
    const r = await validate(
      review(deployment("web", ["busybox", "registry.corp.example/a:1"]), { namespace: "team-a" }),
    );
    expect(r.status).toBe(200);
    expect(seen).toHaveLength(1);
    const [outcome] = seen;
    if (outcome === undefined) throw new Error("no outcome");
    const reports = admissionReports(outcome, new Date("2026-01-02T03:04:05Z"));
    expect(reports).toEqual([
      expect.objectContaining({
        time: "2026-01-02T03:04:05.000Z",
        source: "admission",
        operation: "CREATE",
        namespace: "team-a",
        kind: "Deployment",
        name: "web",
        container: "c0",
        image: "busybox",
        normalizedImage: "docker.io/library/busybox:latest",
        policy: "corp-only",
        action: "deny",
      }),
      expect.objectContaining({ container: "c0", policy: "no-latest", action: "warn" }),
    ]);
    expect(reports.every((x) => x.code !== "" && x.message !== "")).toBe(true);
  });

  it("is not called for a body that is not a review, and has no reports for an allowed one", async () => {
    seen.length = 0;
    expect((await validate({ nope: true })).status).toBe(400);
    expect(seen).toHaveLength(0);
    await validate(review(deployment("ok", ["registry.corp.example/a:1"])));
    expect(seen).toHaveLength(1);
    expect(admissionReports(seen[0] as AdmissionOutcome, new Date())).toEqual([]);
  });

  it("a hook that throws does not change the answer", async () => {
    throwing = true;
    try {
      const r = await validate(review(deployment("web", ["busybox"])));
      expect(r.status).toBe(200);
      expect((r.json() as { response: { allowed: boolean } }).response.allowed).toBe(false);
    } finally {
      throwing = false;
    }
  });
});

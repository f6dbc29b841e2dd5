import { once } from "node:events";
import { connect } from "node:tls";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleMutation } from "../src/app/webhook/mutate.js";
import { NamespaceCache } from "../src/app/webhook/namespaces.js";
import { createEvaluator, type Evaluator } from "../src/core/evaluate/index.js";
import { createMetrics } from "../src/server/metrics.js";
import { startWebhook, type WebhookServer } from "../src/server/webhook.js";
import { deployment, review } from "./support/admission.js";
import { compileDocs, policyDoc } from "./support/policies.js";
import { httpsCall, type TestPki, testPki } from "./support/tls.js";
import { within } from "./support/wait.js";

const pinning = createEvaluator(
  compileDocs(policyDoc("pin", { recipe: "block-latest-tag", action: "audit", pinDigests: true })),
);
const evaluator = createEvaluator(
  compileDocs(
    policyDoc("corp-only", {
      recipe: "custom",
      input: { rules: [{ hostname: "registry.corp.example" }] },
    }),
  ),
);

describe("the webhook over HTTPS", () => {
  let pki: TestPki;
  let server: WebhookServer;
  let current: Evaluator | undefined = evaluator;

  beforeAll(async () => {
    pki = await testPki();
    server = await startWebhook({
      host: "127.0.0.1",
      port: 0,
      tlsCert: pki.certFile,
      tlsKey: pki.keyFile,
      maxBodyBytes: 64 * 1024,
      requestTimeoutMs: 400,
      logger: pino({ level: "silent" }),
      metrics: createMetrics(),
      namespaces: new NamespaceCache(),
      evaluator: () => current,
      mutate: (text) =>
        handleMutation(
          text,
          pinning,
          new NamespaceCache(),
          async () => `sha256:${"9".repeat(64)}`,
          500,
        ),
    });
  });
  afterAll(async () => {
    await server.drain(100);
    pki.cleanup();
  });

  const call = (method: string, path: string, body?: string) =>
    httpsCall(server.port, pki.caPem, method, path, body);

  it("answers health and readiness", async () => {
    expect((await call("GET", "/healthz")).status).toBe(200);
    expect((await call("GET", "/readyz")).status).toBe(200);
    expect((await call("GET", "/nope")).status).toBe(404);
  });

  it("denies over the wire with the request's uid", async () => {
    const r = await call(
      "POST",
      "/validate",
      JSON.stringify(review(deployment("busybox", ["busybox"]), { uid: "u-1" })),
    );
    expect(r.status).toBe(200);
    expect(r.json()).toMatchObject({
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      response: { uid: "u-1", allowed: false, status: { code: 403 } },
    });
  });

  it("serves POST /mutate with a JSONPatch when enabled", async () => {
    const r = await call(
      "POST",
      "/mutate",
      JSON.stringify(review(deployment("d", ["nginx:1.25"]))),
    );
    const response = (
      r.json() as { response: { allowed: boolean; patchType: string; patch: string } }
    ).response;
    expect(response.allowed).toBe(true);
    expect(response.patchType).toBe("JSONPatch");
    expect(JSON.parse(Buffer.from(response.patch, "base64").toString())).toEqual([
      {
        op: "replace",
        path: "/spec/template/spec/containers/0/image",
        value: `nginx:1.25@sha256:${"9".repeat(64)}`,
      },
    ]);
  });

  it("exports Prometheus metrics: requests, decisions by verdict and policy, latency", async () => {
    await call(
      "POST",
      "/validate",
      JSON.stringify(review(deployment("ok", ["registry.corp.example/a:1"]))),
    );
    const text = (await call("GET", "/metrics")).text;
    expect(text).toMatch(/customs_admission_decisions_total\{verdict="deny"\} [1-9]/);
    expect(text).toMatch(/customs_admission_decisions_total\{verdict="allow"\} [1-9]/);
    expect(text).toMatch(
      /customs_policy_violations_total\{policy="corp-only",action="deny",code="IMAGE_NOT_ALLOWED"\} [1-9]/,
    );
    // The histogram is there and counted the request; how fast it was is bench/'s business.
    expect(text).toMatch(
      /customs_request_duration_seconds_bucket\{le="0.005",path="\/validate"\} \d/,
    );
    expect(text).toMatch(/customs_request_duration_seconds_count\{path="\/validate"\} [1-9]/);
    expect(text).toMatch(/customs_http_requests_total\{path="\/validate",code="200"\} [1-9]/);
  });

  it("400 for a body that is not an AdmissionReview, 413 for one over the limit", async () => {
    const bad = await call("POST", "/validate", "not json");
    expect(bad.status).toBe(400);
    expect(bad.json()).toEqual({
      error: { code: "ADMISSION_REVIEW_INVALID", message: expect.stringContaining("not JSON") },
    });
    const big = await call(
      "POST",
      "/validate",
      JSON.stringify({ padding: "x".repeat(100 * 1024) }),
    ).catch(() => ({ status: 413 }));
    expect(big.status).toBe(413);
    expect((await call("GET", "/healthz")).status).toBe(200);
  });

  it("closes on a slow client instead of waiting for it", async () => {
    const closed = await new Promise<number>((resolve) => {
      const started = Date.now();
      const socket = connect(
        { host: "127.0.0.1", port: server.port, ca: pki.caPem, servername: "localhost" },
        () => {
          socket.write("POST /validate HTTP/1.1\r\nhost: x\r\ncontent-length: 1000\r\n\r\n{");
        },
      );
      socket.on("data", () => {});
      socket.on("close", () => resolve(Date.now() - started));
      socket.on("error", () => {});
    });
    expect(closed).toBeLessThan(5_000);
    expect((await call("GET", "/healthz")).status).toBe(200);
  });

  it("503 and not ready while no policy set is loaded", async () => {
    current = undefined;
    try {
      expect((await call("GET", "/readyz")).status).toBe(503);
      expect(
        (await call("POST", "/validate", JSON.stringify(review(deployment("x", ["x"]))))).status,
      ).toBe(503);
    } finally {
      current = evaluator;
    }
  });

  it("reloads certificates without a restart", async () => {
    const oldCa = pki.caPem;
    await pki.rotate();
    server.reloadTls();
    expect((await call("GET", "/healthz")).status).toBe(200);
    await expect(httpsCall(server.port, oldCa, "GET", "/healthz")).rejects.toThrow();
  });
});

describe("draining", () => {
  it("finishes an in-flight request, then refuses new connections", async () => {
    const pki = await testPki();
    const server = await startWebhook({
      host: "127.0.0.1",
      port: 0,
      tlsCert: pki.certFile,
      tlsKey: pki.keyFile,
      maxBodyBytes: 1 << 20,
      requestTimeoutMs: 10_000,
      logger: pino({ level: "silent" }),
      metrics: createMetrics(),
      namespaces: new NamespaceCache(),
      evaluator: () => evaluator,
    });
    try {
      const body = JSON.stringify(review(deployment("busybox", ["busybox"]), { uid: "in-flight" }));
      // The server has the request once it has parsed its head: the body is still to come.
      const received = once(server.server, "request");
      const socket = connect({
        host: "127.0.0.1",
        port: server.port,
        ca: pki.caPem,
        servername: "localhost",
      });
      const answer = new Promise<string>((resolve, reject) => {
        let text = "";
        socket.on("data", (d: Buffer) => {
          text += d.toString();
          if (text.includes("in-flight")) {
            socket.end();
            resolve(text);
          }
        });
        socket.on("error", reject);
      });
      await once(socket, "secureConnect");
      socket.write(
        `POST /validate HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`,
      );
      socket.write(body.slice(0, 10));
      await within(received, "request at the webhook");
      const drained = server.drain(5_000);
      // The rest of the body comes only after the drain began.
      socket.write(body.slice(10));
      expect(await answer).toContain('"allowed":false');
      await drained;
      await expect(httpsCall(server.port, pki.caPem, "GET", "/healthz")).rejects.toThrow();
    } finally {
      pki.cleanup();
    }
  });
});

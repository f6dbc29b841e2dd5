/**
 * Who may ask the webhook: with --client-ca-file only the API server (a client certificate
 * of that CA) gets reviews decided, so nobody else can have violation records made. And a
 * review whose request.kind is not its object's kind is refused with a code.
 */
import { writeFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createCertificateAuthority,
  issueClientCertificate,
  type PemPair,
} from "../src/adapters/pki/index.js";
import type { AdmissionOutcome } from "../src/app/webhook/admission.js";
import { NamespaceCache } from "../src/app/webhook/namespaces.js";
import { createEvaluator } from "../src/core/evaluate/index.js";
import { createMetrics } from "../src/server/metrics.js";
import { startWebhook, type WebhookServer } from "../src/server/webhook.js";
import { deployment, pod, review } from "./support/admission.js";
import { compileDocs, policyDoc } from "./support/policies.js";
import { type TestPki, testPki } from "./support/tls.js";

const evaluator = createEvaluator(
  compileDocs(
    policyDoc("corp-only", {
      recipe: "custom",
      input: { rules: [{ hostname: "registry.corp.example" }] },
    }),
  ),
);

function call(
  port: number,
  ca: string,
  method: string,
  path: string,
  body?: string,
  client?: PemPair,
): Promise<{ status: number; json: () => Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method,
        path,
        ca,
        servername: "localhost",
        agent: false,
        ...(client === undefined ? {} : { cert: client.certPem, key: client.keyPem }),
        headers: body === undefined ? {} : { "content-type": "application/json" },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({ status: res.statusCode ?? 0, json: () => JSON.parse(text) });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("the webhook's callers", () => {
  let pki: TestPki;
  let server: WebhookServer;
  let apiServer: PemPair;
  let stranger: PemPair;
  const decided: AdmissionOutcome[] = [];

  beforeAll(async () => {
    pki = await testPki();
    const clientCa = await createCertificateAuthority("api server clients");
    apiServer = await issueClientCertificate(clientCa, "kube-apiserver");
    stranger = await issueClientCertificate(
      await createCertificateAuthority("someone else"),
      "kube-apiserver",
    );
    const caFile = join(pki.dir, "client-ca.crt");
    writeFileSync(caFile, clientCa.certPem);
    server = await startWebhook({
      host: "127.0.0.1",
      port: 0,
      tlsCert: pki.certFile,
      tlsKey: pki.keyFile,
      clientCaFile: caFile,
      maxBodyBytes: 64 * 1024,
      requestTimeoutMs: 5_000,
      logger: pino({ level: "silent" }),
      metrics: createMetrics(),
      namespaces: new NamespaceCache(),
      evaluator: () => evaluator,
      onDecision: (o) => decided.push(o),
    });
  });
  afterAll(async () => {
    await server.drain(100);
    pki.cleanup();
  });

  const denied = () => JSON.stringify(review(deployment("app", ["busybox:1.36"])));

  it("--client-ca-file: a review without a client certificate is refused and never recorded", async () => {
    const before = decided.length;
    const r = await call(server.port, pki.caPem, "POST", "/validate", denied());
    expect(r.status).toBe(401);
    expect(r.json()).toMatchObject({ error: { code: "WEBHOOK_CLIENT_UNAUTHENTICATED" } });
    const other = await call(server.port, pki.caPem, "POST", "/validate", denied(), stranger);
    expect(other.status).toBe(401);
    expect(decided.length).toBe(before);
  });

  it("--client-ca-file: the API server's certificate gets its review decided (and recorded)", async () => {
    const before = decided.length;
    const r = await call(server.port, pki.caPem, "POST", "/validate", denied(), apiServer);
    expect(r.status).toBe(200);
    expect((r.json().response as { allowed: boolean }).allowed).toBe(false);
    expect(decided.length).toBe(before + 1);
    expect(decided.at(-1)?.violations?.[0]?.policy).toBe("corp-only");
  });

  it("--client-ca-file: probes need no certificate (kubelet presents none)", async () => {
    expect((await call(server.port, pki.caPem, "GET", "/readyz")).status).toBe(200);
    expect((await call(server.port, pki.caPem, "GET", "/healthz")).status).toBe(200);
  });

  it("a review whose request.kind says Pod but whose object is a Deployment is refused with a code", async () => {
    const before = decided.length;
    const forged = review(deployment("app", ["busybox:1.36"])) as {
      request: Record<string, unknown>;
    };
    forged.request.kind = { group: "", version: "v1", kind: "Pod" };
    const r = await call(
      server.port,
      pki.caPem,
      "POST",
      "/validate",
      JSON.stringify(forged),
      apiServer,
    );
    expect(r.status).toBe(400);
    expect(r.json()).toMatchObject({ error: { code: "ADMISSION_KIND_MISMATCH" } });
    expect(String((r.json().error as { message: string }).message)).toContain(
      "apps/v1, Kind=Deployment",
    );
    expect(decided.length).toBe(before);
  });

  it("a mismatched group or version is refused too; a matching review is decided", async () => {
    const wrongVersion = review(pod("p", ["busybox:1.36"])) as { request: Record<string, unknown> };
    wrongVersion.request.kind = { group: "", version: "v2", kind: "Pod" };
    const wrongGroup = review(deployment("d", ["busybox:1.36"])) as {
      request: Record<string, unknown>;
    };
    wrongGroup.request.kind = { group: "extensions", version: "v1", kind: "Deployment" };
    for (const body of [wrongVersion, wrongGroup]) {
      const r = await call(
        server.port,
        pki.caPem,
        "POST",
        "/validate",
        JSON.stringify(body),
        apiServer,
      );
      expect(r.status).toBe(400);
      expect(r.json()).toMatchObject({ error: { code: "ADMISSION_KIND_MISMATCH" } });
    }
    const oldMismatch = review(pod("p", ["busybox:1.36"]), {
      operation: "UPDATE",
      oldObject: deployment("p", ["busybox:1.36"]),
    });
    const r = await call(
      server.port,
      pki.caPem,
      "POST",
      "/validate",
      JSON.stringify(oldMismatch),
      apiServer,
    );
    expect(r.status).toBe(400);
    const fine = review(pod("p", ["busybox:1.36"]));
    const ok = await call(
      server.port,
      pki.caPem,
      "POST",
      "/validate",
      JSON.stringify(fine),
      apiServer,
    );
    expect(ok.status).toBe(200);
  });
});

import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FactCache } from "../../src/app/supply/cache.js";
import {
  FactsGatherer,
  type RegistrySource,
  type SignatureSource,
} from "../../src/app/supply/facts.js";
import type { SupplyContext } from "../../src/app/supply/review.js";
import { factsBudgetMs } from "../../src/app/supply/review.js";
import { NamespaceCache } from "../../src/app/webhook/namespaces.js";
import { createEvaluator } from "../../src/core/evaluate/index.js";
import type { Fact, SignatureFacts } from "../../src/core/supply/facts.js";
import { createMetrics } from "../../src/server/metrics.js";
import { startWebhook, type WebhookServer } from "../../src/server/webhook.js";
import { deployment, review } from "../support/admission.js";
import { httpsCall, type TestPki, testPki } from "../support/tls.js";
import { compileSpec, DIGEST, keySigner, metadata, ok, PEM, signature } from "./support.js";

const SIGNED_BY_CI = compileSpec({
  recipe: "require-signature",
  input: { authorities: [{ name: "ci", key: { pem: PEM } }] },
});

const registry: RegistrySource = {
  digestOf: async () => ok(DIGEST),
  metadataOf: async () => ok(metadata()),
};

/** A signature source the test switches between answers (or hanging). */
let answer: Fact<SignatureFacts> | "hang" = ok({ verified: [], rejected: [] });
const signatures: SignatureSource = {
  signaturesFor: () => (answer === "hang" ? new Promise(() => undefined) : Promise.resolve(answer)),
};

/** The webhook over HTTPS with the signature policy, fetching facts with `supply` (if any). */
function start(pki: TestPki, supply: SupplyContext | undefined): Promise<WebhookServer> {
  return startWebhook({
    host: "127.0.0.1",
    port: 0,
    tlsCert: pki.certFile,
    tlsKey: pki.keyFile,
    maxBodyBytes: 64 * 1024,
    requestTimeoutMs: 5_000,
    logger: pino({ level: "silent" }),
    metrics: createMetrics(),
    namespaces: new NamespaceCache(),
    evaluator: () => createEvaluator(SIGNED_BY_CI),
    ...(supply ? { supply } : {}),
  });
}

interface Answer {
  response: {
    allowed: boolean;
    status?: { message: string };
    warnings?: string[];
    auditAnnotations?: Record<string, string>;
  };
}

describe("the webhook decides supply-chain policies on fetched facts", () => {
  let pki: TestPki;
  let server: WebhookServer;
  let withSupply: SupplyContext;
  let t = Date.now();

  beforeAll(async () => {
    pki = await testPki();
    const cache = new FactCache(
      { ttlMs: 1_000, negativeTtlMs: 1_000, graceMs: 3_600_000 },
      () => t,
    );
    withSupply = {
      provider: new FactsGatherer({ registry, signatures, cache, now: () => t }),
      now: () => t,
      budgetMs: factsBudgetMs(1),
      tags: { defaultHandling: "refuse", admission: true },
    };
    server = await start(pki, withSupply);
  });
  afterAll(async () => {
    await server.drain(100);
    pki.cleanup();
  });

  const admit = async (image = `registry.example.com/team/app:v1@${DIGEST}`) => {
    const body = JSON.stringify(review(deployment("app", [image])));
    const r = await httpsCall(server.port, pki.caPem, "POST", "/validate", body);
    expect(r.status).toBe(200);
    return r.json() as Answer;
  };

  it("denies an unsigned image, saying so", async () => {
    answer = ok({ verified: [], rejected: [] });
    const r = await admit(`registry.example.com/team/unsigned:v1@${DIGEST}`);
    expect(r.response.allowed).toBe(false);
    expect(r.response.status?.message).toMatch(/no cosign signature found for sha256:a{64}/);
  });

  it("admits an image signed by the policy's key", async () => {
    answer = ok({ verified: [signature(keySigner("ci"))], rejected: [] });
    t += 2_000;
    const r = await admit();
    expect(r.response.allowed).toBe(true);
    expect(r.response.warnings).toBeUndefined();
  });

  it("while the source is down, admits a digest verified within the grace period, marked degraded", async () => {
    answer = { ok: false, code: "REGISTRY_UNREACHABLE", message: "connect ECONNREFUSED" };
    t += 2_000;
    const r = await admit();
    expect(r.response.allowed).toBe(true);
    expect(r.response.warnings?.[0]).toMatch(
      /^customs: decided on last-known-good supply-chain facts/,
    );
    expect(r.response.auditAnnotations?.["supply-chain-degraded"]).toMatch(/team\/app:v1/);
  });

  it("answers within the timeoutSeconds budget when a source hangs: SOURCE_TIMEOUT, denied", async () => {
    answer = "hang";
    t += 10_000_000; // past the grace period and every TTL
    const started = Date.now();
    const r = await admit();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(r.response.allowed).toBe(false);
    expect(r.response.status?.message).toMatch(
      /could not check signatures: signatures of .+: no answer within the time budget/,
    );
  });

  it("without a way to fetch facts, supply-chain policies fail closed", async () => {
    const other = await start(pki, undefined);
    try {
      const body = JSON.stringify(
        review(deployment("app", [`registry.example.com/a:v1@${DIGEST}`])),
      );
      const r = await httpsCall(other.port, pki.caPem, "POST", "/validate", body);
      const answer = r.json() as Answer;
      expect(answer.response.allowed).toBe(false);
      expect(answer.response.status?.message).toMatch(
        /could not check signatures: no source for these facts is configured/,
      );
    } finally {
      await other.drain(100);
    }
  });
});

describe("facts budget", () => {
  it.each([
    [1, 250],
    [10, 8_500],
    [30, 28_500],
  ])("timeoutSeconds %i leaves %i ms for facts", (seconds, ms) => {
    expect(factsBudgetMs(seconds)).toBe(ms);
  });
});

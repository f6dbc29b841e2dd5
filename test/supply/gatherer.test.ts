import { describe, expect, it } from "vitest";
import { FactCache } from "../../src/app/supply/cache.js";
import {
  type FactRequest,
  FactsGatherer,
  type RegistrySource,
  type SignatureSource,
} from "../../src/app/supply/facts.js";
import { NO_NEEDS } from "../../src/core/evaluate/index.js";
import type { Fact, SignatureFacts } from "../../src/core/supply/facts.js";
import { DIGEST, keySigner, metadata, ok, signature } from "./support.js";

const IMAGE = "registry.example.com/team/app:v1";
const SIGNATURES: FactRequest = { needs: { ...NO_NEEDS, signatures: true }, authorities: [] };
const METADATA: FactRequest = { needs: { ...NO_NEEDS, metadata: true }, authorities: [] };

/** A clock the test moves by hand. */
function clock(start = 1_000_000) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

const registry = (calls: string[] = []): RegistrySource => ({
  async digestOf() {
    calls.push("digest");
    return ok(DIGEST);
  },
  async metadataOf(ref) {
    calls.push(`metadata ${ref.digest}`);
    return ok(metadata());
  },
});

/** A signature source whose answers the test scripts, counting calls. */
function scripted(answers: Array<Fact<SignatureFacts> | "hang">) {
  let calls = 0;
  const source: SignatureSource = {
    signaturesFor() {
      const a = answers[Math.min(calls, answers.length - 1)];
      calls++;
      if (a === "hang") return new Promise(() => undefined);
      return Promise.resolve(a as Fact<SignatureFacts>);
    },
  };
  return { source, calls: () => calls };
}

const SIGNED = ok({ verified: [signature(keySigner("ci"))], rejected: [] });
const UNSIGNED = ok({ verified: [], rejected: [] });
const DOWN: Fact<SignatureFacts> = {
  ok: false,
  code: "REGISTRY_UNREACHABLE",
  message: "connect ECONNREFUSED",
};

function gatherer(answers: Array<Fact<SignatureFacts> | "hang">, graceMs = 0) {
  const c = clock();
  const s = scripted(answers);
  const cache = new FactCache({ ttlMs: 60_000, negativeTtlMs: 5_000, graceMs }, c.now);
  const g = new FactsGatherer({ registry: registry(), signatures: s.source, cache, now: c.now });
  const get = () => g.factsFor(IMAGE, SIGNATURES, c.now() + 1_000);
  return { c, s, get };
}

describe("fact cache", () => {
  it("reuses a positive answer for its TTL, then asks again", async () => {
    const { c, s, get } = gatherer([SIGNED]);
    expect((await get()).signatures).toEqual(SIGNED);
    c.advance(59_000);
    await get();
    expect(s.calls()).toBe(1);
    c.advance(1_000);
    await get();
    expect(s.calls()).toBe(2);
  });

  it("keeps a negative answer for the shorter TTL, so a new signature counts soon", async () => {
    const { c, s, get } = gatherer([UNSIGNED, SIGNED]);
    expect((await get()).signatures).toEqual(UNSIGNED);
    c.advance(4_999);
    expect((await get()).signatures).toEqual(UNSIGNED);
    c.advance(1);
    expect((await get()).signatures).toEqual(SIGNED);
    expect(s.calls()).toBe(2);
  });

  it("keeps a failure for the negative TTL too (a down source is not hammered)", async () => {
    const { c, s, get } = gatherer([DOWN, SIGNED]);
    expect((await get()).signatures).toEqual(DOWN);
    await get();
    expect(s.calls()).toBe(1);
    c.advance(5_000);
    expect((await get()).signatures).toEqual(SIGNED);
  });
});

describe("last-known-good", () => {
  it("stands in the last good answer within the grace period, marked degraded", async () => {
    const { c, get } = gatherer([SIGNED, DOWN], 3_600_000);
    expect((await get()).degraded).toBeUndefined();
    c.advance(60_000);
    const facts = await get();
    expect(facts.signatures).toEqual(SIGNED);
    expect(facts.degraded).toBe(true);
  });

  it("fails closed once the grace period is over", async () => {
    const { c, get } = gatherer([SIGNED, DOWN], 3_600_000);
    await get();
    c.advance(3_600_000);
    const facts = await get();
    expect(facts.signatures).toEqual(DOWN);
    expect(facts.degraded).toBeUndefined();
  });

  it("is off without a grace period", async () => {
    const { c, get } = gatherer([SIGNED, DOWN]);
    await get();
    c.advance(60_000);
    expect((await get()).signatures).toEqual(DOWN);
  });

  it("never stands in for an answer that is not an outage (auth refused)", async () => {
    const refused: Fact<SignatureFacts> = {
      ok: false,
      code: "REGISTRY_AUTH_FAILED",
      message: "401",
    };
    const { c, get } = gatherer([SIGNED, refused], 3_600_000);
    await get();
    c.advance(60_000);
    expect((await get()).signatures).toEqual(refused);
  });

  it("only knows digests it verified: another digest gets no stand-in", async () => {
    const c = clock();
    const s = scripted([SIGNED, DOWN]);
    const cache = new FactCache({ ttlMs: 1, negativeTtlMs: 1, graceMs: 3_600_000 }, c.now);
    let digest = DIGEST;
    const reg: RegistrySource = { ...registry(), digestOf: async () => ok(digest) };
    const g = new FactsGatherer({ registry: reg, signatures: s.source, cache, now: c.now });
    await g.factsFor(IMAGE, SIGNATURES, c.now() + 1_000);
    c.advance(10);
    digest = `sha256:${"e".repeat(64)}`;
    const facts = await g.factsFor(IMAGE, SIGNATURES, c.now() + 1_000);
    expect(facts.signatures).toEqual(DOWN);
  });
});

describe("deadline", () => {
  it("a source that misses the deadline is SOURCE_TIMEOUT, within the budget", async () => {
    const s = scripted(["hang"]);
    const g = new FactsGatherer({ registry: registry(), signatures: s.source });
    const started = Date.now();
    const facts = await g.factsFor(IMAGE, SIGNATURES, Date.now() + 150);
    const took = Date.now() - started;
    expect(facts.signatures).toMatchObject({ ok: false, code: "SOURCE_TIMEOUT" });
    expect(took).toBeGreaterThanOrEqual(100);
    expect(took).toBeLessThan(1_000);
  });

  it("a deadline already past asks nobody and times out at once", async () => {
    const calls: string[] = [];
    const g = new FactsGatherer({ registry: registry(calls) });
    const facts = await g.factsFor(IMAGE, METADATA, Date.now() - 1);
    expect(facts.digest).toMatchObject({ ok: false, code: "SOURCE_TIMEOUT" });
  });

  it("a source that throws is a failed source, not 'unsigned'", async () => {
    const source: SignatureSource = {
      signaturesFor: () => Promise.reject(new Error("socket hang up")),
    };
    const g = new FactsGatherer({ registry: registry(), signatures: source });
    const facts = await g.factsFor(IMAGE, SIGNATURES, Date.now() + 1_000);
    expect(facts.signatures).toEqual({
      ok: false,
      code: "REGISTRY_UNREACHABLE",
      message: `signatures of ${IMAGE}: socket hang up`,
    });
  });
});

describe("what is fetched", () => {
  it("asks only the sources the policies need, and reads metadata by digest", async () => {
    const calls: string[] = [];
    const g = new FactsGatherer({ registry: registry(calls) });
    const facts = await g.factsFor(IMAGE, METADATA, Date.now() + 1_000);
    expect(calls).toEqual(["digest", `metadata ${DIGEST}`]);
    expect(Object.keys(facts).sort()).toEqual(["digest", "metadata"]);
  });

  it("a needed source that is not configured is SOURCE_NOT_CONFIGURED", async () => {
    const g = new FactsGatherer({ registry: registry() });
    const facts = await g.factsFor(IMAGE, SIGNATURES, Date.now() + 1_000);
    expect(facts.signatures).toMatchObject({ ok: false, code: "SOURCE_NOT_CONFIGURED" });
  });

  it("an invalid image is DIGEST_UNRESOLVED without asking the registry", async () => {
    const calls: string[] = [];
    const g = new FactsGatherer({ registry: registry(calls) });
    const facts = await g.factsFor("Not An Image", METADATA, Date.now() + 1_000);
    expect(facts.digest).toMatchObject({ ok: false, code: "DIGEST_UNRESOLVED" });
    expect(calls).toEqual([]);
  });
});

describe("the webhook's supply context", () => {
  it("makes the registry client only when facts are needed, and fails closed when it cannot", async () => {
    const { webhookSupplyContext } = await import("../../src/app/supply/context.js");
    const { CustomsError } = await import("../../src/core/errors.js");
    let made = 0;
    const ctx = webhookSupplyContext(
      async () => {
        made++;
        throw new CustomsError("FILE_UNREADABLE", "config.json: cannot read: EACCES");
      },
      { timeoutSeconds: 10, ttlMs: 1, negativeTtlMs: 1, graceMs: 0, tagHandling: "refuse" },
    );
    expect(made).toBe(0);
    expect(ctx.budgetMs).toBe(8_500);
    const facts = await ctx.provider.factsFor(IMAGE, METADATA, Date.now() + 1_000);
    expect(facts.digest).toEqual({
      ok: false,
      code: "SOURCE_NOT_CONFIGURED",
      message:
        "the registry client cannot be set up (credentials or CA files): config.json: cannot read: EACCES",
    });
    expect(made).toBe(1);
  });
});

/**
 * One cache, with the documented TTLs: the facts cache. The registry client under it reuses
 * nothing that can change (a tag's digest, signature tags, referrers), so a facts TTL under a
 * minute takes effect, an outage is seen on the first fetch after the TTL, and last-known-good
 * counts from the last real verification. Real registry, real cosign, an injected clock.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryClient } from "../../src/adapters/registry/index.js";
import { FactCache } from "../../src/app/supply/cache.js";
import { type FactRequest, FactsGatherer } from "../../src/app/supply/facts.js";
import { registrySource } from "../../src/app/supply/registry.js";
import { cosignSources } from "../../src/app/supply/sources.js";
import { NO_NEEDS } from "../../src/core/evaluate/index.js";
import { type FaultProxy, startFaultProxy } from "../registry/fault-proxy.js";
import {
  createTestPki,
  type RunningRegistry,
  registryMissing,
  startRegistry,
  type TestPki,
} from "../registry/harness.js";
import { buildImage, Pusher } from "../registry/images.js";
import { cosignMissing, cosignPath, runCosign } from "../signatures/cosign.js";

const skip = registryMissing() ?? cosignMissing();
if (skip !== undefined) console.warn(`[facts cache] skipped: ${skip}`);

describe.skipIf(skip !== undefined)("the facts cache is the only cache of what can change", () => {
  let pki: TestPki;
  let registry: RunningRegistry;
  let proxy: FaultProxy;
  let pusher: Pusher;
  let dir: string;
  let env: { caFile: string; home: string };
  let request: FactRequest;
  /** The clock of the client, the gatherer and the cache alike. */
  let t = 1_000_000;
  const TTL = 10_000;
  const GRACE = 40_000;

  const gatherer = () => {
    // Through the proxy, which the test turns into an outage; no retries to wait for.
    const client = new RegistryClient({
      tls: { ca: [pki.ca.certPem] },
      retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
      now: () => t,
    });
    const cache = new FactCache({ ttlMs: TTL, negativeTtlMs: TTL, graceMs: GRACE }, () => t);
    const gather = new FactsGatherer({
      registry: registrySource(client),
      ...cosignSources(client),
      cache,
      now: () => t,
    });
    return { client, gather };
  };
  const push = async (repo: string, tag: string) => {
    const image = buildImage({ os: "linux", architecture: "amd64" });
    await pusher.pushImage(repo, image, [tag]);
    return image.manifest.digest;
  };
  /** The deadline is on the gatherer's clock. */
  const facts = (gather: FactsGatherer, image: string, r = request) =>
    gather.factsFor(image, r, t + 10_000);

  beforeAll(async () => {
    pki = await createTestPki();
    registry = await startRegistry({ kind: "none" }, pki.server);
    proxy = await startFaultProxy(pki.server, registry.url, pki.ca.certPem);
    pusher = new Pusher(registry.url, pki.ca.certPem);
    dir = mkdtempSync(join(tmpdir(), "customs-facts-cache-"));
    env = { caFile: join(dir, "ca.pem"), home: join(dir, "home") };
    writeFileSync(env.caFile, pki.ca.certPem);
    const r = await runCosign(
      cosignPath(2) as string,
      ["generate-key-pair", "--output-key-prefix", join(dir, "ci")],
      env,
    );
    if (r.code !== 0) throw new Error(r.stderr);
    const pem = readFileSync(join(dir, "ci.pub"), "utf8");
    request = {
      needs: { ...NO_NEEDS, signatures: true },
      authorities: [{ name: "ci", kind: "key", key: { kind: "pem", pem } }],
    };
  }, 120_000);
  afterAll(async () => {
    await proxy?.stop();
    await registry?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("a tag moved is seen once the facts TTL (10 s) has passed, not a minute later", async () => {
    const { client, gather } = gatherer();
    const d1 = await push("shop/moving", "v1");
    const image = `${proxy.host}/shop/moving:v1`;
    expect((await facts(gather, image)).digest).toEqual({ ok: true, value: d1 });
    const d2 = await push("shop/moving", "v1");
    t += TTL + 5_000;
    expect((await facts(gather, image)).digest).toEqual({ ok: true, value: d2 });
    client.close();
  });

  it("an outage is marked at once; last-known-good counts from the last real verification", async () => {
    const { client, gather } = gatherer();
    const digest = await push("shop/signed", "v1");
    const sign = await runCosign(
      cosignPath(2) as string,
      [
        "sign",
        "--key",
        join(dir, "ci.key"),
        "--tlog-upload=false",
        `${registry.host}/shop/signed@${digest}`,
      ],
      env,
    );
    if (sign.code !== 0) throw new Error(sign.stderr);
    const image = `${proxy.host}/shop/signed@${digest}`;
    const signed = (f: Awaited<ReturnType<typeof facts>>) =>
      f.signatures?.ok === true ? f.signatures.value.verified.length : f.signatures?.code;

    const first = await facts(gather, image);
    expect(signed(first)).toBe(1);
    // Verified again for real once the TTL has passed: the last verification is now.
    t += TTL + 5_000;
    expect(signed(await facts(gather, image))).toBe(1);
    const lastVerified = t;

    try {
      proxy.fault = () => ({ kind: "status", status: 503 });
      // Past the TTL, the registry is asked and is down: the decision is marked degraded
      // (a cache under the facts cache would have answered "fine" for another minute).
      t += TTL + 5_000;
      const down = await facts(gather, image);
      expect(down.degraded).toBe(true);
      expect(signed(down)).toBe(1);
      // 45 s after the last real verification, the 40 s window is over: fail closed.
      t = lastVerified + GRACE + 5_000;
      const over = await facts(gather, image);
      expect(over.degraded).toBeUndefined();
      expect(signed(over)).toBe("REGISTRY_UNREACHABLE");
    } finally {
      proxy.fault = () => undefined;
      client.close();
    }
  }, 120_000);
});

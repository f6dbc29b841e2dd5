import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  RegistryClient,
  type RegistryError,
  staticCredentials,
} from "../../src/adapters/registry/index.js";
import { type FaultProxy, startFaultProxy } from "./fault-proxy.js";
import { ALICE, type BasicFixture, startBasicFixture } from "./fixture.js";
import { skipReason } from "./harness.js";

const skip = skipReason("registry client, faults");

/** The real registry behind a proxy that injects 429, 5xx, lies and hangs on chosen requests. */
describe.skipIf(skip !== undefined)("registry client against a misbehaving registry", () => {
  let fx: BasicFixture;
  let proxy: FaultProxy;
  let client: RegistryClient;

  const newClient = (timeoutMs = 5000) =>
    new RegistryClient({
      credentials: staticCredentials(proxy.host, ALICE),
      tls: { ca: [fx.pki.ca.certPem] },
      timeoutMs,
      retry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 3000 },
    });
  const ref = (path: string) => fx.ref(path, proxy.host);
  const seen = (method: string, fragment: string) =>
    proxy.log.filter((r) => r.method === method && r.path.includes(fragment));

  beforeAll(async () => {
    fx = await startBasicFixture();
    proxy = await startFaultProxy(fx.pki.server, fx.registry.url, fx.pki.ca.certPem);
  });
  afterAll(async () => {
    await proxy?.stop();
    await fx?.stop();
  });
  afterEach(() => {
    client?.close();
    proxy.fault = () => undefined;
    proxy.log.length = 0;
  });

  it("waits as long as Retry-After (seconds) asks after a 429, then succeeds", async () => {
    client = newClient();
    let left = 1;
    proxy.fault = ({ method }) =>
      method === "HEAD" && left-- > 0
        ? { kind: "status", status: 429, headers: { "retry-after": "1" } }
        : undefined;
    const started = Date.now();
    expect(await client.resolveDigest(ref("team/app:v1"))).toBe(fx.app.manifest.digest);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(seen("HEAD", "/manifests/v1").map((r) => r.status)).toEqual([429, 401, 200]);
  });

  it("honours Retry-After as an HTTP date", async () => {
    client = newClient();
    let left = 1;
    const at = new Date(Date.now() + 2000).toUTCString();
    proxy.fault = ({ method }) =>
      method === "HEAD" && left-- > 0
        ? { kind: "status", status: 429, headers: { "retry-after": at } }
        : undefined;
    const started = Date.now();
    await client.resolveDigest(ref("team/app:v1"));
    // The date has one-second resolution: at least a second of waiting remains.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it("is RATE_LIMITED at once when Retry-After is longer than it will wait", async () => {
    client = newClient();
    proxy.fault = () => ({ kind: "status", status: 429, headers: { "retry-after": "3600" } });
    const started = Date.now();
    await expect(client.resolveDigest(ref("team/app:v1"))).rejects.toMatchObject({
      code: "RATE_LIMITED",
      status: 429,
    });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(proxy.log).toHaveLength(1);
  });

  it("retries 5xx with backoff, and gives up after the bounded attempts", async () => {
    client = newClient();
    let left = 2;
    proxy.fault = ({ method }) =>
      method === "GET" && left-- > 0 ? { kind: "status", status: 503 } : undefined;
    const fetched = await client.fetchManifest(ref("team/app:v1"));
    expect(fetched.digest).toBe(fx.app.manifest.digest);

    proxy.log.length = 0;
    proxy.fault = () => ({ kind: "status", status: 502 });
    await expect(client.fetchManifest(ref("team/app:v1.0"))).rejects.toMatchObject({
      code: "REGISTRY_ERROR",
      status: 502,
    });
    expect(proxy.log).toHaveLength(3);
  });

  it("does not retry 501 (the registry cannot do it, later or not)", async () => {
    client = newClient();
    proxy.fault = () => ({ kind: "status", status: 501 });
    await expect(client.fetchManifest(ref("team/app:v1"))).rejects.toMatchObject({
      code: "REGISTRY_ERROR",
    });
    expect(proxy.log).toHaveLength(1);
  });

  it("rejects a manifest whose Docker-Content-Digest header lies", async () => {
    client = newClient();
    const other = fx.amd64.manifest.digest;
    proxy.fault = ({ method, path }) =>
      method === "GET" && path.endsWith("/manifests/v1")
        ? { kind: "rewrite", headers: (h) => ({ ...h, "docker-content-digest": other }) }
        : undefined;
    await expect(client.fetchManifest(ref("team/app:v1"))).rejects.toMatchObject({
      code: "DIGEST_MISMATCH",
    });
  });

  it("rejects a manifest fetched by digest whose body was changed", async () => {
    client = newClient();
    const digest = fx.app.manifest.digest;
    proxy.fault = ({ path }) =>
      path.endsWith(`/manifests/${digest}`)
        ? {
            kind: "rewrite",
            body: (b) => Buffer.from(b.toString("utf8").replace('"layers"', ' "layers"')),
            headers: (h) => {
              const { "docker-content-digest": _, ...rest } = h;
              return rest;
            },
          }
        : undefined;
    const error = await client
      .fetchManifest(ref(`team/app@${digest}`))
      .catch((e: RegistryError) => e);
    expect(error).toMatchObject({ code: "DIGEST_MISMATCH" });
  });

  it("rejects a config blob whose bytes do not hash to its digest", async () => {
    client = newClient();
    proxy.fault = ({ path }) =>
      path.includes("/blobs/")
        ? {
            kind: "rewrite",
            body: (b) => Buffer.from(b.toString("utf8").replace("65532", "00000")),
          }
        : undefined;
    await expect(client.fetchConfig(ref("team/app:v1"))).rejects.toMatchObject({
      code: "DIGEST_MISMATCH",
    });
  });

  it("rejects a HEAD digest that is not a digest", async () => {
    client = newClient();
    proxy.fault = ({ method }) =>
      method === "HEAD"
        ? { kind: "rewrite", headers: (h) => ({ ...h, "docker-content-digest": "sha256:xyz" }) }
        : undefined;
    await expect(client.resolveDigest(ref("team/app:v1"))).rejects.toMatchObject({
      code: "DIGEST_INVALID",
    });
  });

  it("times out a registry that never answers, fast and with REGISTRY_TIMEOUT", async () => {
    client = newClient(300);
    proxy.fault = () => ({ kind: "hang" });
    const started = Date.now();
    await expect(client.resolveDigest(ref("team/app:v1"))).rejects.toMatchObject({
      code: "REGISTRY_TIMEOUT",
    });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("refuses a token realm in plain HTTP: credentials never travel in clear", async () => {
    client = newClient();
    proxy.fault = () => ({
      kind: "status",
      status: 401,
      headers: { "www-authenticate": 'Bearer realm="http://127.0.0.1:9/token",service="x"' },
    });
    await expect(client.resolveDigest(ref("team/app:v1"))).rejects.toMatchObject({
      code: "REGISTRY_INSECURE_TRANSPORT",
    });
  });

  it("follows a blob redirect to storage elsewhere without sending it our credentials", async () => {
    client = newClient();
    const storage = await startFaultProxy(fx.pki.server, fx.registry.url, fx.pki.ca.certPem);
    try {
      storage.fault = () => ({ kind: "status", status: 200, body: fx.app.config.bytes });
      proxy.fault = ({ path }) =>
        path.includes("/blobs/")
          ? { kind: "status", status: 307, headers: { location: `https://${storage.host}${path}` } }
          : undefined;
      const config = await client.fetchConfig(ref("team/app:v1"));
      expect(config.descriptor.digest).toBe(fx.app.config.digest);
      expect(proxy.log.filter((r) => r.path.includes("/blobs/")).map((r) => r.authorized)).toEqual([
        true,
      ]);
      expect(storage.log.map((r) => r.authorized)).toEqual([false]);
    } finally {
      await storage.stop();
    }
  });

  it("refuses a manifest larger than 4 MiB without reading it all", async () => {
    client = newClient();
    proxy.fault = ({ method }) =>
      method === "GET"
        ? { kind: "status", status: 200, body: Buffer.alloc(5 << 20, 32) }
        : undefined;
    await expect(client.fetchManifest(ref("team/app:v1"))).rejects.toMatchObject({
      code: "RESPONSE_TOO_LARGE",
    });
  });
});

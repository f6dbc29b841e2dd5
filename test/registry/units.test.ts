import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TtlCache } from "../../src/adapters/registry/cache.js";
import {
  computeDigest,
  type Descriptor,
  type Digest,
  isRetryableStatus,
  normalizeAuthKey,
  parseChallenges,
  parseDigest,
  parseDockerConfig,
  parseManifest,
  parseNextLink,
  parsePullSecret,
  parseRetryAfter,
  selectPlatform,
  toRepository,
  verifyDigest,
} from "../../src/adapters/registry/index.js";
import { backoffDelay, DEFAULT_RETRY_POLICY } from "../../src/adapters/registry/retry.js";
import { listAllTags } from "../../src/adapters/registry/tags.js";
import type { HttpResponse } from "../../src/adapters/registry/transport.js";
import { parseImageReference } from "../../src/core/reference/index.js";

describe("WWW-Authenticate", () => {
  it("reads the registry's Bearer challenge", () => {
    const [c] = parseChallenges(
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull",error="insufficient_scope"',
    );
    expect(c).toEqual({
      scheme: "bearer",
      params: {
        realm: "https://auth.docker.io/token",
        service: "registry.docker.io",
        scope: "repository:library/busybox:pull",
        error: "insufficient_scope",
      },
    });
  });

  it("reads several challenges, quoted pairs and token values", () => {
    const found = parseChallenges('Basic realm="a \\"b\\"", Bearer realm=https://x/t, service=s');
    expect(found.map((c) => [c.scheme, { ...c.params }])).toEqual([
      ["basic", { realm: 'a "b"' }],
      ["bearer", { realm: "https://x/t", service: "s" }],
    ]);
  });

  it("round-trips any quoted parameter values", () => {
    const value = fc.string({ maxLength: 30 });
    fc.assert(
      fc.property(value, value, (realm, scope) => {
        const q = (s: string) => `"${s.replace(/[\\"]/g, (m) => `\\${m}`)}"`;
        const [c] = parseChallenges(`Bearer realm=${q(realm)},scope=${q(scope)}`);
        expect(c?.params).toEqual({ realm, scope });
      }),
    );
  });
});

describe("retries", () => {
  it("reads Retry-After in seconds and as an HTTP date", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(parseRetryAfter("7", now)).toBe(7000);
    expect(parseRetryAfter("Wed, 01 Jan 2025 00:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Tue, 31 Dec 2024 00:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it("retries 429 and transient 5xx only", () => {
    expect([429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([200, 400, 401, 403, 404, 501, 505].some(isRetryableStatus)).toBe(false);
  });

  it("backs off within [0, min(max, base·2^n))", () => {
    fc.assert(
      fc.property(fc.nat(40), fc.double({ min: 0, max: 0.999999, noNaN: true }), (n, r) => {
        const d = backoffDelay(n, DEFAULT_RETRY_POLICY, r);
        const cap = Math.min(
          DEFAULT_RETRY_POLICY.maxDelayMs,
          DEFAULT_RETRY_POLICY.baseDelayMs * 2 ** n,
        );
        return d >= 0 && d < cap;
      }),
    );
  });
});

describe("Link pagination", () => {
  it.each([
    ['</v2/a/tags/list?n=2&last=b>; rel="next"', "/v2/a/tags/list?n=2&last=b"],
    ["</v2/a/tags/list?last=b>;rel=next", "/v2/a/tags/list?last=b"],
    ['<https://x/prev>; rel="prev", </next>; rel="next"', "/next"],
    ['</p>; rel="prev"', undefined],
    [undefined, undefined],
  ])("%s", (header, next) => {
    expect(parseNextLink(header)).toBe(next);
  });
});

describe("tag pagination guards", () => {
  const repo = { registry: "r.example", apiHost: "r.example", name: "a" };
  const page = (url: URL, link?: string): HttpResponse => ({
    status: 200,
    headers: link ? { link } : {},
    body: Buffer.from(JSON.stringify({ name: "a", tags: [url.search] })),
    url,
  });

  it("refuses a next link to another host (credentials would follow it)", async () => {
    const get = async (url: URL) => page(url, '<https://evil.example/v2/a/tags/list>; rel="next"');
    await expect(listAllTags(repo, 2, get)).rejects.toMatchObject({ code: "REGISTRY_ERROR" });
  });

  it("stops links that go round in circles", async () => {
    const get = async (url: URL) => page(url, '</v2/a/tags/list?n=2>; rel="next"');
    await expect(listAllTags(repo, 2, get)).rejects.toThrow(/does not end/);
  });
});

describe("digests", () => {
  it("verifies sha256 and sha512 content, and names a mismatch", () => {
    const bytes = Buffer.from("hello");
    for (const algorithm of ["sha256", "sha512"]) {
      const digest = computeDigest(bytes, algorithm);
      expect(() => verifyDigest(digest, bytes, "x")).not.toThrow();
      expect(() => verifyDigest(digest, Buffer.from("hellO"), "x")).toThrow(/hashes to/);
    }
  });

  it("refuses what it cannot check", () => {
    for (const bad of [
      "sha256:abc",
      "md5:0123",
      `SHA256:${"a".repeat(64)}`,
      `sha256:${"A".repeat(64)}`,
    ]) {
      expect(() => parseDigest(bad, "x")).toThrow(
        expect.objectContaining({ code: "DIGEST_INVALID" }),
      );
    }
  });
});

describe("TtlCache", () => {
  it("runs one load per key at a time, stores it for the TTL, and never stores failures", async () => {
    let now = 0;
    const cache = new TtlCache<number>(100, 10, () => now);
    let loads = 0;
    let finish = () => {};
    // The first load stays in flight until the second get has been asked.
    const slow = new Promise<void>((r) => {
      finish = r;
    });
    const load = async () => {
      loads++;
      await slow;
      return loads;
    };
    const both = Promise.all([cache.get("k", load), cache.get("k", load)]);
    expect(loads).toBe(1);
    finish();
    expect(await both).toEqual([1, 1]);
    expect(await cache.get("k", load)).toBe(1);
    now = 101;
    expect(await cache.get("k", load)).toBe(2);
    await expect(cache.get("bad", () => Promise.reject(new Error("x")))).rejects.toThrow("x");
    expect(await cache.get("bad", async () => 7)).toBe(7);
  });

  it("evicts the least recently used beyond maxEntries", async () => {
    const cache = new TtlCache<string>(1000, 2, () => 0);
    await cache.get("a", async () => "a");
    await cache.get("b", async () => "b");
    await cache.get("a", async () => "stale");
    await cache.get("c", async () => "c");
    expect(await cache.get("a", async () => "reloaded")).toBe("a");
    expect(await cache.get("b", async () => "reloaded")).toBe("reloaded");
  });
});

describe("manifests and platforms", () => {
  const d = (architecture: string, variant?: string, os = "linux"): Descriptor => ({
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    digest: computeDigest(Buffer.from(architecture + (variant ?? "") + os)) as Digest,
    size: 1,
    platform: { os, architecture, variant },
  });

  it("selects linux/amd64 by default, normalises arm variants, skips attestations", () => {
    const attestation = { ...d("unknown", undefined, "unknown") };
    const list = [attestation, d("arm", "v6"), d("arm", "v7"), d("arm64", "v8"), d("amd64")];
    expect(selectPlatform(list, { os: "linux", architecture: "amd64" })).toBe(list[4]);
    expect(selectPlatform(list, { os: "linux", architecture: "arm" })).toBe(list[2]);
    expect(selectPlatform(list, { os: "linux", architecture: "arm", variant: "v6" })).toBe(list[1]);
    expect(
      selectPlatform([d("arm64")], { os: "linux", architecture: "arm64", variant: "v8" }),
    ).toBeDefined();
    expect(selectPlatform(list, { os: "windows", architecture: "amd64" })).toBeUndefined();
  });

  it("refuses schema 1 and unknown kinds, reads the media type from the header when the body has none", () => {
    const schema1 = Buffer.from(JSON.stringify({ schemaVersion: 1, name: "x", fsLayers: [] }));
    expect(() =>
      parseManifest(schema1, "application/vnd.docker.distribution.manifest.v1+prettyjws", "x"),
    ).toThrow(expect.objectContaining({ code: "MANIFEST_UNSUPPORTED" }));
    const bare = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [] }));
    expect(parseManifest(bare, "application/vnd.oci.image.index.v1+json", "x").kind).toBe("index");
    expect(() => parseManifest(Buffer.from("{"), undefined, "x")).toThrow(
      expect.objectContaining({ code: "MANIFEST_INVALID" }),
    );
  });
});

describe("references and credentials", () => {
  it("maps Docker Hub to its API host and library/ path", () => {
    expect(toRepository(parseImageReference("busybox"))).toEqual({
      registry: "docker.io",
      apiHost: "registry-1.docker.io",
      name: "library/busybox",
    });
    expect(toRepository(parseImageReference("index.docker.io/nginx")).name).toBe("library/nginx");
    expect(toRepository(parseImageReference("Registry.Example.com:5000/a/b")).registry).toBe(
      "registry.example.com:5000",
    );
  });

  it.each([
    ["https://index.docker.io/v1/", "docker.io", ""],
    ["index.docker.io", "docker.io", ""],
    ["registry-1.docker.io", "docker.io", ""],
    ["docker.io/team", "docker.io", "team"],
    ["HTTPS://Registry.Example.com:5000/", "registry.example.com:5000", ""],
    ["http://r.example/v2/", "r.example", ""],
    ["r.example/a/b/", "r.example", "a/b"],
  ])("auth key %s", (key, registry, prefix) => {
    expect(normalizeAuthKey(key)).toEqual({ registry, prefix });
  });

  it("finds Docker Hub credentials under its legacy key, the longest prefix first", () => {
    const store = parseDockerConfig(
      JSON.stringify({
        auths: {
          "https://index.docker.io/v1/": { auth: Buffer.from("hub:pw").toString("base64") },
          "docker.io/team": { username: "team", password: "pw2" },
        },
      }),
    );
    expect(store.credentialsFor("docker.io", "library/busybox")?.username).toBe("hub");
    expect(store.credentialsFor("docker.io", "team/app")?.username).toBe("team");
    expect(store.credentialsFor("ghcr.io", "team/app")).toBeUndefined();
  });

  it("reports broken credentials without their values", () => {
    const secretish = "c3VwZXI=sekrit";
    const run = () =>
      parseDockerConfig(JSON.stringify({ auths: { "r.example": { auth: secretish } } }));
    expect(run).toThrow(expect.objectContaining({ code: "CREDENTIALS_INVALID" }));
    try {
      run();
    } catch (e) {
      expect(String(e)).not.toContain(secretish);
    }
    expect(() => parsePullSecret({ type: "Opaque", data: {} })).toThrow(/dockerconfigjson/);
  });
});

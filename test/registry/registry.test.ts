import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  RegistryClient,
  type RegistryError,
  staticCredentials,
} from "../../src/adapters/registry/index.js";
import { type Fault, type FaultProxy, startFaultProxy } from "./fault-proxy.js";
import { ALICE, type BasicFixture, MANY_TAGS, startBasicFixture } from "./fixture.js";
import { skipReason } from "./harness.js";

const skip = skipReason("registry client, htpasswd");

describe.skipIf(skip !== undefined)(
  "registry client against docker-registry (TLS, htpasswd)",
  () => {
    let fx: BasicFixture;
    let client: RegistryClient;
    /** A pass-through proxy, to count what the client sends. */
    let counter: FaultProxy;

    const newClient = (
      host: string,
      extra: Partial<ConstructorParameters<typeof RegistryClient>[0]> = {},
    ) =>
      new RegistryClient({
        credentials: staticCredentials(host, ALICE),
        tls: { ca: [fx.pki.ca.certPem] },
        timeoutMs: 5000,
        tagPageSize: 2,
        ...extra,
      });

    beforeAll(async () => {
      fx = await startBasicFixture();
      client = newClient(fx.registry.host);
      counter = await startFaultProxy(fx.pki.server, fx.registry.url, fx.pki.ca.certPem);
    });
    afterAll(async () => {
      client?.close();
      await counter?.stop();
      await fx?.stop();
    });

    it("pings /v2/ with credentials", async () => {
      await expect(client.ping(fx.registry.host)).resolves.toBeUndefined();
    });

    it("resolves a tag to the digest of the manifest we pushed", async () => {
      expect(await client.resolveDigest(fx.ref("team/app:v1"))).toBe(fx.app.manifest.digest);
      expect(await client.resolveDigest(fx.ref("team/app:v1.0"))).toBe(fx.app.manifest.digest);
    });

    it("fetches a manifest by tag and by digest, the same bytes", async () => {
      const byTag = await client.fetchManifest(fx.ref("team/app:v1"));
      const byDigest = await client.fetchManifest(fx.ref(`team/app@${fx.app.manifest.digest}`));
      expect(byTag.digest).toBe(fx.app.manifest.digest);
      expect(byDigest.bytes.equals(fx.app.manifest.bytes)).toBe(true);
      expect(byTag.manifest.kind).toBe("image");
      if (byTag.manifest.kind === "image") {
        expect(byTag.manifest.config.digest).toBe(fx.app.config.digest);
        expect(byTag.manifest.layers).toHaveLength(2);
      }
    });

    it("a reference with a digest resolves to it without asking the registry", async () => {
      const digest = fx.app.manifest.digest;
      expect(await client.resolveDigest(fx.ref(`team/app:v1@${digest}`))).toBe(digest);
    });

    it("resolves an OCI index: the index digest, then a platform's manifest", async () => {
      expect(await client.resolveDigest(fx.ref("team/multi:v2"))).toBe(fx.index.digest);
      const amd = await client.resolvePlatform(fx.ref("team/multi:v2"));
      expect(amd.digest).toBe(fx.amd64.manifest.digest);
      const arm = await client.resolvePlatform(fx.ref("team/multi:v2"), {
        os: "linux",
        architecture: "arm64",
      });
      expect(arm.digest).toBe(fx.arm64.manifest.digest);
      const armV8 = await client.resolvePlatform(fx.ref("team/multi:v2"), {
        os: "linux",
        architecture: "arm64",
        variant: "v8",
      });
      expect(armV8.digest).toBe(fx.arm64.manifest.digest);
    });

    it("says which platforms an index offers when the wanted one is missing", async () => {
      const error = await client
        .resolvePlatform(fx.ref("team/multi:v2"), { os: "linux", architecture: "s390x" })
        .catch((e: RegistryError) => e);
      expect(error).toMatchObject({ code: "PLATFORM_NOT_FOUND" });
      expect(String(error)).toContain("linux/arm64/v8");
    });

    it("reads Docker v2 schema 2 manifests and manifest lists", async () => {
      const single = await client.fetchManifest(fx.ref("team/docker:single"));
      expect(single.manifest.mediaType).toBe(
        "application/vnd.docker.distribution.manifest.v2+json",
      );
      const list = await client.fetchManifest(fx.ref("team/docker:list"));
      expect(list.digest).toBe(fx.dockerList.digest);
      expect(list.manifest.kind).toBe("index");
      const arm = await client.resolvePlatform(fx.ref("team/docker:list"), {
        os: "linux",
        architecture: "arm",
      });
      expect(arm.digest).toBe(fx.dockerArm.manifest.digest);
    });

    it("fetches the image config blob, checked against its digest", async () => {
      const single = await client.fetchConfig(fx.ref("team/app:v1"));
      expect(single.descriptor.digest).toBe(fx.app.config.digest);
      expect(single.config.config?.User).toBe("65532");
      const arm = await client.fetchConfig(fx.ref("team/multi:v2"), {
        os: "linux",
        architecture: "arm64",
      });
      expect(arm.config.architecture).toBe("arm64");
    });

    it("lists every tag (distribution 2.8 answers in one page whatever n asks)", async () => {
      const tags = await client.listTags({
        registry: fx.registry.host,
        apiHost: fx.registry.host,
        name: "team/many",
      });
      expect([...tags].sort()).toEqual(MANY_TAGS);
    });

    it("follows Link rel=next across pages (the proxy pages the real list as the spec says)", async () => {
      const counted = newClient(counter.host);
      counter.log.length = 0;
      counter.fault = ({ path }) => (path.includes("/tags/list") ? paginate(path) : undefined);
      const tags = await counted.listTags({
        registry: counter.host,
        apiHost: counter.host,
        name: "team/many",
      });
      counter.fault = () => undefined;
      counted.close();
      expect([...tags]).toEqual(MANY_TAGS);
      const pages = counter.log.filter((r) => r.path.includes("/tags/list") && r.status === 200);
      expect(pages.map((p) => p.path)).toEqual([
        "/v2/team/many/tags/list?n=2",
        "/v2/team/many/tags/list?n=2&last=t01",
        "/v2/team/many/tags/list?n=2&last=t03",
        "/v2/team/many/tags/list?n=2&last=t05",
      ]);
    });

    it("answers NOT_FOUND for an unknown tag and an unknown repository", async () => {
      await expect(client.resolveDigest(fx.ref("team/app:nope"))).rejects.toMatchObject({
        code: "NOT_FOUND",
      });
      await expect(client.fetchManifest(fx.ref("team/none:v1"))).rejects.toMatchObject({
        code: "NOT_FOUND",
      });
    });

    it("a wrong password is AUTH_FAILED, and the message does not carry it", async () => {
      const wrong = new RegistryClient({
        credentials: staticCredentials(fx.registry.host, {
          username: "alice",
          password: "hunter2",
        }),
        tls: { ca: [fx.pki.ca.certPem] },
      });
      const error = await wrong.resolveDigest(fx.ref("team/app:v1")).catch((e: Error) => e);
      wrong.close();
      expect(error).toMatchObject({ code: "AUTH_FAILED" });
      expect(String((error as Error).message)).not.toContain("hunter2");
    });

    it("without credentials the registry's Basic challenge is AUTH_FAILED", async () => {
      const anonymous = new RegistryClient({ tls: { ca: [fx.pki.ca.certPem] } });
      await expect(anonymous.ping(fx.registry.host)).rejects.toMatchObject({ code: "AUTH_FAILED" });
      anonymous.close();
    });

    it("sends one HEAD for a burst of lookups of one tag, and Basic up front after the first 401", async () => {
      const counted = newClient(counter.host);
      counter.log.length = 0;
      const ref = fx.ref("team/app:v1", counter.host);
      const digests = await Promise.all(
        Array.from({ length: 20 }, () => counted.resolveDigest(ref)),
      );
      expect(new Set(digests)).toEqual(new Set([fx.app.manifest.digest]));
      expect(counter.log.map((r) => `${r.method} ${r.status}`)).toEqual(["HEAD 401", "HEAD 200"]);
      counter.log.length = 0;
      await counted.resolveDigest(fx.ref("team/multi:v2", counter.host));
      expect(counter.log.map((r) => `${r.method} ${r.status}`)).toEqual(["HEAD 200"]);
      counted.close();
    });

    it("asks again once the cache entry's TTL has passed", async () => {
      let now = 1_000_000;
      const counted = newClient(counter.host, { now: () => now, cacheTtlMs: 1000 });
      const ref = fx.ref("team/app:v1", counter.host);
      await counted.resolveDigest(ref);
      counter.log.length = 0;
      await counted.resolveDigest(ref);
      expect(counter.log).toHaveLength(0);
      now += 1001;
      await counted.resolveDigest(ref);
      expect(counter.log.map((r) => r.method)).toEqual(["HEAD"]);
      counted.close();
    });
  },
);

/**
 * The distribution spec's tag pagination (`n`, `last`, `Link: <…>; rel="next"`) over the real
 * registry's full answer, which distribution 2.8 does not paginate itself.
 */
function paginate(path: string): Fault {
  const url = new URL(path, "https://proxy.invalid");
  const n = Number(url.searchParams.get("n") ?? "1000");
  const last = url.searchParams.get("last");
  const page = (body: Buffer) => {
    const all = ((JSON.parse(body.toString("utf8")).tags ?? []) as string[]).sort();
    const rest = last === null ? all : all.filter((t) => t > last);
    return { tags: rest.slice(0, n), more: rest.length > n };
  };
  return {
    kind: "rewrite",
    // Only 200 answers are pages; a 401 challenge passes through untouched.
    body: (body) =>
      body.includes('"tags"')
        ? Buffer.from(JSON.stringify({ name: "team/many", tags: page(body).tags }))
        : body,
    headers: (headers, body) => {
      const { tags, more } = page(body);
      if (!more) return headers;
      const next = `${url.pathname}?n=${n}&last=${tags[tags.length - 1]}`;
      return { ...headers, link: `<${next}>; rel="next"` };
    },
  };
}

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type Credential,
  RegistryClient,
  staticCredentials,
} from "../../src/adapters/registry/index.js";
import { parseImageReference } from "../../src/core/reference/index.js";
import {
  createTestPki,
  type RunningRegistry,
  skipReason,
  startRegistry,
  type TestPki,
} from "./harness.js";
import { type BuiltImage, buildImage, Pusher } from "./images.js";
import { startTokenServer, type TokenServer } from "./token-server.js";

const skip = skipReason("registry client, token auth");
const CAROL: Credential = { username: "carol", password: "token pass" };

/** docker-registry with `auth.token`, and a token server of our own that signs ES256 JWTs. */
describe.skipIf(skip !== undefined)("registry client against docker-registry (token auth)", () => {
  let pki: TestPki;
  let tokens: TokenServer;
  let registry: RunningRegistry;
  let image: BuiltImage;
  let client: RegistryClient | undefined;

  const connect = (credential: Credential | undefined, now?: () => number) => {
    client = new RegistryClient({
      ...(credential ? { credentials: staticCredentials(registry.host, credential) } : {}),
      tls: { ca: [pki.ca.certPem] },
      timeoutMs: 5000,
      ...(now ? { now } : {}),
    });
    return client;
  };
  const ref = (tag: string) => parseImageReference(`${registry.host}/secure/app:${tag}`);

  beforeAll(async () => {
    pki = await createTestPki();
    tokens = await startTokenServer(pki.server, { [CAROL.username]: CAROL.password });
    registry = await startRegistry(
      {
        kind: "token",
        realm: tokens.realm,
        service: tokens.service,
        issuer: tokens.issuer,
        rootCertBundle: tokens.rootCertBundle,
      },
      pki.server,
    );
    const push = (repo: string) =>
      `Bearer ${tokens.sign([{ type: "repository", name: repo, actions: ["pull", "push"] }])}`;
    image = buildImage({ os: "linux", architecture: "amd64" });
    await new Pusher(registry.url, pki.ca.certPem, push).pushImage("secure/app", image, [
      "a",
      "b",
      "c",
      "d",
    ]);
  });
  afterAll(async () => {
    await registry?.stop();
    await tokens?.stop();
  });
  afterEach(() => {
    client?.close();
    client = undefined;
    tokens.expiredTokens = 0;
    tokens.alwaysExpired = false;
    tokens.stats.requests = 0;
    tokens.stats.withCredentials = 0;
  });

  it("gets a token from the challenge's realm with Basic credentials, then reuses it", async () => {
    const c = connect(CAROL);
    expect(await c.resolveDigest(ref("a"))).toBe(image.manifest.digest);
    expect(await c.resolveDigest(ref("b"))).toBe(image.manifest.digest);
    expect((await c.fetchConfig(ref("c"))).config.os).toBe("linux");
    expect(tokens.stats).toEqual({ requests: 1, withCredentials: 1 });
  });

  it("pings anonymously: a token without access is enough for /v2/", async () => {
    await expect(connect(undefined).ping(registry.host)).resolves.toBeUndefined();
  });

  it("anonymous pulls get insufficient_scope: AUTH_FAILED after one fresh token", async () => {
    await expect(connect(undefined).resolveDigest(ref("a"))).rejects.toMatchObject({
      code: "AUTH_FAILED",
    });
    expect(tokens.stats.requests).toBe(2);
  });

  it("a wrong password at the token server is AUTH_FAILED and is not echoed", async () => {
    const error = await connect({ username: "carol", password: "not-it-42" })
      .resolveDigest(ref("a"))
      .catch((e: Error) => e);
    expect(error).toMatchObject({ code: "AUTH_FAILED" });
    expect((error as Error).message).not.toContain("not-it-42");
  });

  it("an expired token is replaced once, and the request then succeeds", async () => {
    tokens.expiredTokens = 1;
    const c = connect(CAROL);
    expect(await c.resolveDigest(ref("a"))).toBe(image.manifest.digest);
    expect(tokens.stats.requests).toBe(2);
    // The fresh token is the one cached.
    await c.resolveDigest(ref("b"));
    expect(tokens.stats.requests).toBe(2);
  });

  it("a token server that only issues expired tokens is AUTH_FAILED, not a loop", async () => {
    tokens.alwaysExpired = true;
    await expect(connect(CAROL).resolveDigest(ref("a"))).rejects.toMatchObject({
      code: "AUTH_FAILED",
    });
    expect(tokens.stats.requests).toBe(2);
  });

  it("asks for a new token when the cached one reaches its expires_in", async () => {
    let now = Date.now();
    const c = connect(CAROL, () => now);
    await c.resolveDigest(ref("a"));
    now += 301_000;
    await c.resolveDigest(ref("d"));
    expect(tokens.stats.requests).toBe(2);
  });

  it("shares one token request among concurrent first requests", async () => {
    const c = connect(CAROL);
    await c.ping(registry.host); // learn the scheme first; then the burst shares one token
    tokens.stats.requests = 0;
    const tags = ["a", "b", "c", "d"];
    await Promise.all(tags.map((t) => c.resolveDigest(ref(t))));
    expect(tokens.stats.requests).toBe(1);
  });
});

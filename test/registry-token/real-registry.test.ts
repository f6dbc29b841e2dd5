import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createCertificateAuthority, type PemPair } from "../../src/adapters/pki/index.js";
import { RegistryClient, staticCredentials } from "../../src/adapters/registry/index.js";
import { toTokenSigner } from "../../src/adapters/registry-token/index.js";
import { parseImageReference } from "../../src/core/reference/index.js";
import { type RunningTokenServer, startTokenServer } from "../../src/server/registry-token.js";
import {
  createTestPki,
  type RunningRegistry,
  skipReason,
  startRegistry,
  type TestPki,
} from "../registry/harness.js";
import { type BuiltImage, buildImage, Pusher } from "../registry/images.js";
import { bearerParams, dockerStyle, https } from "./http.js";
import { CI, ISSUER, NOBODY, PULLER, SERVICE, type TokenFiles, writeTokenFiles } from "./setup.js";

const skip = skipReason("registry token service");

/**
 * The issue's "done when": against Debian's docker-registry (distribution 2.8) with
 * `auth.token` pointing at our token service, both on 127.0.0.1 with TLS.
 */
describe.skipIf(skip !== undefined)("token service against docker-registry", () => {
  let pki: TestPki;
  let files: TokenFiles;
  let nextSigner: PemPair;
  let tokens: RunningTokenServer;
  let registry: RunningRegistry;
  let image: BuiltImage;
  let client: RegistryClient | undefined;
  const logLines: string[] = [];

  const tokenUrl = () => `https://127.0.0.1:${tokens.port}/token`;
  const getToken = async (who: { name: string; secret: string }, scope: string) => {
    const url = `${tokenUrl()}?service=${SERVICE}&scope=${encodeURIComponent(scope)}`;
    const basic = Buffer.from(`${who.name}:${who.secret}`).toString("base64");
    const r = await https(url, pki.ca.certPem, { headers: { authorization: `Basic ${basic}` } });
    expect(r.status).toBe(200);
    return (JSON.parse(r.body) as { token: string }).token;
  };
  const pusher = (token: string) =>
    new Pusher(registry.url, pki.ca.certPem, () => `Bearer ${token}`);
  const connect = (who: { name: string; secret: string }) => {
    client = new RegistryClient({
      credentials: staticCredentials(registry.host, { username: who.name, password: who.secret }),
      tls: { ca: [pki.ca.certPem] },
      timeoutMs: 5000,
    });
    return client;
  };
  const ref = (path: string) => parseImageReference(`${registry.host}/${path}`);
  /** A token signed with any key and claims, for the refusals the registry itself must make. */
  const forge = (signer: PemPair, claims: Record<string, unknown>) => {
    const now = Math.floor(Date.now() / 1000);
    return toTokenSigner(signer.certPem, signer.keyPem).sign({
      iss: ISSUER,
      sub: "ci",
      aud: SERVICE,
      iat: now,
      nbf: now,
      exp: now + 300,
      jti: `forged-${Math.random()}`,
      access: [{ type: "repository", name: "team/app", actions: ["pull", "push"] }],
      ...claims,
    });
  };
  const manifestWith = (token: string) =>
    https(`${registry.url}/v2/team/app/manifests/v1`, pki.ca.certPem, {
      headers: { authorization: `Bearer ${token}`, accept: image.manifest.mediaType },
    });

  beforeAll(async () => {
    pki = await createTestPki();
    files = await writeTokenFiles(pki.server, [CI, PULLER, NOBODY]);
    // Rotation: the registry trusts the current signer and the next one from the start.
    nextSigner = await createCertificateAuthority("customs test token signer (next)");
    const logger = pino({ level: "info" }, { write: (line: string) => void logLines.push(line) });
    tokens = await startTokenServer(files.config, logger, { pollMs: 60_000 });
    registry = await startRegistry(
      {
        kind: "token",
        realm: tokenUrl(),
        service: SERVICE,
        issuer: ISSUER,
        rootCertBundle: `${files.signer.certPem}\n${nextSigner.certPem}\n`,
      },
      pki.server,
    );
    image = buildImage({ os: "linux", architecture: "amd64" });
  });
  afterAll(async () => {
    await registry?.stop();
    await tokens?.stop();
    files?.cleanup();
  });
  afterEach(() => {
    client?.close();
    client = undefined;
  });

  it("CI pushes an image to its team's repository", async () => {
    const token = await getToken(CI, "repository:team/app:pull,push");
    await pusher(token).pushImage("team/app", image, ["v1"]);
    // The tag names the manifest pushed, read back with the same token.
    const pushed = await manifestWith(token);
    expect(pushed.status).toBe(200);
    expect(pushed.headers["docker-content-digest"]).toBe(image.manifest.digest);
  });

  it("the cluster's pull account pulls it with the registry client (challenge, token, retry)", async () => {
    const c = connect(PULLER);
    expect(await c.resolveDigest(ref("team/app:v1"))).toBe(image.manifest.digest);
    expect((await c.fetchConfig(ref("team/app:v1"))).config.os).toBe("linux");
  });

  it("the pull account is refused a push: insufficient_scope", async () => {
    const token = await getToken(PULLER, "repository:team/app:pull,push");
    const error = await pusher(token)
      .pushImage("team/app", buildImage({ os: "linux", architecture: "amd64" }), ["evil"])
      .catch((e: Error) => e);
    expect(String(error)).toMatch(/upload start: 401/);
    const upload = await https(`${registry.url}/v2/team/app/blobs/uploads/`, pki.ca.certPem, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(upload.status).toBe(401);
    expect(bearerParams(upload.headers["www-authenticate"]).error).toBe("insufficient_scope");
  });

  it("CI cannot push outside team/*, and an account without grants can do nothing", async () => {
    const other = await getToken(CI, "repository:other/app:pull,push");
    await expect(pusher(other).pushImage("other/app", image, ["v1"])).rejects.toThrow(/401/);
    await expect(connect(NOBODY).resolveDigest(ref("team/app:v1"))).rejects.toMatchObject({
      code: "AUTH_FAILED",
    });
  });

  it("docker's flow: the challenge names the scope, the token answers it, the retry succeeds", async () => {
    const r = await dockerStyle(`${registry.url}/v2/team/app/tags/list`, pki.ca.certPem, PULLER);
    expect(bearerParams(r.first.headers["www-authenticate"])).toMatchObject({
      realm: tokenUrl(),
      service: SERVICE,
      scope: "repository:team/app:pull",
    });
    expect(r.final.status).toBe(200);
    expect(JSON.parse(r.final.body)).toEqual({ name: "team/app", tags: ["v1"] });
  });

  it("nobody gets the catalog", async () => {
    const r = await dockerStyle(`${registry.url}/v2/_catalog`, pki.ca.certPem, PULLER);
    expect(r.token?.status).toBe(200);
    expect(r.final.status).toBe(401);
    expect(bearerParams(r.final.headers["www-authenticate"]).error).toBe("insufficient_scope");
  });

  it.each([
    ["an unknown user", { name: "mallory", secret: "pull secret 2" }],
    ["a wrong password", { name: PULLER.name, secret: "pull secret 3" }],
  ])("%s is refused by the token service (AUTH_FAILED)", async (_, who) => {
    await expect(connect(who).resolveDigest(ref("team/app:v1"))).rejects.toMatchObject({
      code: "AUTH_FAILED",
    });
    const r = await dockerStyle(`${registry.url}/v2/team/app/tags/list`, pki.ca.certPem, undefined);
    expect(r.final.status).toBe(401); // and anonymous callers get no token at all
  });

  it("the OAuth2 POST form gives a token the registry accepts", async () => {
    const form = new URLSearchParams({
      grant_type: "password",
      username: PULLER.name,
      password: PULLER.secret,
      service: SERVICE,
      client_id: "customs-test",
      scope: "repository:team/app:pull",
    });
    const r = await https(tokenUrl(), pki.ca.certPem, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form.toString(),
    });
    expect(r.status).toBe(200);
    expect(
      (await manifestWith((JSON.parse(r.body) as { access_token: string }).access_token)).status,
    ).toBe(200);
  });

  it.each<[string, () => PemPair, Record<string, unknown>]>([
    ["a valid forged-for-test token (control)", () => files.signer, {}],
    ["an expired token", () => files.signer, { iat: 1_000_000, nbf: 1_000_000, exp: 1_000_300 }],
    ["a token for another service", () => files.signer, { aud: "another-registry" }],
    ["a token from another issuer", () => files.signer, { iss: "someone-else" }],
  ])("the registry judges %s", async (name, signer, claims) => {
    const r = await manifestWith(forge(signer(), claims));
    expect(r.status).toBe(name.includes("control") ? 200 : 401);
  });

  it("a token signed by an untrusted key is refused", async () => {
    const untrusted = await createCertificateAuthority("not in the rootcertbundle");
    expect((await manifestWith(forge(untrusted, {}))).status).toBe(401);
  });

  it("key rotation: after switching to the next key both old and new tokens work", async () => {
    const before = await getToken(PULLER, "repository:team/app:pull");
    files.write("signing.crt", nextSigner.certPem);
    files.write("signing.key", nextSigner.keyPem);
    tokens.reload();
    const after = await getToken(PULLER, "repository:team/app:pull");
    expect(after.split(".")[0]).not.toBe(before.split(".")[0]); // another x5c
    expect((await manifestWith(before)).status).toBe(200);
    expect((await manifestWith(after)).status).toBe(200);
  });

  it("logs every grant and refusal as JSON lines, without secrets or tokens", () => {
    const entries = logLines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries.some((e) => e.msg === "token issued" && e.account === "ci")).toBe(true);
    expect(entries.some((e) => e.msg === "login refused" && e.reason === "wrong secret")).toBe(
      true,
    );
    const text = logLines.join("");
    for (const secret of [CI.secret, PULLER.secret, NOBODY.secret, "pull secret 3"])
      expect(text).not.toContain(secret);
    expect(text).not.toMatch(/eyJ[\w-]+\.eyJ/);
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type CredentialStore,
  chainCredentials,
  parseDockerConfig,
  parsePullSecret,
  RegistryClient,
  type RegistryClientOptions,
  staticCredentials,
} from "../../src/adapters/registry/index.js";
import { ALICE, type BasicFixture, startBasicFixture } from "./fixture.js";
import { type RunningRegistry, skipReason, startRegistry } from "./harness.js";
import { buildImage, Pusher } from "./images.js";

const skip = skipReason("registry client, TLS and credentials");
const b64 = (s: string) => Buffer.from(s).toString("base64");

describe.skipIf(skip !== undefined)("credentials and TLS against docker-registry", () => {
  let fx: BasicFixture;
  let plain: RunningRegistry;
  let client: RegistryClient | undefined;

  const connect = (options: RegistryClientOptions) => {
    client = new RegistryClient({ timeoutMs: 5000, ...options });
    return client;
  };
  const trusted = (credentials: CredentialStore) =>
    connect({ credentials, tls: { ca: [fx.pki.ca.certPem] } });
  const digestOf = (c: RegistryClient, path = "team/app:v1") => c.resolveDigest(fx.ref(path));

  beforeAll(async () => {
    fx = await startBasicFixture();
    plain = await startRegistry({ kind: "none" }, undefined);
    await new Pusher(plain.url, "").pushImage(
      "open/app",
      buildImage({ os: "linux", architecture: "amd64" }),
      ["v1"],
    );
  });
  afterAll(async () => {
    await plain?.stop();
    await fx?.stop();
  });
  afterEach(() => {
    client?.close();
    client = undefined;
  });

  describe("docker config.json, every key form", () => {
    const auth = b64(`${ALICE.username}:${ALICE.password}`);
    it.each([
      ["bare host:port", (h: string) => h],
      ["https URL", (h: string) => `https://${h}`],
      ["https URL with /v2/", (h: string) => `https://${h}/v2/`],
      ["http URL with /v1/", (h: string) => `http://${h}/v1/`],
      ["host with a repository prefix", (h: string) => `${h}/team`],
    ])("%s", async (_name, key) => {
      const config = JSON.stringify({ auths: { [key(fx.registry.host)]: { auth } } });
      expect(await digestOf(trusted(parseDockerConfig(config)))).toBe(fx.app.manifest.digest);
    });

    it("username and password fields instead of auth", async () => {
      const config = JSON.stringify({
        auths: { [fx.registry.host]: { username: ALICE.username, password: ALICE.password } },
      });
      expect(await digestOf(trusted(parseDockerConfig(config)))).toBe(fx.app.manifest.digest);
    });

    it("a repository prefix does not cover other repositories", async () => {
      const config = JSON.stringify({ auths: { [`${fx.registry.host}/other`]: { auth } } });
      await expect(digestOf(trusted(parseDockerConfig(config)))).rejects.toMatchObject({
        code: "AUTH_FAILED",
      });
    });
  });

  describe("pull Secrets", () => {
    const dockerconfigjson = () =>
      JSON.stringify({
        auths: { [`https://${fx.registry.host}`]: { auth: b64("alice:correct horse battery") } },
      });

    it("kubernetes.io/dockerconfigjson (data, base64)", async () => {
      const secret = {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "pull", namespace: "team" },
        type: "kubernetes.io/dockerconfigjson",
        data: { ".dockerconfigjson": b64(dockerconfigjson()) },
      };
      expect(await digestOf(trusted(parsePullSecret(secret)))).toBe(fx.app.manifest.digest);
    });

    it("kubernetes.io/dockerconfigjson (stringData)", async () => {
      const secret = {
        type: "kubernetes.io/dockerconfigjson",
        stringData: { ".dockerconfigjson": dockerconfigjson() },
      };
      expect(await digestOf(trusted(parsePullSecret(secret)))).toBe(fx.app.manifest.digest);
    });

    it("kubernetes.io/dockercfg (the legacy form, no auths wrapper)", async () => {
      const cfg = JSON.stringify({
        [fx.registry.host]: { username: ALICE.username, password: ALICE.password, email: "a@b" },
      });
      const secret = { type: "kubernetes.io/dockercfg", data: { ".dockercfg": b64(cfg) } };
      expect(await digestOf(trusted(parsePullSecret(secret)))).toBe(fx.app.manifest.digest);
    });

    it("stores are asked in order: the first with an entry wins", async () => {
      const wrong = staticCredentials(fx.registry.host, { username: "alice", password: "no" });
      const right = staticCredentials(fx.registry.host, ALICE);
      expect(await digestOf(trusted(chainCredentials(right, wrong)))).toBe(fx.app.manifest.digest);
      client?.close();
      await expect(digestOf(trusted(chainCredentials(wrong, right)))).rejects.toMatchObject({
        code: "AUTH_FAILED",
      });
    });
  });

  describe("TLS", () => {
    const alice = () => staticCredentials(fx.registry.host, ALICE);

    it("refuses a certificate from an unknown CA", async () => {
      await expect(digestOf(connect({ credentials: alice() }))).rejects.toMatchObject({
        code: "REGISTRY_TLS_FAILED",
      });
    });

    it("trusts a CA given for that host only", async () => {
      const caByHost = new Map([[fx.registry.host, [fx.pki.ca.certPem]]]);
      expect(await digestOf(connect({ credentials: alice(), tls: { caByHost } }))).toBe(
        fx.app.manifest.digest,
      );
      client?.close();
      const elsewhere = new Map([["registry.example.com", [fx.pki.ca.certPem]]]);
      await expect(
        digestOf(connect({ credentials: alice(), tls: { caByHost: elsewhere } })),
      ).rejects.toMatchObject({ code: "REGISTRY_TLS_FAILED" });
    });

    it("skips verification only for a host marked insecure (host:port or bare host)", async () => {
      for (const mark of [fx.registry.host, "127.0.0.1"]) {
        const c = connect({ credentials: alice(), tls: { insecureHosts: new Set([mark]) } });
        expect(await digestOf(c)).toBe(fx.app.manifest.digest);
        c.close();
      }
      const other = connect({
        credentials: alice(),
        tls: { insecureHosts: new Set(["10.0.0.1"]) },
      });
      await expect(digestOf(other)).rejects.toMatchObject({ code: "REGISTRY_TLS_FAILED" });
    });

    it("speaks plain HTTP to a registry only when it is marked insecure", async () => {
      const ref = fx.ref("open/app:v1", plain.host);
      await expect(connect({}).resolveDigest(ref)).rejects.toMatchObject({
        code: "REGISTRY_TLS_FAILED",
      });
      client?.close();
      const insecure = connect({ tls: { insecureHosts: new Set([plain.host]) } });
      expect(await insecure.resolveDigest(ref)).toMatch(/^sha256:[0-9a-f]{64}$/);
      await expect(insecure.fetchConfig(ref)).resolves.toMatchObject({
        config: { architecture: "amd64" },
      });
    });
  });
});

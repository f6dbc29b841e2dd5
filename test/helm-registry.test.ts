/**
 * The chart's registry with token logins, run for real: what Sprig generates where the CLI
 * uses its own code (the signing key and certificate from genPrivateKey/genCAWithKey, bcrypt
 * hashes from htpasswd) is given to our token service and to Debian's docker-registry as the
 * pods would mount it. CI pushes with the push Secret; the cluster pulls with the pull Secret
 * and cannot push. Skipped with a printed reason without Helm or docker-registry.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { RegistryClient, staticCredentials } from "../src/adapters/registry/index.js";
import { parseImageReference } from "../src/core/reference/index.js";
import { type RunningTokenServer, startTokenServer } from "../src/server/registry-token.js";
import {
  createTestPki,
  type RunningRegistry,
  skipReason,
  startRegistry,
  type TestPki,
} from "./registry/harness.js";
import { buildImage, Pusher } from "./registry/images.js";
import { https } from "./registry-token/http.js";
import { helmBinary, helmTemplate } from "./support/helm.js";

// biome-ignore lint/suspicious/noExplicitAny: test-only access to nested manifest fields
type Obj = Record<string, any>;
const HOST = "registry.example.com";
const fromB64 = (s: string) => Buffer.from(s, "base64").toString("utf8");

const found = helmBinary();
const skip = "skip" in found ? found.skip : skipReason("the chart's registry with token logins");
if (skip !== undefined) console.warn(`skipping the chart's registry run: ${skip}`);

describe.skipIf(skip !== undefined)("the chart's token registry against docker-registry", () => {
  let pki: TestPki;
  let dir = "";
  let tokens: RunningTokenServer;
  let registry: RunningRegistry;
  let pull: { username: string; password: string };
  let push: { username: string; password: string };
  const image = buildImage({ os: "linux", architecture: "amd64" });

  beforeAll(async () => {
    const objects = helmTemplate("path" in found ? found.path : "", [
      ...["--set", "webhook.enabled=false", "--set", "registry.enabled=true"],
      ...["--set", `registry.host=${HOST}`, "--set", "registry.auth=token"],
      ...["--set", "registry.token.pushRepositories={team/*}"],
    ]) as Obj[];
    const find = (kind: string, name: string): Obj => {
      const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
      if (o === undefined) throw new Error(`no ${kind} ${name}`);
      return o;
    };
    const login = (secret: Obj) => {
      const auth = JSON.parse(fromB64(secret.data[".dockerconfigjson"])).auths[HOST];
      return { username: auth.username as string, password: auth.password as string };
    };
    pki = await createTestPki();
    dir = mkdtempSync(join(tmpdir(), "customs-helm-registry-"));
    const signing = find("Secret", "registry-token-signing").data;
    writeFileSync(join(dir, "signing.crt"), fromB64(signing["signing.crt"]));
    writeFileSync(join(dir, "signing.key"), fromB64(signing["signing.key"]));
    writeFileSync(
      join(dir, "accounts.yaml"),
      fromB64(find("Secret", "registry-token-accounts").data["accounts.yaml"]),
    );
    writeFileSync(join(dir, "tls.crt"), pki.server.certPem);
    writeFileSync(join(dir, "tls.key"), pki.server.keyPem);
    // The chart's configuration, with the pod's mount paths and port swapped for local ones.
    const config = parse(find("ConfigMap", "registry-token").data["config.yaml"]);
    config.spec = {
      ...config.spec,
      listen: { host: "127.0.0.1", port: 0 },
      tls: { certificate: "tls.crt", key: "tls.key" },
      signing: { certificate: "signing.crt", key: "signing.key" },
      accountsFile: "accounts.yaml",
    };
    writeFileSync(join(dir, "config.yaml"), stringify(config));
    tokens = await startTokenServer(join(dir, "config.yaml"), pino({ level: "silent" }));
    const env = Object.fromEntries(
      find("Deployment", "registry").spec.template.spec.containers[0].env.map((e: Obj) => [
        e.name,
        e.value,
      ]),
    );
    registry = await startRegistry(
      {
        kind: "token",
        realm: `https://127.0.0.1:${tokens.port}/token`,
        service: env.REGISTRY_AUTH_TOKEN_SERVICE,
        issuer: env.REGISTRY_AUTH_TOKEN_ISSUER,
        rootCertBundle: find("ConfigMap", "registry-token-roots").data["rootcertbundle.pem"],
      },
      pki.server,
    );
    pull = login(find("Secret", "regcred"));
    push = login(find("Secret", "registry-push"));
  }, 60_000);
  afterAll(async () => {
    await registry?.stop();
    await tokens?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const tokenFor = async (who: { username: string; password: string }, scope: string) => {
    const url = `https://127.0.0.1:${tokens.port}/token?service=${HOST}&scope=${scope}`;
    const basic = Buffer.from(`${who.username}:${who.password}`).toString("base64");
    const r = await https(url, pki.ca.certPem, { headers: { authorization: `Basic ${basic}` } });
    expect(r.status).toBe(200);
    return (JSON.parse(r.body) as { token: string }).token;
  };

  it("CI pushes with the push Secret; the cluster pulls with the pull Secret and cannot push", async () => {
    const ciToken = await tokenFor(push, "repository:team/app:pull,push");
    await new Pusher(registry.url, pki.ca.certPem, () => `Bearer ${ciToken}`).pushImage(
      "team/app",
      image,
      ["v1"],
    );
    const client = new RegistryClient({
      credentials: staticCredentials(registry.host, pull),
      tls: { ca: [pki.ca.certPem] },
      timeoutMs: 5000,
    });
    try {
      expect(await client.resolveDigest(parseImageReference(`${registry.host}/team/app:v1`))).toBe(
        image.manifest.digest,
      );
    } finally {
      client.close();
    }
    const clusterToken = await tokenFor(pull, "repository:team/app:pull,push");
    await expect(
      new Pusher(registry.url, pki.ca.certPem, () => `Bearer ${clusterToken}`).pushImage(
        "team/app",
        buildImage({ os: "linux", architecture: "amd64" }),
        ["evil"],
      ),
    ).rejects.toThrow(/401/);
  });

  it("a wrong secret gets no token", async () => {
    const url = `https://127.0.0.1:${tokens.port}/token?service=${HOST}&scope=repository:team/app:pull`;
    const basic = Buffer.from(`${pull.username}:${pull.password}x`).toString("base64");
    const r = await https(url, pki.ca.certPem, { headers: { authorization: `Basic ${basic}` } });
    expect(r.status).toBe(401);
  });
});

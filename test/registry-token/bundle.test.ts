import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { RegistryClient, staticCredentials } from "../../src/adapters/registry/index.js";
import { parseRegistryHost } from "../../src/adapters/registry-bundle/index.js";
import { type RenderRegistryOptions, renderRegistryBundle } from "../../src/app/registry/bundle.js";
import { parseImageReference } from "../../src/core/reference/index.js";
import { type RunningTokenServer, startTokenServer } from "../../src/server/registry-token.js";
import {
  createTestPki,
  type RunningRegistry,
  skipReason,
  startRegistry,
  type TestPki,
} from "../registry/harness.js";
import { buildImage, Pusher } from "../registry/images.js";
import { customsInProcess } from "../support/cli.js";
import { https } from "./http.js";

// biome-ignore lint/suspicious/noExplicitAny: test-only access to nested manifest fields
type Obj = Record<string, any>;
const HOST = "registry.example.com";
const fromB64 = (s: string) => Buffer.from(s, "base64").toString("utf8");
const find = (objects: Obj[], kind: string, name: string): Obj => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (o === undefined) throw new Error(`no ${kind} ${name}`);
  return o;
};
const envOf = (d: Obj) =>
  Object.fromEntries(d.spec.template.spec.containers[0].env.map((e: Obj) => [e.name, e.value]));
const dockerLogin = (secret: Obj, server: string) => {
  const auth = JSON.parse(fromB64(secret.data[".dockerconfigjson"])).auths[server];
  return { username: auth.username as string, password: auth.password as string };
};

function options(): RenderRegistryOptions {
  return {
    host: parseRegistryHost(HOST),
    namespace: "registry",
    storageClass: undefined,
    size: "20Gi",
    tlsSecret: "registry-tls",
    tls: { kind: "self-signed" },
    ingressNamespace: "ingress-nginx",
    ingressClass: undefined,
    workspace: undefined,
    users: [],
    pullSecretName: "regcred",
    pullSecretNamespaces: ["default"],
    imagePolicy: true,
    registryImage: "registry:2.8.3",
    certDays: 30,
    auth: {
      image: "customs:test",
      pullAccount: "cluster-pull",
      pushAccount: "ci",
      pushRepositories: ["team/*"],
      pushSecretName: "registry-push",
      extraAccounts: [],
    },
  };
}

describe("customs registry manifests --auth token", () => {
  let objects: Obj[] = [];
  beforeAll(async () => {
    objects = (await renderRegistryBundle(options())).objects;
  });

  it("renders the token service beside the registry, in apply order", () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      "Namespace/registry",
      "ConfigMap/registry-token",
      "Secret/registry-token-accounts",
      "Secret/registry-token-signing",
      "ConfigMap/registry-token-roots",
      "Secret/registry-tls",
      "PersistentVolumeClaim/registry-data",
      "Deployment/registry",
      "Deployment/registry-token",
      "Service/registry",
      "Service/registry-token",
      "Ingress/registry",
      "NetworkPolicy/registry",
      "NetworkPolicy/registry-token",
      "ImagePolicy/registry-registry-only",
      "Secret/regcred",
      "Secret/registry-push",
    ]);
  });

  it("points the registry at the token service on its own host, trusting only the signer", () => {
    const registry = find(objects, "Deployment", "registry");
    expect(envOf(registry)).toMatchObject({
      REGISTRY_AUTH: "token",
      REGISTRY_AUTH_TOKEN_REALM: `https://${HOST}/token`,
      REGISTRY_AUTH_TOKEN_SERVICE: HOST,
      REGISTRY_AUTH_TOKEN_ISSUER: "customs-registry-token",
      REGISTRY_AUTH_TOKEN_ROOTCERTBUNDLE: "/etc/registry/auth/rootcertbundle.pem",
    });
    expect(JSON.stringify(registry)).not.toContain("registry-token-signing");
    const roots = find(objects, "ConfigMap", "registry-token-roots").data["rootcertbundle.pem"];
    expect(roots).toBe(
      `${fromB64(find(objects, "Secret", "registry-token-signing").data["signing.crt"]).trim()}\n`,
    );
    const paths = find(objects, "Ingress", "registry").spec.rules[0].http.paths;
    expect(paths[0]).toMatchObject({
      path: "/token",
      pathType: "Exact",
      backend: { service: { name: "registry-token" } },
    });
  });

  it("lets only the ingress controller's namespace reach the token service, on 5001", () => {
    const np = find(objects, "NetworkPolicy", "registry-token").spec;
    expect(np.podSelector.matchLabels["app.kubernetes.io/name"]).toBe("registry-token");
    expect(np.ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } },
          },
        ],
        ports: [{ protocol: "TCP", port: 5001 }],
      },
    ]);
    const selects = (o: Obj) => o.spec.selector["app.kubernetes.io/name"];
    expect(selects(find(objects, "Service", "registry-token"))).toBe("registry-token");
    expect(selects(find(objects, "Service", "registry"))).toBe("registry");
  });

  it("runs the token service non-root and read-only, with the config it validates", () => {
    const d = find(objects, "Deployment", "registry-token").spec.template.spec;
    expect(d.containers[0].image).toBe("customs:test");
    expect(d.containers[0].args).toEqual([
      "registry",
      "token-server",
      "--config",
      "/etc/customs/token/config/config.yaml",
    ]);
    expect(d.securityContext.runAsNonRoot).toBe(true);
    expect(d.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
  });

  it("the pull Secret is the pull account's, the push Secret CI's; no secret in clear text elsewhere", () => {
    const pull = dockerLogin(find(objects, "Secret", "regcred"), HOST);
    const push = dockerLogin(find(objects, "Secret", "registry-push"), HOST);
    expect(pull.username).toBe("cluster-pull");
    expect(push.username).toBe("ci");
    expect(find(objects, "Secret", "regcred").metadata.namespace).toBe("default");
    expect(find(objects, "Secret", "registry-push").metadata.namespace).toBe("registry");
    const accounts = fromB64(
      find(objects, "Secret", "registry-token-accounts").data["accounts.yaml"],
    );
    expect(accounts).not.toContain(pull.password);
    expect(accounts).not.toContain(push.password);
  });

  it("the CLI prints it as plain YAML (no anchors or aliases) and keeps secrets off stderr", async () => {
    const r = await customsInProcess(["registry", "manifests", "--host", HOST, "--auth", "token"]);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(/[&*]a\d/);
    const docs = r.stdout
      .split(/^---$/m)
      .filter((d) => d.trim() !== "")
      .map((d) => parse(d) as Obj);
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toContain("Secret/registry-push");
    const pull = dockerLogin(find(docs, "Secret", "regcred"), HOST);
    expect(r.stderr).not.toContain(pull.password);
  });

  it.each([
    [["--auth", "ldap"], /--auth/],
    [["--auth", "token", "--user", "a:b"], /--user is for --auth htpasswd/],
    [["--auth", "token", "--pull-account", "ci"], /must differ/],
    [["--auth", "token", "--push-repositories", "Team/*"], /--grant|can never match/],
  ])("CLI refuses %j with exit 2", async (args, message) => {
    const r = await customsInProcess(["registry", "manifests", "--host", HOST, ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

const skip = skipReason("registry bundle with --auth token");

/** The rendered objects, run for real: our token service with the rendered files, and docker-registry. */
describe.skipIf(skip !== undefined)("the --auth token bundle against docker-registry", () => {
  let pki: TestPki;
  let dir = "";
  let tokens: RunningTokenServer;
  let registry: RunningRegistry;
  let pull: { username: string; password: string };
  let push: { username: string; password: string };
  const image = buildImage({ os: "linux", architecture: "amd64" });

  beforeAll(async () => {
    const objects: Obj[] = (await renderRegistryBundle(options())).objects;
    pki = await createTestPki();
    dir = mkdtempSync(join(tmpdir(), "customs-token-bundle-"));
    const signing = find(objects, "Secret", "registry-token-signing").data;
    writeFileSync(join(dir, "signing.crt"), fromB64(signing["signing.crt"]));
    writeFileSync(join(dir, "signing.key"), fromB64(signing["signing.key"]));
    writeFileSync(
      join(dir, "accounts.yaml"),
      fromB64(find(objects, "Secret", "registry-token-accounts").data["accounts.yaml"]),
    );
    writeFileSync(join(dir, "tls.crt"), pki.server.certPem);
    writeFileSync(join(dir, "tls.key"), pki.server.keyPem);
    // The rendered configuration, with the pod's mount paths and port swapped for local ones.
    const config = parse(find(objects, "ConfigMap", "registry-token").data["config.yaml"]);
    config.spec = {
      ...config.spec,
      listen: { host: "127.0.0.1", port: 0 },
      tls: { certificate: "tls.crt", key: "tls.key" },
      signing: { certificate: "signing.crt", key: "signing.key" },
      accountsFile: "accounts.yaml",
    };
    writeFileSync(join(dir, "config.yaml"), stringify(config));
    tokens = await startTokenServer(join(dir, "config.yaml"), pino({ level: "silent" }));
    const env = envOf(find(objects, "Deployment", "registry"));
    registry = await startRegistry(
      {
        kind: "token",
        realm: `https://127.0.0.1:${tokens.port}/token`,
        service: env.REGISTRY_AUTH_TOKEN_SERVICE,
        issuer: env.REGISTRY_AUTH_TOKEN_ISSUER,
        rootCertBundle: find(objects, "ConfigMap", "registry-token-roots").data[
          "rootcertbundle.pem"
        ],
      },
      pki.server,
    );
    // Image references name HOST; the Secrets are keyed by it, the registry listens locally.
    pull = dockerLogin(find(objects, "Secret", "regcred"), HOST);
    push = dockerLogin(find(objects, "Secret", "registry-push"), HOST);
  }, 30_000);
  afterAll(async () => {
    await registry?.stop();
    await tokens?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The token CI (or a node) gets: Basic credentials from the Secret, at the realm. */
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

  it("CI pushes only to its repositories", async () => {
    const ciToken = await tokenFor(push, "repository:other/app:pull,push");
    await expect(
      new Pusher(registry.url, pki.ca.certPem, () => `Bearer ${ciToken}`).pushImage(
        "other/app",
        image,
        ["v1"],
      ),
    ).rejects.toThrow(/401/);
  });
});

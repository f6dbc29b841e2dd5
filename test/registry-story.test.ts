/**
 * Issue "Trusted private registry", end to end against a real registry: the manifests of
 * `customs registry manifests` configure Debian's docker-registry (Docker Distribution 2.8,
 * the registry:2 program) with their TLS and htpasswd secrets; CI pushes an image with its
 * user; a client holding only the generated pull Secret and CA resolves it; `customs pin`
 * rewrites a manifest to the digest the registry serves; the generated ImagePolicy admits the
 * pinned image and refuses the unpinned one.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePullSecret, RegistryClient } from "../src/adapters/registry/index.js";
import { parseRegistryHost } from "../src/adapters/registry-bundle/index.js";
import { pinTexts } from "../src/app/pin/pin.js";
import { renderRegistryBundle } from "../src/app/registry/bundle.js";
import { createEvaluator, toNamespaceFacts } from "../src/core/evaluate/index.js";
import { compilePolicySet, validateDocument } from "../src/core/policy/index.js";
import { parseImageReference } from "../src/core/reference/index.js";
import { buildImage, Pusher } from "./registry/images.js";
import { eventually } from "./support/wait.js";

const REGISTRY_BIN = process.env.CUSTOMS_DOCKER_REGISTRY ?? "/usr/bin/docker-registry";
const haveRegistry = (() => {
  try {
    accessSync(REGISTRY_BIN, constants.X_OK);
    return true;
  } catch {
    return false;
  }
})();
if (!haveRegistry)
  console.warn(
    `skipping the registry story: ${REGISTRY_BIN} is missing (bash scripts/registry/install.sh)`,
  );

// biome-ignore lint/suspicious/noExplicitAny: manifests are walked freely in a test
type Obj = Record<string, any>;
const fromB64 = (s: string) => Buffer.from(s, "base64").toString("utf8");
const find = (objects: Obj[], kind: string) => objects.find((o) => o.kind === kind) as Obj;

describe.skipIf(!haveRegistry)("a private registry from one command's output", () => {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const host = `localhost:${port}`;
  let dir = "";
  let child: ChildProcess | undefined;
  let objects: Obj[] = [];
  let ca = "";
  const ci = { name: "ci", password: "push-only-in-ci" };
  const puller = { name: "cluster", password: "pull-please" };

  beforeAll(async () => {
    const rendered = await renderRegistryBundle({
      host: parseRegistryHost(host),
      namespace: "registry",
      storageClass: undefined,
      size: "1Gi",
      tlsSecret: "registry-tls",
      tls: { kind: "self-signed" },
      ingressNamespace: undefined,
      ingressClass: undefined,
      workspace: undefined,
      users: [
        { name: puller.name, password: puller.password },
        { name: ci.name, password: ci.password },
      ],
      pullSecretName: "regcred",
      pullSecretNamespaces: ["default"],
      imagePolicy: true,
      registryImage: "registry:2.8.3",
      certDays: 30,
    });
    objects = rendered.objects;
    ca = rendered.caPem ?? "";
    dir = mkdtempSync(join(tmpdir(), "customs-registry-story-"));
    const secret = (name: string) =>
      objects.find((o) => o.kind === "Secret" && o.metadata.name === name) as Obj;
    const tls = secret("registry-tls").data;
    writeFileSync(join(dir, "tls.crt"), fromB64(tls["tls.crt"]));
    writeFileSync(join(dir, "tls.key"), fromB64(tls["tls.key"]));
    writeFileSync(join(dir, "htpasswd"), fromB64(secret("registry-htpasswd").data.htpasswd));
    // The Deployment's environment, as a config file for a registry on this machine.
    const env = Object.fromEntries(
      (
        find(objects, "Deployment").spec.template.spec.containers[0].env as Array<{
          name: string;
          value: string;
        }>
      ).map((e) => [e.name, e.value]),
    );
    expect(env.REGISTRY_AUTH).toBe("htpasswd");
    writeFileSync(
      join(dir, "config.yml"),
      `version: 0.1
storage: {filesystem: {rootdirectory: ${join(dir, "data")}}}
http:
  addr: 127.0.0.1:${port}
  secret: story
  tls: {certificate: ${join(dir, "tls.crt")}, key: ${join(dir, "tls.key")}}
auth:
  htpasswd: {realm: ${env.REGISTRY_AUTH_HTPASSWD_REALM ?? "registry"}, path: ${join(dir, "htpasswd")}}
`,
    );
    child = spawn(REGISTRY_BIN, ["serve", join(dir, "config.yml")], { stdio: "ignore" });
    const client = new RegistryClient({ tls: { ca: [ca] }, timeoutMs: 2_000 });
    let last: unknown;
    await eventually(
      `the registry at ${host}`,
      () =>
        client.ping(parseImageReference(`${host}/x`).domain).then(
          () => true,
          (e) => {
            last = e;
            // Up and asking for a login is up.
            return (e as { code?: string }).code === "AUTH_FAILED" ? true : undefined;
          },
        ),
      30_000,
      100,
    ).catch((e: Error) => {
      throw new Error(`${e.message}; last answer: ${String(last)}`);
    });
  }, 60_000);

  afterAll(() => {
    child?.kill("SIGKILL");
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("CI pushes, the cluster resolves with only the pull Secret, manifests get pinned, the policy admits the pin", async () => {
    const image = buildImage({ os: "linux", architecture: "amd64" });
    const basic = `Basic ${Buffer.from(`${ci.name}:${ci.password}`).toString("base64")}`;
    await new Pusher(`https://${host}`, ca, () => basic).pushImage("team/app", image, ["v1.2.3"]);

    const pullSecret = objects.find(
      (o) => o.kind === "Secret" && o.type === "kubernetes.io/dockerconfigjson",
    ) as Obj;
    const client = new RegistryClient({
      credentials: parsePullSecret(pullSecret),
      tls: { ca: [ca] },
    });
    const digest = await client.resolveDigest(parseImageReference(`${host}/team/app:v1.2.3`));
    expect(digest).toBe(image.manifest.digest);

    const anonymous = new RegistryClient({ tls: { ca: [ca] } });
    await expect(
      anonymous.resolveDigest(parseImageReference(`${host}/team/app:v1.2.3`)),
    ).rejects.toMatchObject({ code: "AUTH_FAILED" });

    const manifest = `apiVersion: apps/v1
kind: Deployment
metadata: {name: app, namespace: team-a}
spec:
  template:
    spec:
      containers:
        - name: app   # the API
          image: ${host}/team/app:v1.2.3
`;
    const { files } = await pinTexts([{ source: "app.yaml", text: manifest }], (ref) =>
      client.resolveDigest(ref),
    );
    const pinnedImage = `${host}/team/app:v1.2.3@${digest}`;
    expect(files[0]?.after).toBe(manifest.replace(`${host}/team/app:v1.2.3`, pinnedImage));

    const policy = validateDocument(find(objects, "ImagePolicy"));
    if (policy.kind !== "ImagePolicy") throw new Error(JSON.stringify(policy.issues));
    const evaluator = createEvaluator(compilePolicySet([policy.policy], []));
    const decide = (img: string) =>
      evaluator.evaluate(toNamespaceFacts("team-a"), [
        { container: "app", containerType: "containers", image: img },
      ]).verdict;
    expect(decide(pinnedImage)).toBe("allow");
    expect(decide(`${host}/team/app:v1.2.3`)).toBe("deny");
    expect(decide("busybox")).toBe("deny");
    client.close();
    anonymous.close();
  });
});

import { type ChildProcess, spawn } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import bcrypt from "bcryptjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import {
  buildDefaultServiceAccount,
  parseRegistryHost,
  toServiceAccountState,
} from "../src/adapters/registry-bundle/index.js";
import { type RenderRegistryOptions, renderRegistryBundle } from "../src/app/registry/bundle.js";
import { createEvaluator, toNamespaceFacts } from "../src/core/evaluate/index.js";
import { compilePolicySet, validateDocument } from "../src/core/policy/index.js";
import { listeningAddress } from "./registry/harness.js";
import { customs, tempFiles } from "./support/cli.js";

// Rendered Kubernetes objects are walked freely here; their shapes are asserted field by field.
// biome-ignore lint/suspicious/noExplicitAny: test-only access to nested manifest fields
type Obj = Record<string, any>;

const HOST = "registry.example.com";
const DIGEST = `sha256:${"a".repeat(64)}`;
const fromB64 = (s: string) => Buffer.from(s, "base64").toString("utf8");

function options(over: Partial<RenderRegistryOptions> = {}): RenderRegistryOptions {
  return {
    host: parseRegistryHost(HOST),
    namespace: "registry",
    storageClass: undefined,
    size: "20Gi",
    tlsSecret: "registry-tls",
    tls: { kind: "self-signed" } as const,
    ingressNamespace: undefined,
    ingressClass: undefined,
    workspace: undefined,
    users: [
      { name: "alice", password: "s3cret:with colon" },
      { name: "bob", password: "hunter2" },
    ],
    pullSecretName: "regcred",
    pullSecretNamespaces: ["default"],
    imagePolicy: true,
    registryImage: "registry:2.8.3",
    certDays: 30,
    ...over,
  };
}

const find = (objects: Obj[], kind: string, name?: string): Obj => {
  const o = objects.find(
    (x) => x.kind === kind && (name === undefined || x.metadata.name === name),
  );
  if (o === undefined) throw new Error(`no ${kind} ${name ?? ""}`);
  return o;
};

function evaluatorFor(policy: Obj) {
  const v = validateDocument(policy);
  if (v.kind !== "ImagePolicy") throw new Error(JSON.stringify(v));
  expect(v.issues.filter((i) => i.severity === "error")).toEqual([]);
  return createEvaluator(compilePolicySet([v.policy], []));
}

function admits(policy: Obj, image: string, namespace = "default"): boolean {
  const d = evaluatorFor(policy).evaluate(toNamespaceFacts(namespace), [
    { container: "c", containerType: "containers", image },
  ]);
  return d.violations.length === 0;
}

describe("registry bundle (self-signed)", () => {
  let objects: Obj[] = [];
  let caPem: string | undefined;
  beforeAll(async () => {
    const r = await renderRegistryBundle(options());
    objects = r.objects;
    caPem = r.caPem;
  });

  it("renders every object in apply order", () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      "Namespace/registry",
      "Secret/registry-htpasswd",
      "Secret/registry-tls",
      "PersistentVolumeClaim/registry-data",
      "Deployment/registry",
      "Service/registry",
      "Ingress/registry",
      "NetworkPolicy/registry",
      "ImagePolicy/registry-registry-only",
      "Secret/regcred",
    ]);
  });

  it("exposes the registry through a ClusterIP Service only, never a node port", () => {
    expect(find(objects, "Service").spec.type).toBe("ClusterIP");
    const text = JSON.stringify(objects);
    expect(text).not.toMatch(/NodePort|nodePort|LoadBalancer|hostPort|hostNetwork/);
  });

  it("hashes every user with bcrypt ($2y$, cost 10) in the htpasswd Secret", () => {
    const lines = fromB64(find(objects, "Secret", "registry-htpasswd").data.htpasswd)
      .trim()
      .split("\n");
    expect(lines).toHaveLength(2);
    const [alice, bob] = lines.map((l) => l.split(/:(.*)/s));
    expect(alice?.[0]).toBe("alice");
    expect(alice?.[1]).toMatch(/^\$2y\$10\$/);
    expect(bcrypt.compareSync("s3cret:with colon", alice?.[1] ?? "")).toBe(true);
    expect(bcrypt.compareSync("wrong", alice?.[1] ?? "")).toBe(false);
    expect(bob?.[0]).toBe("bob");
    expect(bcrypt.compareSync("hunter2", bob?.[1] ?? "")).toBe(true);
  });

  it("issues a serving certificate for HOST and the Service names, signed by the CA", () => {
    const tls = find(objects, "Secret", "registry-tls");
    expect(tls.type).toBe("kubernetes.io/tls");
    const cert = new X509Certificate(fromB64(tls.data["tls.crt"]));
    const ca = new X509Certificate(fromB64(tls.data["ca.crt"]));
    expect(fromB64(tls.data["ca.crt"])).toBe(caPem);
    expect(cert.subjectAltName?.split(", ").sort()).toEqual(
      [
        `DNS:${HOST}`,
        "DNS:registry.registry.svc",
        "DNS:registry.registry.svc.cluster.local",
      ].sort(),
    );
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkHost(HOST)).toBe(HOST);
    expect(ca.ca).toBe(true);
    expect(fromB64(tls.data["tls.key"])).toContain("PRIVATE KEY");
  });

  it("runs registry:2 non-root, read-only, with TLS, htpasswd and HTTPS probes", () => {
    const d = find(objects, "Deployment");
    expect(d.spec.replicas).toBe(1);
    const pod = d.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    const [c] = pod.containers;
    expect(c.image).toBe("registry:2.8.3");
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    const env = Object.fromEntries(c.env.map((e: Obj) => [e.name, e.value]));
    expect(env).toMatchObject({
      REGISTRY_HTTP_ADDR: ":5000",
      REGISTRY_HTTP_TLS_CERTIFICATE: "/etc/registry/tls/tls.crt",
      REGISTRY_HTTP_TLS_KEY: "/etc/registry/tls/tls.key",
      REGISTRY_AUTH: "htpasswd",
      REGISTRY_AUTH_HTPASSWD_PATH: "/etc/registry/auth/htpasswd",
      REGISTRY_STORAGE_DELETE_ENABLED: "false",
    });
    expect(env.REGISTRY_AUTH_HTPASSWD_REALM).toBeTruthy();
    for (const probe of [c.readinessProbe, c.livenessProbe])
      expect(probe.httpGet).toEqual({ path: "/", port: 5000, scheme: "HTTPS" });
    expect(c.resources.requests).toBeDefined();
    expect(c.resources.limits.memory).toBeDefined();
    expect(c.volumeMounts).toContainEqual({ name: "data", mountPath: "/var/lib/registry" });
    const volumes = Object.fromEntries(pod.volumes.map((v: Obj) => [v.name, v]));
    expect(volumes.data.persistentVolumeClaim.claimName).toBe("registry-data");
    expect(volumes.tls.secret.secretName).toBe("registry-tls");
    expect(volumes.auth.secret.secretName).toBe("registry-htpasswd");
  });

  it("claims the volume, without a storage class unless one is given", async () => {
    const pvc = find(objects, "PersistentVolumeClaim");
    expect(pvc.spec.resources.requests.storage).toBe("20Gi");
    expect(pvc.spec.storageClassName).toBeUndefined();
    const other = await renderRegistryBundle(
      options({ storageClass: "fast", size: "50Gi", tls: { kind: "secret" }, tlsSecret: "mine" }),
    );
    const pvc2 = find(other.objects, "PersistentVolumeClaim");
    expect(pvc2.spec).toMatchObject({
      storageClassName: "fast",
      resources: { requests: { storage: "50Gi" } },
    });
  });

  it("serves HOST over TLS through the Ingress without a body limit", () => {
    const ing = find(objects, "Ingress");
    expect(ing.metadata.annotations).toEqual({
      "nginx.ingress.kubernetes.io/proxy-body-size": "0",
      "nginx.ingress.kubernetes.io/backend-protocol": "HTTPS",
    });
    expect(ing.spec.tls).toEqual([{ hosts: [HOST], secretName: "registry-tls" }]);
    expect(ing.spec.rules[0].host).toBe(HOST);
    expect(ing.spec.rules[0].http.paths[0].backend.service).toEqual({
      name: "registry",
      port: { name: "https" },
    });
  });

  it("lets traffic reach port 5000 only", () => {
    const np = find(objects, "NetworkPolicy");
    expect(np.spec.policyTypes).toEqual(["Ingress"]);
    expect(np.spec.ingress).toEqual([
      { from: [{ namespaceSelector: {} }], ports: [{ protocol: "TCP", port: 5000 }] },
    ]);
  });

  it("ImagePolicy admits this registry's images by digest only", () => {
    const p = find(objects, "ImagePolicy");
    expect(p.apiVersion).toBe("customs.dev/v1alpha1");
    expect(p.spec.workspace).toBeUndefined();
    expect(admits(p, `${HOST}/app@${DIGEST}`)).toBe(true);
    expect(admits(p, `${HOST}/team/app:1.0@${DIGEST}`)).toBe(true);
    expect(admits(p, `${HOST}/app:1`)).toBe(false);
    expect(admits(p, "busybox")).toBe(false);
    expect(admits(p, `busybox@${DIGEST}`)).toBe(false);
    expect(admits(p, `other.example.com/app@${DIGEST}`)).toBe(false);
    // The registry's own namespace is outside the policy: its pod runs the upstream image.
    expect(admits(p, "registry:2.8.3", "registry")).toBe(true);
  });

  it("pins the port when HOST has one, and scopes to a workspace when asked", async () => {
    const r = await renderRegistryBundle(
      options({ host: parseRegistryHost(`${HOST}:5443`), workspace: "team-a", users: [] }),
    );
    const p = find(r.objects, "ImagePolicy");
    expect(p.spec.workspace).toBe("team-a");
    expect(p.spec.input.rules).toEqual([{ hostname: HOST, port: "5443", requireDigest: true }]);
    const ns = toNamespaceFacts("apps", { "customs.dev/workspace": "team-a" });
    const ev = evaluatorFor(p);
    const ok = (image: string) =>
      ev.evaluate(ns, [{ container: "c", containerType: "containers", image }]).violations
        .length === 0;
    expect(ok(`${HOST}:5443/app@${DIGEST}`)).toBe(true);
    expect(ok(`${HOST}/app@${DIGEST}`)).toBe(false);
    expect(ok(`${HOST}:5443/app:1`)).toBe(false);
  });

  it("writes a pull Secret for the first user, keyed by HOST", () => {
    const s = find(objects, "Secret", "regcred");
    expect(s.type).toBe("kubernetes.io/dockerconfigjson");
    expect(s.metadata.namespace).toBe("default");
    const config = JSON.parse(fromB64(s.data[".dockerconfigjson"]));
    expect(Object.keys(config.auths)).toEqual([HOST]);
    const entry = config.auths[HOST];
    expect(entry).toEqual({
      username: "alice",
      password: "s3cret:with colon",
      auth: Buffer.from("alice:s3cret:with colon").toString("base64"),
    });
  });

  it("makes a cert-manager Certificate for the same names instead of a CA", async () => {
    const r = await renderRegistryBundle(
      options({ tls: { kind: "cert-manager", issuer: "corp-ca", issuerKind: "ClusterIssuer" } }),
    );
    expect(r.caPem).toBeUndefined();
    const cert = find(r.objects, "Certificate");
    expect(cert.spec).toMatchObject({
      secretName: "registry-tls",
      dnsNames: [HOST, "registry.registry.svc", "registry.registry.svc.cluster.local"],
      issuerRef: { name: "corp-ca", kind: "ClusterIssuer" },
    });
    expect(r.objects.some((o: Obj) => o.kind === "Secret" && o.type === "kubernetes.io/tls")).toBe(
      false,
    );
  });
});

describe("customs registry (CLI)", () => {
  const docs = (text: string): Obj[] => parseAllDocuments(text).map((d) => d.toJSON() as Obj);

  it("prints the bundle as YAML and says where the CA is", () => {
    const r = customs(["registry", "manifests", "--host", HOST, "--user", "alice:pw"]);
    expect(r.status).toBe(0);
    const objects = docs(r.stdout);
    expect(objects.map((o) => o.kind)).toContain("Ingress");
    expect(r.stdout).not.toContain("*a1");
    expect(r.stderr).toContain("ca.crt");
    expect(r.stderr).toContain(`/etc/containerd/certs.d/${HOST}/ca.crt`);
  });

  it.each([
    [["--host", "Registry.Example.com"], "lowercase DNS name"],
    [["--host", "registry.example.com/path"], "not a registry host"],
    [["--host", "registry.example.com:port"], "not a registry host"],
    [["--host", "registry"], "not a registry host"],
    [["--host", "10.0.0.1:5000"], "lowercase DNS name"],
    [["--host", HOST, "--user", "alice"], "give a password"],
    [["--host", HOST, "--user", "alice:"], "give a password"],
    [["--host", HOST, "--user", "a:1", "--user", "a:2"], "given twice"],
    [["--host", HOST, "--namespace", "Not_A_Label"], "not a valid namespace"],
    [["--host", HOST, "--pull-secret-namespace", "x.y"], "not a valid namespace"],
    [["--host", HOST, "--size", "lots"], "not a quantity"],
    [["--host", HOST, "--tls-secret", "t", "--self-signed"], "exclude each other"],
    [["--host", HOST, "--registry-image", "Registry:2"], "not an image reference"],
    [["--host", HOST, "--token-image", "customs:1"], "for --auth token"],
    [["--host", HOST, "--auth", "token", "--token-image", "a b"], "not an image reference"],
    [
      ["--host", HOST, "--auth", "token", "--accounts-file", "/nonexistent/a.yaml"],
      "cannot read: ENOENT",
    ],
  ])("exits 2 on bad input: %j", (args, message) => {
    const users = args.includes("--user") || args.includes("token") ? [] : ["--user", "u:p"];
    const r = customs(["registry", "manifests", ...users, ...args]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(message);
  });

  it("--accounts-file: hashed accounts only, none named like the generated ones", () => {
    const hash = `$2y$10$${"a".repeat(53)}`;
    const files = tempFiles({
      "clear.yaml": `apiVersion: customs.dev/v1alpha1\nkind: RegistryAccounts\naccounts:\n  - {name: bot, secret: hunter2-clear, grants: []}\n`,
      "ci.yaml": `apiVersion: customs.dev/v1alpha1\nkind: RegistryAccounts\naccounts:\n  - {name: ci, secret: "${hash}", grants: []}\n`,
    });
    try {
      const token = ["registry", "manifests", "--host", HOST, "--auth", "token"];
      const clear = customs([...token, "--accounts-file", join(files.dir, "clear.yaml")]);
      expect(clear.status).toBe(2);
      expect(clear.stderr).toContain("expected a bcrypt hash");
      expect(clear.stderr).not.toContain("hunter2-clear");
      const ci = customs([...token, "--accounts-file", join(files.dir, "ci.yaml")]);
      expect(ci.status).toBe(2);
      expect(ci.stderr).toContain("generated pull or push account");
    } finally {
      files.cleanup();
    }
  });

  it("exits 2 without a user: the registry always asks for a login", () => {
    const r = customs(["registry", "manifests", "--host", HOST]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("at least one --user");
  });

  it("pull-secret matches kubectl create secret docker-registry", () => {
    const r = customs(
      [
        "registry",
        "pull-secret",
        "--server",
        "reg.example.com:5000",
        "--username",
        "ci",
        "--password-stdin",
        "--email",
        "ci@example.com",
      ],
      { input: "p@ss word\n" },
    );
    expect(r.status).toBe(0);
    const [s, ...rest] = docs(r.stdout);
    expect(rest).toEqual([]);
    expect(s).toMatchObject({
      kind: "Secret",
      type: "kubernetes.io/dockerconfigjson",
      metadata: { name: "regcred" },
    });
    expect(s?.metadata.namespace).toBeUndefined();
    expect(JSON.parse(fromB64(s?.data[".dockerconfigjson"]))).toEqual({
      auths: {
        "reg.example.com:5000": {
          username: "ci",
          password: "p@ss word",
          email: "ci@example.com",
          auth: Buffer.from("ci:p@ss word").toString("base64"),
        },
      },
    });
  });

  // A ServiceAccount's imagePullSecrets is an atomic list: `kubectl apply` replaces it whole,
  // so --attach must print the live entries along with its own (test/e2e/pull-secret.e2e.test.ts
  // proves this against a real API server and kubectl).
  const attach = [
    "registry",
    "pull-secret",
    "--server",
    HOST,
    "--username",
    "u",
    "--password",
    "p",
    "--name",
    "pull",
    "--attach",
  ];
  const liveServiceAccount = (namespace = "team-a") =>
    JSON.stringify({
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "default", namespace, resourceVersion: "42", uid: "u-1" },
      imagePullSecrets: [{ name: "mirror" }, { name: "vendor" }],
    });

  it("pull-secret --attach keeps the ServiceAccount's other pull secrets", () => {
    const { dir, cleanup } = tempFiles({ "sa.json": liveServiceAccount() });
    try {
      const r = customs([...attach, "--service-account-file", join(dir, "sa.json")]);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      const [secret, sa, ...rest] = docs(r.stdout);
      expect(rest).toEqual([]);
      // The namespace the ServiceAccount was read in is written on both objects, so the merged
      // list cannot be applied to another namespace's ServiceAccount.
      expect(secret?.metadata).toEqual({ name: "pull", namespace: "team-a" });
      expect(sa).toEqual({
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name: "default", namespace: "team-a", resourceVersion: "42" },
        imagePullSecrets: [{ name: "mirror" }, { name: "vendor" }, { name: "pull" }],
      });
    } finally {
      cleanup();
    }
  });

  it("pull-secret --attach names a secret once, however often it runs", () => {
    const { dir, cleanup } = tempFiles({ "sa.json": liveServiceAccount() });
    try {
      const r = customs([
        ...attach.map((a) => (a === "pull" ? "vendor" : a)),
        "--service-account-file",
        join(dir, "sa.json"),
        "-o",
        "json",
      ]);
      expect(r.status).toBe(0);
      const list = JSON.parse(r.stdout) as Obj;
      expect(list.items[1].imagePullSecrets).toEqual([{ name: "mirror" }, { name: "vendor" }]);
    } finally {
      cleanup();
    }
  });

  it("merges into an empty list, and a missing ServiceAccount is an empty one", () => {
    expect(buildDefaultServiceAccount("pull", "ns")).toEqual({
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "default", namespace: "ns" },
      imagePullSecrets: [{ name: "pull" }],
    });
    const state = toServiceAccountState({ kind: "ServiceAccount", metadata: { name: "default" } });
    expect(state).toEqual({ resourceVersion: undefined, imagePullSecrets: [] });
  });

  it.each([
    [{ kind: "Secret", metadata: { name: "default" } }, "not ServiceAccount"],
    [{ kind: "ServiceAccount", metadata: { name: "builder" } }, 'not "default"'],
    [{ metadata: { name: "default" }, imagePullSecrets: "x" }, "not a list"],
    [[], "not a Kubernetes object"],
  ])("refuses to merge into %j", (object, problem) => {
    expect(toServiceAccountState(object)).toContain(problem);
  });

  it.each([
    [["--service-account-file", "SA", "--namespace", "team-b"], "not --namespace team-b"],
    [["--service-account-file", "SA", "--kubeconfig", "k"], "exclude each other"],
    [["--kubeconfig", "/nonexistent/kubeconfig"], "/nonexistent/kubeconfig"],
  ])("pull-secret --attach exits 2 rather than guess the live list: %j", (extra, message) => {
    const { dir, cleanup } = tempFiles({ "sa.json": liveServiceAccount() });
    try {
      const args = extra.map((a) => (a === "SA" ? join(dir, "sa.json") : a));
      const r = customs([...attach, ...args]);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain(message);
    } finally {
      cleanup();
    }
  });

  it("pull-secret --attach without a kubeconfig says where it looked", () => {
    const { dir, cleanup } = tempFiles({});
    try {
      const r = customs(attach, { env: { HOME: dir, KUBECONFIG: "" } });
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain(`no kubeconfig at ${join(dir, ".kube", "config")}`);
    } finally {
      cleanup();
    }
  });

  it("pull-secret --kubeconfig without --attach is a usage error", () => {
    const r = customs([
      "registry",
      "pull-secret",
      "--server",
      HOST,
      "--username",
      "u",
      "--password",
      "p",
      "--kubeconfig",
      "k",
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("go with --attach");
  });

  it.each([
    [["--server", "bad host", "--username", "u", "--password", "p"], "not a registry host"],
    [["--server", HOST, "--username", "u"], "--password"],
    [["--server", HOST, "--username", "u", "--password", "p", "--password-stdin"], "exclude"],
    [["--server", HOST, "--username", "u", "--password-stdin"], "empty"],
    [["--server", HOST, "--username", "u", "--password", "p", "--namespace", "A"], "namespace"],
  ])("pull-secret exits 2 on bad input: %j", (args, message) => {
    const r = customs(["registry", "pull-secret", ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
  });
});

const REGISTRY_BIN = process.env.CUSTOMS_DOCKER_REGISTRY ?? "/usr/bin/docker-registry";
const haveRegistry = (() => {
  try {
    accessSync(REGISTRY_BIN, constants.X_OK);
    return true;
  } catch {
    return false;
  }
})();

/** Starts docker-registry on 127.0.0.1 with the config; resolves with `127.0.0.1:PORT`. */
async function serve(config: string): Promise<{ child: ChildProcess; address: string }> {
  const child = spawn(REGISTRY_BIN, ["serve", config], { stdio: ["ignore", "pipe", "pipe"] });
  return { child, address: await listeningAddress(child) };
}

function getStatus(address: string, ca: string, authorization?: string): Promise<number> {
  const [host, port] = address.split(":");
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host,
        port: Number(port),
        path: "/v2/",
        // The certificate names HOST, not 127.0.0.1: check it against HOST, as a node would.
        servername: HOST,
        ca,
        headers: authorization ? { authorization } : {},
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe.skipIf(!haveRegistry)("the bundle's secrets in a real docker-registry", () => {
  let dir = "";
  let child: ChildProcess | undefined;
  let address = "";
  let ca = "";
  beforeAll(async () => {
    const { objects } = await renderRegistryBundle(options());
    dir = mkdtempSync(join(tmpdir(), "customs-registry-bundle-"));
    const tls = find(objects, "Secret", "registry-tls").data;
    ca = fromB64(tls["ca.crt"]);
    writeFileSync(join(dir, "tls.crt"), fromB64(tls["tls.crt"]));
    writeFileSync(join(dir, "tls.key"), fromB64(tls["tls.key"]));
    writeFileSync(
      join(dir, "htpasswd"),
      fromB64(find(objects, "Secret", "registry-htpasswd").data.htpasswd),
    );
    const config = join(dir, "config.yml");
    writeFileSync(
      config,
      `version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${join(dir, "data")}
http:
  addr: 127.0.0.1:0
  secret: customs-test-secret
  tls:
    certificate: ${join(dir, "tls.crt")}
    key: ${join(dir, "tls.key")}
auth:
  htpasswd:
    realm: customs-test
    path: ${join(dir, "htpasswd")}
`,
    );
    const started = await serve(config);
    child = started.child;
    address = started.address;
  }, 30_000);
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child?.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("answers 401 without credentials and 200 with the generated users'", async () => {
    expect(await getStatus(address, ca)).toBe(401);
    const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}`;
    expect(await getStatus(address, ca, basic("alice", "s3cret:with colon"))).toBe(200);
    expect(await getStatus(address, ca, basic("bob", "hunter2"))).toBe(200);
    expect(await getStatus(address, ca, basic("alice", "wrong"))).toBe(401);
  });

  it("logs in with the pull Secret's own auth field", async () => {
    const { objects } = await renderRegistryBundle(options());
    // A fresh render has fresh hashes but the same passwords: the running registry accepts it.
    const config = JSON.parse(
      fromB64(find(objects, "Secret", "regcred").data[".dockerconfigjson"]),
    );
    expect(await getStatus(address, ca, `Basic ${config.auths[HOST].auth}`)).toBe(200);
  });
});

/**
 * Kubeconfig files read as kubectl reads them (client-go's clientcmd): which files, how they
 * merge, which context, paths relative to the file that names them, and the errors that name
 * the file, context or field at fault.
 */
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import {
  type KubeConnection,
  kubeconfigFiles,
  loadKubeconfig,
} from "../../src/adapters/kube/index.js";
import {
  mergeKubeconfigs,
  parseKubeconfig,
  selectContext,
} from "../../src/adapters/kube/kubeconfig.js";
import { isCustomsError } from "../../src/core/errors.js";
import { tempFiles } from "../support/cli.js";

type Doc = Record<string, unknown>;

const CA = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n";
const b64 = (s: string) => Buffer.from(s).toString("base64");

function config(o: {
  current?: string;
  clusters?: Record<string, Doc>;
  users?: Record<string, Doc>;
  contexts?: Record<string, Doc>;
}): string {
  const named = (key: string, m: Record<string, Doc> | undefined) =>
    Object.entries(m ?? {}).map(([name, value]) => ({ name, [key]: value }));
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    ...(o.current === undefined ? {} : { "current-context": o.current }),
    clusters: named("cluster", o.clusters),
    users: named("user", o.users),
    contexts: named("context", o.contexts),
  });
}

/** One context `main` on cluster `c` with user `u`. */
function single(user: Doc, cluster: Doc = { server: "https://k.example:6443" }, context: Doc = {}) {
  return config({
    current: "main",
    clusters: { c: cluster },
    users: { u: user },
    contexts: { main: { cluster: "c", user: "u", ...context } },
  });
}

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

function files(map: Record<string, string>): string {
  const { dir, cleanup } = tempFiles(map);
  cleanups.push(cleanup);
  return dir;
}

function load(dir: string, list: string[], context?: string): KubeConnection {
  return loadKubeconfig({
    env: { KUBECONFIG: list.map((f) => join(dir, f)).join(delimiter), HOME: dir },
    ...(context === undefined ? {} : { context }),
  });
}

async function headersOf(c: KubeConnection) {
  return (await c.credentials?.current())?.headers;
}

describe("which files kubectl reads", () => {
  it.each([
    ["--kubeconfig alone, $KUBECONFIG ignored", "x", "a:b", ["x"]],
    ["every file of $KUBECONFIG, in order", undefined, "a:b", ["a", "b"]],
    ["a file listed twice is read once", undefined, "a:b:a", ["a", "b"]],
    ["empty entries and missing files are skipped", undefined, "::missing:b", ["b"]],
    ["~/.kube/config without $KUBECONFIG", undefined, "", [".kube/config"]],
  ])("%s", (_name, explicit, list, want) => {
    const dir = files({ x: "", a: "", b: "", ".kube/config": "" });
    const abs = (p: string) => (p === "" ? "" : join(dir, p));
    const env = { KUBECONFIG: list.split(":").map(abs).join(delimiter), HOME: dir };
    expect(kubeconfigFiles(explicit === undefined ? undefined : abs(explicit), env)).toEqual(
      want.map(abs),
    );
  });

  it.each([
    ["a missing --kubeconfig", (d: string) => [join(d, "nope"), {}], "no kubeconfig at"],
    [
      "no file of $KUBECONFIG",
      (d: string) => [undefined, { KUBECONFIG: join(d, "a"), HOME: d }],
      "no kubeconfig at any file of $KUBECONFIG",
    ],
    ["no ~/.kube/config", (d: string) => [undefined, { HOME: d }], ".kube/config"],
  ] as const)("names where it looked: %s", (_name, args, message) => {
    const dir = files({});
    const [explicit, env] = args(dir) as [string | undefined, NodeJS.ProcessEnv];
    expect(() => kubeconfigFiles(explicit, env)).toThrow(message);
  });
});

describe("merging files", () => {
  const a = config({
    clusters: { shared: { server: "https://a.example" } },
    users: { shared: { token: "from-a" } },
    contexts: { shared: { cluster: "shared", user: "shared", namespace: "ns-a" } },
  });
  const b = config({
    current: "shared",
    clusters: {
      shared: { server: "https://b.example", "certificate-authority-data": b64(CA) },
      only_b: { server: "https://only-b.example" },
    },
    users: { shared: { token: "from-b" } },
    contexts: {
      shared: { cluster: "shared", user: "shared", namespace: "ns-b" },
      other: { cluster: "only_b", user: "shared" },
    },
  });
  const c = config({ current: "other" });

  it.each([
    [
      "the first file to define a name wins it whole",
      ["a", "b"],
      undefined,
      "https://a.example",
      undefined,
      "ns-a",
      "from-a",
    ],
    [
      "…whichever order the files come in",
      ["b", "a"],
      undefined,
      "https://b.example",
      CA,
      "ns-b",
      "from-b",
    ],
    [
      "current-context comes from the first file that sets it",
      ["a", "b", "c"],
      undefined,
      "https://a.example",
      undefined,
      "ns-a",
      "from-a",
    ],
    [
      "…and an earlier file that sets it wins",
      ["c", "a", "b"],
      undefined,
      "https://only-b.example",
      undefined,
      "default",
      "from-a",
    ],
    [
      "--context picks another context of the merged files",
      ["a", "b"],
      "other",
      "https://only-b.example",
      undefined,
      "default",
      "from-a",
    ],
  ])("%s", async (_name, list, context, server, ca, namespace, token) => {
    const dir = files({ a, b, c });
    const conn = load(dir, list, context);
    expect(conn.server).toBe(server);
    expect(conn.ca).toBe(ca);
    expect(conn.namespace).toBe(namespace);
    expect(await headersOf(conn)).toEqual({ authorization: `Bearer ${token}` });
  });

  it("is pure over parsed files (no file read)", () => {
    const merged = mergeKubeconfigs([parseKubeconfig(a, "/x/a"), parseKubeconfig(b, "/y/b")]);
    expect(merged.currentContext).toBe("shared");
    expect(merged.clusters.get("shared")?.file).toBe("/x/a");
    expect(merged.clusters.get("only_b")?.file).toBe("/y/b");
    expect(selectContext(merged, "other").cluster.value.server).toBe("https://only-b.example");
  });

  it.each([
    ["", {}],
    ["null\n", {}],
  ])("an empty file is an empty config: %j", (text) => {
    const parsed = parseKubeconfig(text, "/e");
    expect([parsed.currentContext, parsed.clusters.size, parsed.contexts.size]).toEqual([
      undefined,
      0,
      0,
    ]);
  });
});

describe("paths relative to the file that names them", () => {
  it("resolves each entry against its own file's folder", async () => {
    const dir = files({
      "clusters/config": config({
        current: "main",
        clusters: { c: { server: "https://k.example", "certificate-authority": "pki/ca.crt" } },
        contexts: { main: { cluster: "c", user: "u" } },
      }),
      "clusters/pki/ca.crt": CA,
      "users/config": config({ users: { u: { tokenFile: "secrets/token" } } }),
      "users/secrets/token": "tok-1\n",
    });
    const conn = load(dir, ["clusters/config", "users/config"]);
    expect(conn.ca).toBe(CA);
    expect(await headersOf(conn)).toEqual({ authorization: "Bearer tok-1" });
    // A token file is read again for every request: rotated tokens need no restart.
    writeFileSync(join(dir, "users/secrets/token"), "tok-2\n");
    expect(await headersOf(conn)).toEqual({ authorization: "Bearer tok-2" });
  });

  it("reads client-certificate and client-key next to the kubeconfig", async () => {
    const dir = files({
      "k/config": single({ "client-certificate": "u.crt", "client-key": "u.key" }),
      "k/u.crt": "CERT",
      "k/u.key": "KEY",
    });
    const creds = await load(dir, ["k/config"]).credentials?.current();
    expect([creds?.cert, creds?.key]).toEqual(["CERT", "KEY"]);
  });

  it.each([
    ["./bin/plugin", "relative to the kubeconfig", true],
    ["bin/plugin", "with a separator: relative to the kubeconfig", true],
    ["plugin", "a bare name: looked up on PATH", false],
  ])("exec command %s is %s", async (command, _how, resolved) => {
    const dir = files({
      "k/config": single({
        exec: { apiVersion: "client.authentication.k8s.io/v1", command, interactiveMode: "Never" },
      }),
    });
    const plugin = join(dir, "k/bin/plugin");
    if (resolved) {
      mkdirSync(join(dir, "k/bin"));
      writeFileSync(
        plugin,
        `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"ran"}}'\n`,
      );
      chmodSync(plugin, 0o755);
      const conn = load(dir, ["k/config"]);
      expect(await headersOf(conn)).toEqual({ authorization: "Bearer ran" });
    } else {
      const conn = loadKubeconfig({
        kubeconfig: join(dir, "k/config"),
        exec: { env: { PATH: join(dir, "nowhere") }, stderr: process.stderr },
      });
      await expect(conn.credentials?.current()).rejects.toThrow("exec plugin plugin (");
    }
  });
});

describe("users", () => {
  it.each([
    ["a token", { token: "t" }, { authorization: "Bearer t" }],
    [
      "basic auth",
      { username: "ann", password: "pw" },
      { authorization: `Basic ${b64("ann:pw")}` },
    ],
    ["no credentials", {}, {}],
    [
      "impersonation, as kubectl --as sends it",
      {
        token: "t",
        as: "jane",
        "as-groups": ["a", "b"],
        "as-uid": "42",
        "as-user-extra": { "scopes.example/x": ["1"] },
      },
      {
        authorization: "Bearer t",
        "impersonate-user": "jane",
        "impersonate-uid": "42",
        "impersonate-group": ["a", "b"],
        "impersonate-extra-scopes.example%2Fx": ["1"],
      },
    ],
    [
      "a token wins over an exec plugin (as in kubectl)",
      { token: "t", exec: { apiVersion: "client.authentication.k8s.io/v1", command: "never-run" } },
      { authorization: "Bearer t" },
    ],
  ])("%s", async (_name, user, headers) => {
    const dir = files({ config: single(user) });
    expect(await headersOf(load(dir, ["config"]))).toEqual(headers);
  });

  it("a context without a user sends no credentials", async () => {
    const dir = files({
      config: config({
        current: "anon",
        clusters: { c: { server: "https://k.example" } },
        contexts: { anon: { cluster: "c" } },
      }),
    });
    expect(await headersOf(load(dir, ["config"]))).toEqual({});
  });

  it("keeps tls-server-name and base64 certificate data", async () => {
    const dir = files({
      config: single(
        { "client-certificate-data": b64("CERT"), "client-key-data": b64("KEY") },
        {
          server: "https://10.0.0.1:6443/",
          "certificate-authority-data": b64(CA),
          "tls-server-name": "api.internal",
        },
      ),
    });
    const conn = load(dir, ["config"]);
    expect([conn.server, conn.ca, conn.tlsServerName]).toEqual([
      "https://10.0.0.1:6443",
      CA,
      "api.internal",
    ]);
    const creds = await conn.credentials?.current();
    expect([creds?.cert, creds?.key]).toEqual(["CERT", "KEY"]);
  });
});

describe("errors name the file, context or field at fault", () => {
  const v1 = "client.authentication.k8s.io/v1";
  it.each([
    ["not YAML", "clusters: [", "KUBECONFIG_INVALID", "not YAML"],
    [
      "a field of the wrong type",
      single({ token: 123 }),
      "KUBECONFIG_INVALID",
      "users[0].user.token: not a string",
    ],
    [
      "a name listed twice in one file",
      stringify({
        clusters: [
          { name: "c", cluster: {} },
          { name: "c", cluster: {} },
        ],
      }),
      "KUBECONFIG_INVALID",
      'clusters[1].name: "c" is listed twice',
    ],
    [
      "no current context",
      config({ contexts: { a: {} } }),
      "KUBECONFIG_INVALID",
      "no current-context is set: pass --context (contexts: a)",
    ],
    [
      "a current context that does not exist",
      config({ current: "gone", contexts: { a: {} } }),
      "KUBECONFIG_INVALID",
      'context "gone" does not exist (contexts: a)',
    ],
    [
      "a context naming a missing cluster",
      config({ current: "a", contexts: { a: { cluster: "nope", user: "u" } } }),
      "KUBECONFIG_INVALID",
      'context "a" names cluster "nope", which no kubeconfig defines',
    ],
    [
      "a context naming a missing user",
      config({
        current: "a",
        clusters: { c: { server: "https://k" } },
        contexts: { a: { cluster: "c", user: "nobody" } },
      }),
      "KUBECONFIG_INVALID",
      'context "a" names user "nobody"',
    ],
    ["a cluster without server", single({}, {}), "KUBECONFIG_INVALID", 'cluster "c" has no server'],
    [
      "plain HTTP",
      single({}, { server: "http://k.example" }),
      "KUBECONFIG_UNSUPPORTED",
      "only https://",
    ],
    [
      "insecure-skip-tls-verify",
      single({}, { server: "https://k.example", "insecure-skip-tls-verify": true }),
      "KUBECONFIG_UNSUPPORTED",
      'cluster "c": insecure-skip-tls-verify is never honoured',
    ],
    [
      "proxy-url",
      single({}, { server: "https://k.example", "proxy-url": "http://proxy:3128" }),
      "KUBECONFIG_UNSUPPORTED",
      "proxy-url is not supported",
    ],
    [
      "both a CA file and CA data",
      single(
        {},
        {
          server: "https://k",
          "certificate-authority": "ca",
          "certificate-authority-data": b64(CA),
        },
      ),
      "KUBECONFIG_INVALID",
      "sets both certificate-authority and certificate-authority-data",
    ],
    [
      "an unreadable CA file",
      single({}, { server: "https://k", "certificate-authority": "missing.crt" }),
      "KUBECONFIG_INVALID",
      'cluster "c" certificate-authority',
    ],
    [
      "a client certificate without a key",
      single({ "client-certificate-data": b64("C") }),
      "KUBECONFIG_INVALID",
      "client certificate without its key",
    ],
    [
      "a token and basic auth",
      single({ token: "t", username: "u" }),
      "KUBECONFIG_INVALID",
      "has a token and a username/password",
    ],
    [
      "an unreadable token file",
      single({ tokenFile: "no-token" }),
      "KUBECONFIG_INVALID",
      'user "u" tokenFile',
    ],
    [
      "a legacy auth-provider",
      single({ "auth-provider": { name: "gcp" } }),
      "KUBECONFIG_UNSUPPORTED",
      'auth-provider "gcp" is not supported',
    ],
    [
      "exec without command",
      single({ exec: { apiVersion: v1, interactiveMode: "Never" } }),
      "KUBECONFIG_INVALID",
      "exec.command is missing",
    ],
    [
      "exec without apiVersion",
      single({ exec: { command: "x" } }),
      "KUBECONFIG_INVALID",
      "exec.apiVersion is missing",
    ],
    [
      "exec v1alpha1 (removed from Kubernetes)",
      single({ exec: { command: "x", apiVersion: "client.authentication.k8s.io/v1alpha1" } }),
      "KUBECONFIG_INVALID",
      '"client.authentication.k8s.io/v1alpha1" is not supported',
    ],
    [
      "exec v1 without interactiveMode",
      single({ exec: { command: "x", apiVersion: v1 } }),
      "KUBECONFIG_INVALID",
      "exec.interactiveMode is missing",
    ],
    [
      "an unknown interactiveMode",
      single({ exec: { command: "x", apiVersion: v1, interactiveMode: "Sometimes" } }),
      "KUBECONFIG_INVALID",
      '"Sometimes" is not Never',
    ],
    [
      "interactiveMode Always (Customs has no terminal)",
      single({ exec: { command: "x", apiVersion: v1, interactiveMode: "Always" } }),
      "KUBECONFIG_UNSUPPORTED",
      "runs without a terminal",
    ],
    [
      "exec env without a name",
      single({
        exec: { command: "x", apiVersion: v1, interactiveMode: "Never", env: [{ value: "v" }] },
      }),
      "KUBECONFIG_INVALID",
      "exec.env[0].name: missing",
    ],
  ])("%s", (_name, text, code, message) => {
    const dir = files({ config: text });
    let error: unknown;
    try {
      load(dir, ["config"]);
    } catch (e) {
      error = e;
    }
    expect(isCustomsError(error) && error.code).toBe(code);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).toContain(join(dir, "config"));
  });

  it("v1beta1 exec users default to IfAvailable, which runs without a terminal", () => {
    const dir = files({
      config: single({
        exec: { command: "x", apiVersion: "client.authentication.k8s.io/v1beta1" },
      }),
    });
    expect(() => load(dir, ["config"])).not.toThrow();
  });
});

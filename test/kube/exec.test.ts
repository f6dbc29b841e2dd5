/**
 * Exec credential plugins, end to end on this machine: a real plugin (a node script in a
 * temporary folder that counts its runs and prints an ExecCredential) and a local HTTPS
 * server that accepts one bearer token or client certificate, as an API server would.
 * test/e2e/kube-exec.e2e.test.ts does the same against a real kube-apiserver.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import type { TLSSocket } from "node:tls";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { ExecPlugin } from "../../src/adapters/kube/exec.js";
import {
  type ExecOptions,
  KubeClient,
  KubeError,
  loadKubeconfig,
  runExecPlugin,
} from "../../src/adapters/kube/index.js";
import {
  createCertificateAuthority,
  issueClientCertificate,
  type PemPair,
} from "../../src/adapters/pki/index.js";
import { isCustomsError } from "../../src/core/errors.js";
import { tempFiles } from "../support/cli.js";
import { type TestPki, testPki } from "../support/tls.js";

const V1 = "client.authentication.k8s.io/v1";

/** The plugin: runs step N of plan.json on its Nth run, and notes what it was given. */
const PLUGIN = `
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
const dir = process.argv[2];
const run = readFileSync(dir + "/runs", "utf8").length;
appendFileSync(dir + "/runs", "x");
writeFileSync(dir + "/seen-" + run + ".json", JSON.stringify({
  info: JSON.parse(process.env.KUBERNETES_EXEC_INFO),
  args: process.argv.slice(3),
  env: process.env.PLUGIN_ENV,
  agentToken: process.env.CUSTOMS_AGENT_TOKEN,
}));
const plan = JSON.parse(readFileSync(dir + "/plan.json", "utf8"));
const step = plan[Math.min(run, plan.length - 1)];
if (step.stderr) process.stderr.write(step.stderr);
if (step.hangMs) await new Promise((r) => setTimeout(r, step.hangMs));
process.stdout.write(typeof step.out === "string" ? step.out : JSON.stringify(step.out));
process.exitCode = step.exit ?? 0;
`;

type PlanStep = { out: unknown; exit?: number; stderr?: string; hangMs?: number };

const credential = (status: Record<string, unknown>, apiVersion = V1) => ({
  apiVersion,
  kind: "ExecCredential",
  status,
});

let pki: TestPki;
let clientCa: PemPair;
let server: Server;
let port: number;
/** The bearer token the server accepts. */
let goodToken = "good";
/** What the server saw: a token, `cert:<CN>`, or `none`. */
let seen: string[] = [];
/** The Impersonate-User headers the server saw. */
let impersonated: string[] = [];

beforeAll(async () => {
  pki = await testPki();
  clientCa = await createCertificateAuthority("exec test client CA");
  server = createServer(
    {
      cert: readFileSync(pki.certFile),
      key: readFileSync(pki.keyFile),
      ca: clientCa.certPem,
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      const socket = req.socket as TLSSocket;
      const token = /^Bearer (.*)$/.exec(req.headers.authorization ?? "")?.[1];
      const cn = socket.authorized ? String(socket.getPeerCertificate().subject?.CN) : undefined;
      seen.push(token ?? (cn ? `cert:${cn}` : "none"));
      const as = req.headers["impersonate-user"];
      if (typeof as === "string") impersonated.push(as);
      const ok = token === goodToken || cn === "exec-user";
      res.writeHead(ok ? 200 : 401, { "content-type": "application/json" });
      res.end(
        JSON.stringify(
          ok
            ? { kind: "NamespaceList", items: [], metadata: { resourceVersion: "1" } }
            : { kind: "Status", code: 401, reason: "Unauthorized" },
        ),
      );
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  pki?.cleanup();
});

let dir: string;
let cleanup: () => void = () => {};
beforeEach(() => {
  cleanup();
  ({ dir, cleanup } = tempFiles({ "plugin.mjs": PLUGIN, runs: "", "ca.crt": pki.caPem }));
  goodToken = "good";
  seen = [];
  impersonated = [];
});
afterAll(() => cleanup());

const runs = () => readFileSync(join(dir, "runs"), "utf8").length;
const seenBy = (run: number) =>
  JSON.parse(readFileSync(join(dir, `seen-${run}.json`), "utf8")) as {
    info: { apiVersion: string; kind: string; spec: Record<string, unknown> };
    args: string[];
    env: string | undefined;
    agentToken: string | undefined;
  };

function plan(steps: PlanStep[]): void {
  writeFileSync(join(dir, "plan.json"), JSON.stringify(steps));
}

/** A kubeconfig whose user signs in through the plugin, and a client on it. */
function client(
  exec: Record<string, unknown> = {},
  options: ExecOptions = {},
  user: Record<string, unknown> = {},
): { client: KubeClient; stderr: () => string } {
  let err = "";
  const stderr = new PassThrough();
  stderr.on("data", (c: Buffer) => {
    err += c.toString();
  });
  writeFileSync(
    join(dir, "config"),
    stringify({
      apiVersion: "v1",
      kind: "Config",
      "current-context": "exec",
      clusters: [
        {
          name: "local",
          cluster: {
            server: `https://127.0.0.1:${port}`,
            "certificate-authority": "ca.crt",
            "tls-server-name": "localhost",
            extensions: [
              { name: "client.authentication.k8s.io/exec", extension: { audience: "customs" } },
            ],
          },
        },
      ],
      users: [
        {
          name: "plugin",
          user: {
            exec: {
              apiVersion: V1,
              command: process.execPath,
              args: [join(dir, "plugin.mjs"), dir],
              interactiveMode: "Never",
              ...exec,
            },
            ...user,
          },
        },
      ],
      contexts: [{ name: "exec", context: { cluster: "local", user: "plugin" } }],
    }),
  );
  const connection = loadKubeconfig({
    kubeconfig: join(dir, "config"),
    exec: { stderr, ...options },
  });
  return { client: new KubeClient(connection), stderr: () => err };
}

const NAMESPACES = "/api/v1/namespaces";

describe("exec credential plugins", () => {
  it("runs the plugin once and keeps a credential that names no expiry", async () => {
    plan([{ out: credential({ token: "good" }) }]);
    const { client: c } = client();
    for (let i = 0; i < 3; i++) await c.list(NAMESPACES);
    await Promise.all([c.list(NAMESPACES), c.list(NAMESPACES), c.get(NAMESPACES)]);
    expect(runs()).toBe(1);
    expect(seen).toEqual(Array(6).fill("good"));
    c.close();
  });

  it("runs it again a little before the credential expires", async () => {
    const start = Date.parse("2030-01-01T00:00:00Z");
    let now = start;
    const expiry = (s: number) => new Date(start + s * 1000).toISOString();
    plan([
      { out: credential({ token: "good", expirationTimestamp: expiry(60) }) },
      { out: credential({ token: "second", expirationTimestamp: expiry(120) }) },
    ]);
    goodToken = "good";
    const { client: c } = client({}, { now: () => now });
    await c.list(NAMESPACES);
    now = start + 49_000;
    await c.list(NAMESPACES);
    expect(runs()).toBe(1);
    // Ten seconds before expiry the plugin runs again.
    now = start + 50_000;
    goodToken = "second";
    await c.list(NAMESPACES);
    expect(runs()).toBe(2);
    expect(seen).toEqual(["good", "good", "second"]);
    c.close();
  });

  it("after a 401, runs the plugin again and retries once", async () => {
    plan([{ out: credential({ token: "revoked" }) }, { out: credential({ token: "good" }) }]);
    const { client: c } = client();
    await c.list(NAMESPACES);
    await c.list(NAMESPACES);
    expect(runs()).toBe(2);
    expect(seen).toEqual(["revoked", "good", "good"]);
    c.close();
  });

  it("gives up after that one retry when the server keeps refusing", async () => {
    plan([{ out: credential({ token: "bad" }) }]);
    const { client: c } = client();
    const error = await c.list(NAMESPACES).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeError);
    expect((error as KubeError).status).toBe(401);
    expect(runs()).toBe(2);
    expect(seen).toEqual(["bad", "bad"]);
    c.close();
  });

  it("sends impersonation headers with the plugin's token, and still refreshes it after a 401", async () => {
    plan([{ out: credential({ token: "revoked" }) }, { out: credential({ token: "good" }) }]);
    const { client: c } = client({}, {}, { as: "jane" });
    await c.list(NAMESPACES);
    expect(runs()).toBe(2);
    expect(seen).toEqual(["revoked", "good"]);
    expect(impersonated).toEqual(["jane", "jane"]);
    c.close();
  });

  it("signs in with the client certificate a plugin returns", async () => {
    const pair = await issueClientCertificate(clientCa, "exec-user");
    plan([
      { out: credential({ clientCertificateData: pair.certPem, clientKeyData: pair.keyPem }) },
    ]);
    const { client: c } = client();
    await c.list(NAMESPACES);
    await c.list(NAMESPACES);
    expect(seen).toEqual(["cert:exec-user", "cert:exec-user"]);
    expect(runs()).toBe(1);
    c.close();
  });

  it("tells the plugin about the cluster, passes args and env as given, without a shell", async () => {
    plan([{ out: credential({ token: "good" }, "client.authentication.k8s.io/v1beta1") }]);
    const trap = join(dir, "pwned");
    const { client: c } = client({
      apiVersion: "client.authentication.k8s.io/v1beta1",
      interactiveMode: undefined,
      args: [join(dir, "plugin.mjs"), dir, `$(touch ${trap})`, "two words"],
      env: [{ name: "PLUGIN_ENV", value: "from kubeconfig" }],
      provideClusterInfo: true,
    });
    await c.list(NAMESPACES);
    const { info, args, env } = seenBy(0);
    expect(args).toEqual([`$(touch ${trap})`, "two words"]);
    expect(existsSync(trap)).toBe(false);
    expect(env).toBe("from kubeconfig");
    expect(info).toEqual({
      apiVersion: "client.authentication.k8s.io/v1beta1",
      kind: "ExecCredential",
      spec: {
        interactive: false,
        cluster: {
          server: `https://127.0.0.1:${port}`,
          "tls-server-name": "localhost",
          "certificate-authority-data": Buffer.from(pki.caPem).toString("base64"),
          config: { audience: "customs" },
        },
      },
    });
    c.close();
  });

  it("tells it nothing of the cluster without provideClusterInfo, nor Customs' secrets", async () => {
    plan([{ out: credential({ token: "good" }) }]);
    const { client: c } = client({}, { env: { ...process.env, CUSTOMS_AGENT_TOKEN: "cst_x" } });
    await c.list(NAMESPACES);
    expect(seenBy(0).info.spec).toEqual({ interactive: false });
    expect(seenBy(0).agentToken).toBeUndefined();
    c.close();
  });

  it("passes its standard error through, and keeps the token out of errors", async () => {
    plan([{ out: credential({ token: "s3cret-token" }), exit: 1, stderr: "plugin says hello\n" }]);
    const { client: c, stderr } = client();
    const error = (await c.list(NAMESPACES).catch((e: unknown) => e)) as Error;
    expect(isCustomsError(error) && error.code).toBe("KUBE_EXEC_FAILED");
    expect(error.message).toContain("exited with code 1");
    expect(error.message).toContain('user "plugin" in');
    expect(error.message).not.toContain("s3cret-token");
    expect(stderr()).toBe("plugin says hello\n");
    expect(seen).toEqual([]);
    c.close();
  });
});

describe("exec plugin failures", () => {
  const plugin = (o: Partial<ExecPlugin> = {}): ExecPlugin => ({
    command: process.execPath,
    args: [join(dir, "plugin.mjs"), dir],
    env: [],
    apiVersion: V1,
    installHint: undefined,
    cluster: undefined,
    where: 'user "u" in /k',
    ...o,
  });
  const quiet = new PassThrough().resume();

  it.each<[string, PlanStep, string]>([
    ["output that is not JSON", { out: "token: s3cret" }, "not an ExecCredential in JSON"],
    ["another kind", { out: { apiVersion: V1, kind: "Secret" } }, 'kind "Secret"'],
    [
      "another API version",
      { out: credential({ token: "s3cret" }, "client.authentication.k8s.io/v1beta1") },
      "the plugin returned",
    ],
    ["no status", { out: { apiVersion: V1, kind: "ExecCredential" } }, "no status field"],
    ["an empty status", { out: credential({}) }, "neither a token nor a client certificate"],
    [
      "a certificate without its key",
      { out: credential({ clientCertificateData: "x" }) },
      "not both",
    ],
    [
      "a certificate that is not PEM",
      { out: credential({ clientCertificateData: "x", clientKeyData: "y" }) },
      "not a PEM certificate",
    ],
    [
      "an expiry that is not a time",
      { out: credential({ token: "s3cret", expirationTimestamp: "soon" }) },
      "is not a time",
    ],
    ["a non-zero exit", { out: "", exit: 3 }, "exited with code 3"],
  ])("%s", async (_name, step, message) => {
    plan([step]);
    const error = (await runExecPlugin(plugin(), { stderr: quiet }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(isCustomsError(error) && error.code).toBe("KUBE_EXEC_FAILED");
    expect(error.message).toContain(message);
    expect(error.message).not.toContain("s3cret");
  });

  it("kills a plugin that does not finish in time", async () => {
    plan([{ out: credential({ token: "late" }), hangMs: 60_000 }]);
    const error = (await runExecPlugin(plugin(), { stderr: quiet, timeoutMs: 300 }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(error.message).toContain("did not finish within 300 ms");
  });

  it("names a missing executable and shows the kubeconfig's install hint", async () => {
    const error = (await runExecPlugin(
      plugin({
        command: join(dir, "aws-iam-authenticator"),
        installHint: "Install it: brew install aws-iam-authenticator",
      }),
      { stderr: quiet },
    ).catch((e: unknown) => e)) as Error;
    expect(isCustomsError(error) && error.code).toBe("KUBE_EXEC_FAILED");
    expect(error.message).toContain("executable not found");
    expect(error.message).toContain("brew install aws-iam-authenticator");
  });
});

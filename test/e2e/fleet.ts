/**
 * The fleet's processes for end-to-end tests, as a platform team runs them: the control plane
 * (`customs serve control-plane`, SQLite in a temporary folder, HTTPS with a certificate from a
 * CA made for the test, the first admin token written to a file) and a cluster's agent
 * (`customs agent`) against a real API server from test/e2e/cluster.ts, registered there as
 * the validating admission webhook. Both are spawned from the build (bin/customs, dist/).
 *
 *   const cp = await startControlPlane();
 *   const { agentToken } = (await cp.api("POST", "/api/v1/organizations/default/clusters", …)).json;
 *   const agent = await startAgent({ controlPlane: cp, token: agentToken, cluster });
 *   await agent.registerWebhook();
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createCertificateAuthority,
  issueServerCertificate,
} from "../../src/adapters/pki/index.js";
import { ROOT } from "../support/cli.js";
import { type Cluster, eventually, localWebhookConfiguration } from "./cluster.js";

export interface ApiReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers are read field by field in tests.
  readonly json: any;
}

/** One HTTPS request; `ca` is the only CA trusted. Never throws for a status. */
export function httpsJson(
  url: string,
  ca: string,
  method: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiReply> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca,
        agent: false,
        timeout: 30_000,
        headers: {
          ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
          ...(payload === undefined ? {} : { "content-type": "application/json" }),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on("error", reject);
    req.end(payload);
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (address === null || typeof address === "string") throw new Error("no free port");
  return address.port;
}

/** A spawned CLI process whose output is kept (the last 200 kB) for failure messages. */
interface Spawned {
  readonly child: ChildProcess;
  output(): string;
  exited(): boolean;
  stop(): Promise<void>;
}

function spawnCustoms(args: readonly string[]): Spawned {
  const child = spawn(process.execPath, [join(ROOT, "bin/customs"), ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  let output = "";
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-200_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  child.once("exit", () => {
    exited = true;
  });
  return {
    child,
    output: () => output,
    exited: () => exited,
    stop: async () => {
      if (exited) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

export interface ControlPlane {
  /** https://127.0.0.1:<port> */
  readonly url: string;
  readonly caPem: string;
  readonly caFile: string;
  /** The server's own certificate, for pinning it in a browser. */
  readonly certPem: string;
  readonly adminToken: string;
  /** A request to the API as the admin (or with `token`). */
  api(
    method: string,
    path: string,
    body?: unknown,
    options?: { token?: string; headers?: Record<string, string> },
  ): Promise<ApiReply>;
  output(): string;
  stop(): Promise<void>;
}

export async function startControlPlane(): Promise<ControlPlane> {
  const dir = mkdtempSync(join(tmpdir(), "customs-control-plane-"));
  const ca = await createCertificateAuthority("customs e2e control plane CA");
  const cert = await issueServerCertificate(ca, { dns: ["localhost"], ip: ["127.0.0.1"] });
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text, { mode: 0o600 });
    return join(dir, name);
  };
  const caFile = file("ca.crt", ca.certPem);
  const port = await freePort();
  const url = `https://127.0.0.1:${port}`;
  const tokenFile = join(dir, "admin-token");
  const process = spawnCustoms([
    "serve",
    "control-plane",
    "--listen",
    `127.0.0.1:${port}`,
    "--data-dir",
    join(dir, "data"),
    "--admin-token-file",
    tokenFile,
    "--tls-cert",
    file("tls.crt", cert.certPem),
    "--tls-key",
    file("tls.key", cert.keyPem),
  ]);
  const stop = async () => {
    await process.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const adminToken = await eventually(
      "the control plane answering /api/v1/whoami",
      async () => {
        if (process.exited()) throw new Error(`the control plane exited:\n${process.output()}`);
        if (!existsSync(tokenFile)) return undefined;
        const token = readFileSync(tokenFile, "utf8").trim();
        const reply = await httpsJson(`${url}/api/v1/whoami`, ca.certPem, "GET", { token }).catch(
          () => undefined,
        );
        return reply?.status === 200 ? token : undefined;
      },
      60_000,
    );
    return {
      url,
      caPem: ca.certPem,
      caFile,
      certPem: cert.certPem,
      adminToken,
      api: (method, path, body, options = {}) =>
        httpsJson(`${url}${path}`, ca.certPem, method, {
          token: options.token ?? adminToken,
          body,
          ...(options.headers === undefined ? {} : { headers: options.headers }),
        }),
      output: process.output,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface Agent {
  /** https://127.0.0.1:<port>/validate */
  readonly webhookUrl: string;
  /** Makes the agent the cluster's validating webhook (failurePolicy Fail, not kube-system). */
  registerWebhook(): Promise<void>;
  output(): string;
  stop(): Promise<void>;
}

export async function startAgent(options: {
  controlPlane: ControlPlane;
  token: string;
  cluster: Cluster;
  /** More flags, e.g. the background audit's (`--audit-interval`). */
  extraArgs?: readonly string[];
}): Promise<Agent> {
  const { controlPlane, token, cluster } = options;
  const dir = mkdtempSync(join(tmpdir(), "customs-agent-"));
  writeFileSync(join(dir, "token"), token, { mode: 0o600 });
  const cert = await cluster.issueServingCert("customs-agent", ["127.0.0.1"]);
  const port = await freePort();
  const process = spawnCustoms([
    "agent",
    "--control-plane",
    controlPlane.url,
    "--token-file",
    join(dir, "token"),
    "--ca-file",
    controlPlane.caFile,
    "--kubeconfig",
    cluster.kubeconfig,
    "--listen",
    `127.0.0.1:${port}`,
    "--tls-cert",
    cert.certFile,
    "--tls-key",
    cert.keyFile,
    "--state-dir",
    join(dir, "state"),
    // Short polls: a test that stops the control plane need not wait for a long one.
    "--wait",
    "10",
    ...(options.extraArgs ?? []),
  ]);
  const stop = async () => {
    await process.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  const base = `https://127.0.0.1:${port}`;
  try {
    // Ready means it holds a bundle from the control plane (it fails closed before that).
    await eventually(
      "the agent ready (registered, first bundle applied)",
      async () => {
        if (process.exited()) throw new Error(`the agent exited:\n${process.output()}`);
        const reply = await httpsJson(`${base}/readyz`, cluster.caPem, "GET").catch(
          () => undefined,
        );
        return reply?.status === 200 ? true : undefined;
      },
      60_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  const webhookUrl = `${base}/validate`;
  return {
    webhookUrl,
    registerWebhook: async () => {
      const configuration = localWebhookConfiguration("customs-agent", webhookUrl, cluster.caPem);
      const r = await cluster.kubectl(["apply", "-f", "-"], {
        input: JSON.stringify(configuration),
      });
      if (r.code !== 0) throw new Error(`registering the webhook failed: ${r.stderr}`);
    },
    output: process.output,
    stop,
  };
}

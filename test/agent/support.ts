import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { ControlPlaneClient } from "../../src/adapters/control-plane/client.js";
import type { KubeConnection } from "../../src/adapters/kube/index.js";
import { type RunningAgent, startAgent } from "../../src/app/agent/run.js";
import { createMetrics, type WebhookMetrics } from "../../src/server/metrics.js";
import { startWebhook } from "../../src/server/webhook.js";
import { deployment, review } from "../support/admission.js";
import { policyDoc } from "../support/policies.js";
import { httpsCall, type TestPki } from "../support/tls.js";

export interface TestAgent {
  readonly agent: RunningAgent;
  readonly metrics: WebhookMetrics;
  /** Every log line so far, parsed. */
  logs(): Record<string, unknown>[];
  /** Resolves with a line with this message (and, given `match`, matching it), logged or to come. */
  waitForLog(msg: string, options?: NextLogOptions): Promise<Record<string, unknown>>;
  /**
   * Resolves with the first line with this message (and, given `match`, matching it) logged
   * after this call: an event of the agent's, where an earlier line of the same kind is stale.
   */
  nextLog(msg: string, options?: NextLogOptions): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

export interface NextLogOptions {
  readonly match?: (line: Record<string, unknown>) => boolean;
  readonly timeoutMs?: number;
}

export interface TestAgentOptions {
  readonly url: string;
  readonly token: string;
  readonly ca?: string;
  readonly pki: TestPki;
  readonly stateDir: string;
  readonly kube?: KubeConnection;
  readonly vap?: boolean;
  readonly auditIntervalMs?: number;
  /** The audit's leader election (the CLI sets it from the pod's namespace and name). */
  readonly auditLease?: { readonly namespace: string; readonly identity: string };
  readonly clusterNameCheck?: boolean;
  readonly waitSeconds?: number;
  readonly reportIntervalMs?: number;
}

/** The agent as `customs agent` wires it, in this process, on a random port. */
export async function startTestAgent(o: TestAgentOptions): Promise<TestAgent> {
  const lines: Record<string, unknown>[] = [];
  const waiters: {
    msg: string;
    match: (l: Record<string, unknown>) => boolean;
    resolve: (l: Record<string, unknown>) => void;
  }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const text of chunk.toString("utf8").split("\n")) {
        if (text.trim() === "") continue;
        const line = JSON.parse(text) as Record<string, unknown>;
        lines.push(line);
        for (const w of [...waiters]) {
          if (line.msg === w.msg && w.match(line)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(line);
          }
        }
      }
      done();
    },
  });
  const logger = pino({ level: "debug" }, stream);
  const next = (msg: string, { match = () => true, timeoutMs = 20_000 }: NextLogOptions = {}) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `no log "${msg}" within ${timeoutMs} ms; saw ${lines.map((l) => l.msg).join(" | ")}`,
            ),
          ),
        timeoutMs,
      );
      waiters.push({
        msg,
        match,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
    });
  const metrics = createMetrics();
  const client = new ControlPlaneClient({
    url: o.url,
    token: o.token,
    ...(o.ca === undefined ? {} : { ca: o.ca }),
    userAgent: "customs-agent/test",
  });
  const agent = await startAgent({
    client,
    kube: o.kube,
    inCluster: false,
    startWebhook: (hooks) =>
      startWebhook({
        ...hooks,
        host: "127.0.0.1",
        port: 0,
        tlsCert: o.pki.certFile,
        tlsKey: o.pki.keyFile,
        maxBodyBytes: 6 * 1024 * 1024,
        requestTimeoutMs: 10_000,
        logger,
        metrics,
      }),
    stateDir: o.stateDir,
    vap: o.vap === true,
    auditIntervalMs: o.auditIntervalMs,
    ...(o.auditLease === undefined ? {} : { auditLease: o.auditLease }),
    waitSeconds: o.waitSeconds ?? 30,
    clusterNameCheck: o.clusterNameCheck === true,
    agentVersion: "0.0.0-test",
    logger,
    metrics,
    ...(o.reportIntervalMs === undefined ? {} : { reportIntervalMs: o.reportIntervalMs }),
  });
  return {
    agent,
    metrics,
    logs: () => lines,
    waitForLog(msg, options = {}) {
      const seen = lines.find((l) => l.msg === msg && (options.match?.(l) ?? true));
      if (seen !== undefined) return Promise.resolve(seen);
      return next(msg, options);
    },
    nextLog: next,
    stop: () => agent.stop(1_000),
  };
}

/** Asks the agent's webhook about a Deployment of these images. */
export async function admit(
  agent: TestAgent,
  pki: TestPki,
  images: string[],
  namespace = "default",
): Promise<{ status: number; allowed?: boolean; message?: string }> {
  const body = review(deployment("app", images), { namespace });
  const r = await httpsCall(agent.agent.port, pki.caPem, "POST", "/validate", JSON.stringify(body));
  if (r.status !== 200) return { status: r.status };
  const response = (r.json() as { response: { allowed: boolean; status?: { message?: string } } })
    .response;
  return {
    status: r.status,
    allowed: response.allowed,
    ...(response.status?.message ? { message: response.status.message } : {}),
  };
}

export async function readyz(agent: TestAgent, pki: TestPki): Promise<number> {
  return (await httpsCall(agent.agent.port, pki.caPem, "GET", "/readyz")).status;
}

export function tempDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "customs-agent-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A port nothing listens on now: bound, then released. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** An organization-wide policy allowing only images from these hosts. */
export function corpOnly(hostnames = ["registry.corp.example"]): Record<string, unknown> {
  return policyDoc("corp-only", {
    recipe: "custom",
    input: { rules: hostnames.map((hostname) => ({ hostname })) },
  });
}

/** A real control plane (SQLite in a temp folder, HTTPS) in this process, for agent tests. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  ControlPlaneClient,
  type ControlPlaneResponse,
} from "../../src/adapters/control-plane/client.js";
import { openStore } from "../../src/adapters/store/index.js";
import { bootstrap } from "../../src/app/fleet/bootstrap.js";
import type { FleetStore } from "../../src/core/fleet/store.js";
import {
  type ControlPlaneServer,
  startControlPlane,
} from "../../src/server/control-plane/server.js";
import { eventually } from "../e2e/cluster.js";
import { type TestPki, testPki } from "../support/tls.js";

export interface TestControlPlane {
  readonly url: string;
  readonly caPem: string;
  readonly store: FleetStore;
  /** Calls the API as the admin (the bootstrap token). */
  api(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<ControlPlaneResponse>;
  /** Stops listening (the database stays); `restart` listens again on the same port. */
  stop(): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestControlPlane(dir: string): Promise<TestControlPlane> {
  const store = await openStore(`sqlite:${join(dir, "control-plane.db")}`);
  const admin = await bootstrap(store);
  if (admin === undefined) throw new Error("bootstrap made no token");
  const pki: TestPki = await testPki();
  const listen = (port: number) =>
    startControlPlane({
      store,
      host: "127.0.0.1",
      port,
      tls: { cert: readFileSync(pki.certFile), key: readFileSync(pki.keyFile) },
      pollMs: 200,
    });
  let server: ControlPlaneServer | undefined = await listen(0);
  const port = server.port;
  const client = new ControlPlaneClient({
    url: server.url,
    token: admin,
    ca: pki.caPem,
    userAgent: "test",
  });
  return {
    url: server.url,
    caPem: pki.caPem,
    store,
    api: (method, path, body, headers) =>
      client.call(method, path, {
        ...(body === undefined ? {} : { body }),
        ...(headers === undefined ? {} : { headers }),
        timeoutMs: 10_000,
      }),
    async stop() {
      await server?.close(500);
      server = undefined;
    },
    async restart() {
      server ??= await listen(port);
    },
    async close() {
      await server?.close(500);
      client.close();
      await store.close();
      pki.cleanup();
    },
  };
}

/** Violation records of `default` matching the query (e.g. `cluster=c1&namespace=x`). */
export async function violations(
  cp: TestControlPlane,
  query: string,
): Promise<Record<string, unknown>[]> {
  const r = await cp.api("GET", `/api/v1/organizations/default/insights/violations?${query}`);
  return (r.body as { items: Record<string, unknown>[] }).items;
}

/** Waits until records matching the query (and `keep`) exist; returns those. */
export function eventuallyViolations(
  cp: TestControlPlane,
  query: string,
  keep: (r: Record<string, unknown>) => boolean = () => true,
): Promise<Record<string, unknown>[]> {
  return eventually(`violations ${query}`, async () => {
    const items = (await violations(cp, query)).filter(keep);
    return items.length > 0 ? items : undefined;
  });
}

/** Creates a cluster in `default`; returns its agent token. */
export async function createCluster(cp: TestControlPlane, name: string): Promise<string> {
  const r = await cp.api("POST", "/api/v1/organizations/default/clusters", {
    metadata: { name },
    spec: {},
  });
  if (r.status !== 201 && r.status !== 200)
    throw new Error(`create cluster: ${r.status} ${JSON.stringify(r.body)}`);
  return (r.body as { agentToken: string }).agentToken;
}

export async function putPolicy(cp: TestControlPlane, doc: Record<string, unknown>): Promise<void> {
  const name = (doc.metadata as { name: string }).name;
  const path = `/api/v1/organizations/default/policies/${name}`;
  const existing = await cp.api("GET", path);
  const r =
    existing.status === 404
      ? await cp.api("POST", "/api/v1/organizations/default/policies", doc)
      : await cp.api("PUT", path, doc, { "if-match": String(existing.headers.etag) });
  if (r.status >= 300) throw new Error(`policy ${name}: ${r.status} ${JSON.stringify(r.body)}`);
}

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request as plainRequest } from "node:http";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { openSqliteHandle, openStore } from "../../src/adapters/store/index.js";
import { bootstrap } from "../../src/app/fleet/bootstrap.js";
import { servingFiles } from "../../src/app/fleet/tls-files.js";
import type { FleetStore } from "../../src/core/fleet/store.js";
import {
  type ControlPlaneServer,
  startControlPlane,
} from "../../src/server/control-plane/server.js";
import { type PostgresServer, startPostgres } from "../support/postgres.js";
import { within } from "../support/wait.js";

export interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field in the tests
  body: any;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface Api {
  readonly base: string;
  readonly server: ControlPlaneServer;
  call(method: string, path: string, options?: CallOptions): Promise<Answer>;
}

export const DIALECTS = ["sqlite", "postgres"] as const;

export interface TestControlPlane extends Api {
  readonly dir: string;
  /** Runs SQL on the control plane's database behind its back. */
  raw(sql: string): Promise<Record<string, unknown>[]>;
  /** Stops the PostgreSQL server under the control plane (an outage). */
  stopDatabase(): Promise<void>;
  readonly store: FleetStore;
  readonly databaseUrl: string;
  readonly admin: string;
  /** Another replica on the same database (its own store connection and server). */
  replica(): Promise<Api & { close(): Promise<void> }>;
  close(): Promise<void>;
}

/** One request trusting `ca`; the path is sent as is (no URL normalization, for traversal tests). */
export function httpsCall(
  base: string,
  ca: Buffer,
  method: string,
  path: string,
  o: CallOptions = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
  const text = o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
  if (text !== undefined) headers["content-type"] ??= "application/json";
  const url = new URL(base);
  const send = url.protocol === "https:" ? request : plainRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers,
        ca,
        agent: false,
        ...(o.signal === undefined ? {} : { signal: o.signal }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const body = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown = body;
          try {
            parsed = body === "" ? undefined : JSON.parse(body);
          } catch {
            parsed = body;
          }
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) {
            if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(", ") : v);
          }
          resolve({ status: res.statusCode ?? 0, headers: h, body: parsed });
        });
      },
    );
    req.on("error", reject);
    req.end(text);
  });
}

/** What a test may set on the control plane it starts. */
export interface ServeOptions {
  readonly consoleDir?: string;
  readonly now?: () => Date;
  readonly trustedProxies?: readonly string[];
  readonly metricsToken?: string;
}

async function serve(store: FleetStore, dir: string, o: ServeOptions = {}) {
  const tls = await servingFiles(dir, {});
  const server = await startControlPlane({
    store,
    host: "127.0.0.1",
    port: 0,
    tls: { cert: tls.cert, key: tls.key },
    pollMs: 200,
    ...o,
  });
  const ca = readFileSync(tls.caPath ?? "");
  const call = (method: string, path: string, o: CallOptions = {}) =>
    httpsCall(server.url, ca, method, path, o);
  return {
    base: server.url,
    server,
    call,
    close: async () => {
      await server.close(1000);
    },
  };
}

/**
 * A real control plane over HTTPS on 127.0.0.1 with a real store: SQLite in a temp folder,
 * or a throwaway PostgreSQL server.
 */
export async function startTestControlPlane(
  options: { dialect?: (typeof DIALECTS)[number] } & ServeOptions = {},
): Promise<TestControlPlane> {
  const dir = mkdtempSync(join(tmpdir(), "customs-cp-"));
  let postgres: PostgresServer | undefined;
  if (options.dialect === "postgres") postgres = await startPostgres();
  const databaseUrl =
    postgres === undefined ? `sqlite:${join(dir, "cp.db")}` : await postgres.freshDatabase();
  const store = await openStore(databaseUrl);
  const admin = (await bootstrap(store)) ?? "";
  const { dialect: _, ...serveOptions } = options;
  const first = await serve(store, dir, serveOptions);
  const others: (() => Promise<void>)[] = [];
  return {
    ...first,
    dir,
    store,
    databaseUrl,
    admin,
    async stopDatabase() {
      await postgres?.stop();
      postgres = undefined;
    },
    async raw(sql) {
      if (postgres === undefined) {
        const db = openSqliteHandle(join(dir, "cp.db"), { readonly: true });
        try {
          return db.prepare(sql).all([]) as Record<string, unknown>[];
        } finally {
          db.close();
        }
      }
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        return (await client.query(sql)).rows;
      } finally {
        await client.end();
      }
    },
    async replica() {
      const s = await openStore(databaseUrl);
      const r = await serve(s, dir);
      const close = async () => {
        await r.close();
        await s.close();
      };
      others.push(close);
      return { ...r, close };
    },
    async close() {
      for (const c of others) await c().catch(() => {});
      await first.close();
      await store.close();
      await postgres?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Resolves once the number of long polls `on` holds satisfies `test`: the moment a poll is
 * known to be waiting (or released), told by the delivery hub, not guessed by a pause.
 */
export function heldPolls(on: Api, test: (held: number) => boolean, what: string): Promise<void> {
  const { hub } = on.server;
  if (test(hub.waiting())) return Promise.resolve();
  let stop = () => {};
  const reached = new Promise<void>((resolve) => {
    stop = hub.watchWaiting((held) => {
      if (test(held)) resolve();
    });
  });
  return within(reached, what).finally(stop);
}

export const policy = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: "customs.dev/v1alpha1",
  kind: "ImagePolicy",
  metadata: { name },
  spec,
});

/** An ImagePolicyException document: images ["*"], a reason, an owner, a far expiry. */
export const exception = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: "customs.dev/v1alpha1",
  kind: "ImagePolicyException",
  metadata: { name },
  spec: { images: ["*"], reason: "r", owner: "o", expires: "2999-01-01", ...spec },
});

export const named = (name: string, description?: string) => ({
  metadata: { name },
  spec: description === undefined ? {} : { description },
});

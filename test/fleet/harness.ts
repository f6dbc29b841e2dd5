import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll } from "vitest";
import { openSqliteHandle, openStore } from "../../src/adapters/store/index.js";
import type { Actor, FleetStore, TokenRow } from "../../src/core/fleet/store.js";
import { type PostgresServer, startPostgres } from "../support/postgres.js";

export const DIALECTS = ["sqlite", "postgres"] as const;
export type DialectName = (typeof DIALECTS)[number];

export const ADMIN: Actor = { token: "root", role: "admin" };
export const ALICE: Actor = { token: "alice", role: "organization-admin" };

/** A clock that moves one second per reading, so every timestamp differs and is known. */
export function steppingClock(start = Date.UTC(2026, 0, 1)): () => Date {
  let t = start;
  return () => {
    const now = new Date(t);
    t += 1000;
    return now;
  };
}

export interface Harness {
  /** A new empty database and a store on it. */
  fresh(): Promise<{ store: FleetStore; url: string }>;
  /** Runs SQL on a database directly, behind the store's back. */
  raw(url: string, statement: string): Promise<unknown[]>;
}

/**
 * Each test gets its own database: a file in a temporary folder (SQLite) or `t_<n>` on one
 * PostgreSQL server started for the whole file. Every store opened is closed afterwards.
 */
export function useHarness(dialect: DialectName): Harness {
  let server: PostgresServer | undefined;
  let dir = "";
  let files = 0;
  const stores: FleetStore[] = [];
  beforeAll(async () => {
    if (dialect === "postgres") server = await startPostgres();
    else dir = mkdtempSync(join(tmpdir(), "customs-store-"));
  });
  afterAll(async () => {
    for (const store of stores) await store.close().catch(() => {});
    await server?.stop();
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });
  return {
    async fresh() {
      files += 1;
      const url =
        dialect === "postgres"
          ? await (server as PostgresServer).freshDatabase()
          : `sqlite:${join(dir, `t_${files}.db`)}`;
      const store = await openStore(url, { now: steppingClock() });
      stores.push(store);
      return { store, url };
    },
    async raw(url, statement) {
      if (dialect === "sqlite") {
        const db = openSqliteHandle(url.slice("sqlite:".length));
        try {
          const stmt = db.prepare(statement);
          if (stmt.reader) return stmt.all([]);
          stmt.run([]);
          return [];
        } finally {
          db.close();
        }
      }
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query(statement)).rows;
      } finally {
        await client.end();
      }
    },
  };
}

/** Collects the CustomsError code a promise rejects with (or "resolved"). */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "resolved";
  } catch (error) {
    return String((error as { code?: unknown }).code ?? error);
  }
}

/** An ImagePolicy document (its contents do not matter to the store). */
export function policyDocument(
  name: string,
  spec: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    apiVersion: "customs.dev/v1alpha1",
    kind: "ImagePolicy",
    metadata: { name },
    spec: { rules: [{ action: "deny", images: ["docker.io/*"] }], ...spec },
  };
}

export const FIRST_PAGE = { limit: 100, after: undefined };

export function token(
  id: string,
  organization: string | undefined,
  extra: Record<string, unknown> = {},
) {
  return {
    id,
    organization,
    name: "deploy",
    role: "viewer" as const,
    workspaces: [],
    cluster: undefined,
    secretHash: `hash-of-${id}`,
    createdAt: "2026-01-01T00:00:00.000Z",
    createdBy: "alice",
    revokedAt: undefined,
    ...extra,
  } as TokenRow;
}

export function violation(organization: string, extra: Record<string, unknown> = {}) {
  return {
    organization,
    cluster: "prod",
    time: "2026-01-01T00:00:00Z",
    source: "admission" as const,
    namespace: "web",
    kind: "Pod",
    name: "web-1",
    container: "app",
    image: "nginx:latest",
    policy: "p",
    action: "deny" as const,
    code: "LATEST_TAG_BLOCKED",
    message: "no latest",
    ...extra,
  };
}

/** An organization `acme` (or `org`) with workspaces payments, search and clusters prod, dev. */
export async function withOrg(store: FleetStore, org = "acme") {
  await store.createOrganization(ADMIN, org, { description: "Acme" });
  await store.createWorkspace(ALICE, org, "payments", {});
  await store.createWorkspace(ALICE, org, "search", {});
  await store.createCluster(ALICE, org, "prod", {});
  await store.createCluster(ALICE, org, "dev", {});
}

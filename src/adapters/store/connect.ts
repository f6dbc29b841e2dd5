import { chmodSync, closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  PostgresDialect,
  type SqliteDatabase,
  SqliteDialect,
  SqliteDriver,
} from "kysely";
import pg from "pg";
import type { Database } from "./schema.js";
import { openSqliteHandle } from "./sqlite-handle.js";
import type { StoreLocation } from "./url.js";

export interface ConnectOptions {
  /** PostgreSQL pool size (connections per replica). */
  readonly poolSize?: number;
}

/**
 * SQLite's plain `begin` takes the write lock only at the first write, and a reader that
 * then wants to write fails at once with SQLITE_BUSY when another process holds it (the busy
 * timeout does not apply to that upgrade). `begin immediate` takes it up front, so a second
 * process on the same file waits up to busy_timeout instead.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #database: SqliteDatabase;
  constructor(database: SqliteDatabase) {
    super({ database });
    this.#database = database;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver({ database: this.#database });
  }
}

/**
 * The database holds token hashes and the audit log: owner only, whatever the umask and
 * whatever folder it is in. The main file is created 0600 before SQLite opens it; SQLite
 * gives the -wal and -shm files it creates the main file's mode. Files made by an older
 * version (0644 under the usual umask) are tightened too.
 */
function restrictToOwner(path: string): void {
  closeSync(openSync(path, "a", 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      chmodSync(file, 0o600);
    } catch (e) {
      // Not there (yet), or another user's file we may still open: not ours to change.
      const code = (e as { code?: string }).code;
      if (code !== "ENOENT" && code !== "EPERM") throw e;
    }
  }
}

const WAL_SWITCH_BUDGET_MS = 15_000;

/**
 * Two replicas starting at once on one file both switch it to WAL. While one of them holds
 * the exclusive lock for the switch (or runs WAL recovery), SQLite can answer the other
 * SQLITE_BUSY without consulting the busy handler, so the switch is retried here for a
 * bounded time. This runs once at start-up, before the server listens: blocking is fine.
 */
function switchToWal(database: { exec(sql: string): void }): void {
  const deadline = Date.now() + WAL_SWITCH_BUDGET_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let wait = 10; ; wait = Math.min(wait * 2, 250)) {
    try {
      database.exec("pragma journal_mode = WAL");
      return;
    } catch (error) {
      const code = (error as { code?: string }).code ?? "";
      const busy = code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED");
      if (!busy || Date.now() >= deadline) throw error;
      Atomics.wait(pause, 0, 0, wait);
    }
  }
}

function openSqlite(path: string): Kysely<Database> {
  const memory = path === ":memory:";
  // A folder made here holds token hashes and the audit log: owner only.
  if (!memory) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    restrictToOwner(path);
  }
  const database = openSqliteHandle(path);
  // The busy timeout first: every later statement, the journal-mode switch included, then
  // waits for another process's lock instead of failing at once.
  database.exec("pragma busy_timeout = 5000");
  // WAL: readers never block the writer; NORMAL is durable across process crashes in WAL
  // mode (only an OS crash may lose the last transactions).
  if (!memory) switchToWal(database);
  database.exec("pragma foreign_keys = ON");
  database.exec("pragma synchronous = NORMAL");
  return new Kysely<Database>({ dialect: new ImmediateSqliteDialect(database) });
}

function openPostgres(url: string, options: ConnectOptions): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 10_000,
  });
  // An idle client losing its server emits 'error' on the pool; without a listener that
  // would crash the process. The next query gets a fresh client (or STORE_UNAVAILABLE).
  pool.on("error", () => {});
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

export function connect(location: StoreLocation, options: ConnectOptions): Kysely<Database> {
  return location.dialect === "sqlite"
    ? openSqlite(location.path)
    : openPostgres(location.url, options);
}

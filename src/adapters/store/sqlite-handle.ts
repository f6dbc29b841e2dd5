import { createRequire } from "node:module";
import type { SqliteDatabase, SqliteStatement } from "kysely";
import { CustomsError } from "../../core/errors.js";

/**
 * One synchronous SQLite connection, in the shape Kysely's SqliteDialect drives, from one of
 * two drivers:
 *
 * - Node 24 and later: the built-in `node:sqlite`. better-sqlite3 12 (the last release that
 *   still runs on Node 20) aborts the process on Node 24 when a statement is garbage-collected
 *   at teardown (`RemoveEnvironmentCleanupHook: (env) != nullptr`), so it is never loaded there.
 * - Node 20 (no `node:sqlite`) up to 23: better-sqlite3, compiled from source by `npm ci`.
 *
 * Both speak the same SQL to the same file format; errors are given better-sqlite3's `code`
 * names (SQLITE_CONSTRAINT_UNIQUE, SQLITE_BUSY, …) so failures.ts maps them once.
 */
export interface SqliteHandle extends SqliteDatabase {
  readonly driver: "node:sqlite" | "better-sqlite3";
  exec(sql: string): void;
}

interface NodeStatement {
  columns(): unknown[];
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  iterate(...params: unknown[]): IterableIterator<unknown>;
}

interface NodeDatabase {
  prepare(sql: string): NodeStatement;
  exec(sql: string): void;
  close(): void;
}

type NodeSqlite = { DatabaseSync: new (path: string, options?: object) => NodeDatabase };

const require = createRequire(import.meta.url);

function builtinSqlite(): NodeSqlite | undefined {
  const major = Number(process.versions.node.split(".")[0]);
  if (major < 24) return undefined;
  return require("node:sqlite") as NodeSqlite;
}

// Primary and extended result codes (https://sqlite.org/rescode.html) that failures.ts tells
// apart; node:sqlite reports them as numbers in `errcode`.
const EXTENDED: Readonly<Record<number, string>> = {
  1555: "SQLITE_CONSTRAINT_PRIMARYKEY",
  2067: "SQLITE_CONSTRAINT_UNIQUE",
  787: "SQLITE_CONSTRAINT_FOREIGNKEY",
};
const PRIMARY: Readonly<Record<number, string>> = {
  5: "SQLITE_BUSY",
  6: "SQLITE_LOCKED",
  8: "SQLITE_READONLY",
  10: "SQLITE_IOERR",
  13: "SQLITE_FULL",
  14: "SQLITE_CANTOPEN",
  19: "SQLITE_CONSTRAINT",
};

/** Gives a node:sqlite error the code name better-sqlite3 would have used. */
function withCodeName<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    const error = e as { code?: unknown; errcode?: unknown };
    if (error?.code === "ERR_SQLITE_ERROR" && typeof error.errcode === "number") {
      const name = EXTENDED[error.errcode] ?? PRIMARY[error.errcode & 0xff];
      if (name !== undefined) error.code = name;
    }
    throw e;
  }
}

function fromNodeSqlite(db: NodeDatabase): SqliteHandle {
  return {
    driver: "node:sqlite",
    exec: (sql) => withCodeName(() => db.exec(sql)),
    close: () => db.close(),
    prepare(sql): SqliteStatement {
      const statement = withCodeName(() => db.prepare(sql));
      return {
        reader: statement.columns().length > 0,
        all: (params) => withCodeName(() => statement.all(...params)),
        run: (params) => withCodeName(() => statement.run(...params)),
        iterate: (params) => withCodeName(() => statement.iterate(...params)),
      };
    },
  };
}

interface BetterSqlite {
  prepare(sql: string): SqliteStatement & {
    all(...p: unknown[]): unknown[];
    run(...p: unknown[]): { changes: number; lastInsertRowid: number | bigint };
    iterate(...p: unknown[]): IterableIterator<unknown>;
  };
  exec(sql: string): void;
  close(): void;
}

function fromBetterSqlite(path: string, readonly: boolean): SqliteHandle {
  // Loaded only here: on Node 24 the native module is never touched. It is an optional
  // dependency (compiled at install), so a machine without a compiler still installs.
  let Database: new (p: string, o?: object) => BetterSqlite;
  try {
    Database = require("better-sqlite3");
  } catch (e) {
    throw new CustomsError(
      "STORE_UNAVAILABLE",
      `SQLite on Node ${process.versions.node} needs the better-sqlite3 module, which did not load (${(e as Error).message.split("\n")[0]}); reinstall with a C++ compiler, use Node 24, or use PostgreSQL`,
    );
  }
  const db = new Database(path, { readonly });
  return {
    driver: "better-sqlite3",
    exec: (sql) => db.exec(sql),
    close: () => db.close(),
    prepare(sql): SqliteStatement {
      const statement = db.prepare(sql);
      return {
        reader: statement.reader,
        all: (params) => statement.all(...params),
        run: (params) => statement.run(...params),
        iterate: (params) => statement.iterate(...params),
      };
    },
  };
}

/** Opens (creating it when missing, unless read-only) the SQLite database file at `path`. */
export function openSqliteHandle(path: string, options: { readonly?: boolean } = {}): SqliteHandle {
  const readonly = options.readonly === true;
  const builtin = builtinSqlite();
  if (builtin === undefined) return fromBetterSqlite(path, readonly);
  return fromNodeSqlite(new builtin.DatabaseSync(path, { readOnly: readonly }));
}

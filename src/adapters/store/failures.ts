import { CustomsError } from "../../core/errors.js";

/** What the failing statement was about, for the message of a mapped error. */
export interface Subject {
  readonly kind: string;
  readonly name: string;
}

// SQLite's extended result codes (better-sqlite3 puts them in `code`) and PostgreSQL's
// SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html).
const UNIQUE = new Set(["SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY", "23505"]);
const MISSING_PARENT = new Set(["SQLITE_CONSTRAINT_FOREIGNKEY", "23503"]);
const RACE = new Set(["40001", "40P01"]);
const NETWORK = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "EPIPE",
]);

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

function isUnavailable(error: unknown, code: string | undefined): boolean {
  if (code === undefined) {
    // pg reports a dropped connection or a pool timeout without a code.
    const message = error instanceof Error ? error.message : "";
    return /connection|timeout exceeded|terminat/i.test(message);
  }
  if (NETWORK.has(code)) return true;
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) return true;
  if (code.startsWith("SQLITE_CANTOPEN") || code.startsWith("SQLITE_IOERR")) return true;
  if (code === "SQLITE_FULL" || code.startsWith("SQLITE_READONLY")) return true;
  // 08: connection exception, 57P: operator intervention, 53: insufficient resources,
  // 28: invalid authorization, 3D000: no such database.
  return /^(08|57P|53|28)/.test(code) || code === "3D000";
}

/**
 * Turns a driver error into the store's closed set of codes. A CustomsError passes through;
 * an error that is none of the known kinds is a bug and is rethrown as it is.
 */
export function toStoreError(error: unknown, subject?: Subject): Error {
  if (error instanceof CustomsError) return error;
  const code = codeOf(error);
  const what = subject === undefined ? "object" : `${subject.kind} "${subject.name}"`;
  if (code !== undefined && UNIQUE.has(code)) {
    return new CustomsError("STORE_ALREADY_EXISTS", `${what} already exists`);
  }
  if (code !== undefined && MISSING_PARENT.has(code)) {
    return new CustomsError("STORE_NOT_FOUND", `${what}: what it belongs to does not exist`);
  }
  if (code !== undefined && RACE.has(code)) {
    return new CustomsError("STORE_CONFLICT", `${what} was changed concurrently; try again`);
  }
  if (isUnavailable(error, code)) {
    const detail = error instanceof Error ? error.message : String(error);
    return new CustomsError("STORE_UNAVAILABLE", `the database is unavailable: ${detail}`);
  }
  return error instanceof Error ? error : new Error(String(error));
}

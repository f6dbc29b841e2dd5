import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { pause } from "./wait.js";

/** A throwaway PostgreSQL server on 127.0.0.1 (password authentication over TCP). */
export interface PostgresServer {
  /** The maintenance database's URL (user `customs`, with a password). */
  readonly url: string;
  /** A new, empty database on this server; its URL. */
  freshDatabase(): Promise<string>;
  stop(): Promise<void>;
}

const INSTALL_HINT = "PostgreSQL is not installed: run `bash scripts/postgres/install.sh`";

/** The newest /usr/lib/postgresql/<major>/bin that has initdb and postgres. */
export function postgresBinDir(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const major of majors) {
    const bin = join(root, major, "bin");
    if (existsSync(join(bin, "initdb")) && existsSync(join(bin, "postgres"))) return bin;
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** PostgreSQL refuses to run as root: as root, its programs run as the `postgres` user. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
  if (uid.status !== 0) throw new Error("running as root, but there is no `postgres` user");
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function asPostgres(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0
    ? ["runuser", ["-u", "postgres", "--", command, ...args]]
    : [command, args];
}

async function waitUntilReady(url: string, child: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(
        `postgres exited (${child.exitCode}): ${readFileSync(log, "utf8").slice(-2000)}`,
      );
    }
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => {});
      if (Date.now() > deadline) throw error;
      await pause(100);
    }
  }
}

/**
 * initdb into a fresh temporary folder, start `postgres` on a free port of 127.0.0.1 with
 * fsync off (throwaway data), and hand out databases. Fails, never skips, when PostgreSQL is
 * missing: CI installs it with scripts/postgres/install.sh.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (bin === undefined) throw new Error(INSTALL_HINT);
  const dir = mkdtempSync(join(tmpdir(), "customs-pg-"));
  const data = join(dir, "data");
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  writeFileSync(join(dir, "pwfile"), `${password}\n`);
  const owner = postgresUser();
  if (owner !== undefined) {
    chownSync(dir, owner.uid, owner.gid);
    chownSync(join(dir, "pwfile"), owner.uid, owner.gid);
  }
  const [initdb, initArgs] = asPostgres(join(bin, "initdb"), [
    "-D",
    data,
    "-U",
    "customs",
    `--pwfile=${join(dir, "pwfile")}`,
    "--auth-host=scram-sha-256",
    "--auth-local=trust",
    "--encoding=UTF8",
    "--no-locale",
    "--no-sync",
  ]);
  const init = spawnSync(initdb, initArgs, { encoding: "utf8" });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${init.stderr}`);
  }
  const port = await freePort();
  const log = join(dir, "postgres.log");
  writeFileSync(log, "");
  // Spawned directly with the postgres user's uid (not through runuser, which does not pass
  // the stop signal on), so stop() signals the server itself.
  const child = spawn(
    join(bin, "postgres"),
    [
      ...["-D", data, "-p", String(port), "-k", dir],
      ...["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off"],
      ...["-c", "synchronous_commit=off", "-c", "max_connections=200"],
    ],
    { stdio: ["ignore", "ignore", "pipe"], ...owner },
  );
  child.stderr?.on("data", (chunk) => writeFileSync(log, chunk, { flag: "a" }));
  const kill = () => child.kill("SIGINT");
  process.once("exit", kill);
  const url = `postgres://customs:${password}@127.0.0.1:${port}/postgres`;
  try {
    await waitUntilReady(url, child, log);
  } catch (error) {
    kill();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  let databases = 0;
  return {
    url,
    async freshDatabase() {
      databases += 1;
      const name = `t_${databases}`;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`create database ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://customs:${password}@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      process.removeListener("exit", kill);
      if (child.exitCode === null) {
        // SIGINT: "fast shutdown", ends sessions and stops without waiting for clients.
        const exited = new Promise((resolve) => child.once("exit", resolve));
        kill();
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

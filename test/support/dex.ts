/**
 * Dex (github.com/dexidp/dex), a real OpenID Provider, for the sign-in tests: built by
 * scripts/dex/build.sh into ~/.cache/customs/bin/dex, started here on 127.0.0.1 with TLS (the
 * test's own certificate), in-memory storage, static users with groups (Dex's password
 * database: `staticPasswords`, which carry `groups`) and one static client.
 *
 *   const dex = await startDex({ certFile, keyFile, users, client });
 *   dex.issuer  // https://127.0.0.1:PORT/dex
 *   await dex.stop();
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import bcrypt from "bcryptjs";
import { pause } from "./wait.js";

export const DEX = join(
  process.env.CUSTOMS_CACHE ?? join(homedir(), ".cache", "customs"),
  "bin",
  "dex",
);

/** Why the Dex suites cannot run here, or undefined when they can. */
export function dexSkipReason(): string | undefined {
  return existsSync(DEX) ? undefined : `${DEX} is missing: run \`bash scripts/dex/build.sh\``;
}

export interface DexUser {
  readonly email: string;
  readonly username: string;
  readonly password: string;
  readonly groups: readonly string[];
}

export interface DexClient {
  readonly id: string;
  readonly secret: string;
  readonly redirectURIs: readonly string[];
}

export interface DexServer {
  readonly issuer: string;
  readonly port: number;
  /** Everything Dex wrote, for a failed test's message. */
  output(): string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
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

function discovery(issuer: string, ca: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      `${issuer}/.well-known/openid-configuration`,
      { ca, agent: false },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("error", () => resolve(0));
    req.end();
  });
}

/** JSON is YAML: Dex reads its configuration file as either. */
export async function startDex(options: {
  certFile: string;
  keyFile: string;
  caPem: string;
  users: readonly DexUser[];
  client: DexClient;
  port?: number;
}): Promise<DexServer> {
  const port = options.port ?? (await freePort());
  const issuer = `https://127.0.0.1:${port}/dex`;
  const dir = mkdtempSync(join(tmpdir(), "customs-dex-"));
  const config = {
    issuer,
    storage: { type: "memory" },
    web: { https: `127.0.0.1:${port}`, tlsCert: options.certFile, tlsKey: options.keyFile },
    logger: { level: "warn" },
    oauth2: { skipApprovalScreen: true, responseTypes: ["code"] },
    enablePasswordDB: true,
    staticPasswords: options.users.map((u, i) => ({
      email: u.email,
      username: u.username,
      userID: `user-${i}`,
      hash: bcrypt.hashSync(u.password, 10),
      groups: u.groups,
    })),
    staticClients: [
      {
        id: options.client.id,
        secret: options.client.secret,
        name: "Customs",
        redirectURIs: options.client.redirectURIs,
      },
    ],
  };
  const file = join(dir, "config.yaml");
  writeFileSync(file, JSON.stringify(config, null, 2));
  let out = "";
  const child: ChildProcess = spawn(DEX, ["serve", file], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`dex exited (${child.exitCode}):\n${out}`);
    if ((await discovery(issuer, options.caPem)) === 200) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`dex did not answer within 30 s:\n${out}`);
    }
    await pause(100);
  }
  return {
    issuer,
    port,
    output: () => out,
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

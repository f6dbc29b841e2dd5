/**
 * The real control plane for the fleet benchmark: `customs serve control-plane` spawned from
 * the build (dist/) with SQLite in a temporary folder (or the database URL given), a serving
 * certificate from a CA made for the run, and the first admin token written to a file. Its memory is read from the
 * probe preloaded into it (bench/fleet-probe.ts).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { createCertificateAuthority, issueServerCertificate } from "../src/adapters/pki/index.js";
import { call, newClient, sleep } from "./fleet-http.js";

const ROOT = resolve(import.meta.dirname, "../../..");

export interface Memory {
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
}

export interface ControlPlane {
  readonly base: string;
  readonly ca: string;
  readonly adminToken: string;
  readonly pid: number;
  memory(): Memory | undefined;
  /** The last lines the server printed. */
  output(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (address === null || typeof address === "string") throw new Error("no free port");
  return address.port;
}

export async function startControlPlane(database?: string): Promise<ControlPlane> {
  const dir = mkdtempSync(join(tmpdir(), "customs-bench-fleet-"));
  const dataDir = join(dir, "data");
  const tokenFile = join(dir, "admin-token");
  const probeFile = join(dir, "memory.json");
  const ca = await createCertificateAuthority("customs bench control plane CA");
  const cert = await issueServerCertificate(ca, { dns: ["localhost"], ip: ["127.0.0.1"] });
  writeFileSync(join(dir, "tls.crt"), cert.certPem);
  writeFileSync(join(dir, "tls.key"), cert.keyPem, { mode: 0o600 });
  const port = await freePort();
  const base = `https://127.0.0.1:${port}`;
  const args = [
    "--import",
    pathToFileURL(join(import.meta.dirname, "fleet-probe.js")).href,
    join(ROOT, "bin/customs"),
    "serve",
    "control-plane",
    "--listen",
    `127.0.0.1:${port}`,
    "--data-dir",
    dataDir,
    "--admin-token-file",
    tokenFile,
    "--tls-cert",
    join(dir, "tls.crt"),
    "--tls-key",
    join(dir, "tls.key"),
    ...(database === undefined ? [] : ["--database", database]),
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    env: { ...process.env, CUSTOMS_BENCH_PROBE: probeFile },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-64_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let exited = false;
  let last: Memory | undefined;
  child.once("exit", () => {
    exited = true;
  });

  const stop = async () => {
    if (!exited) {
      child.kill("SIGTERM");
      for (let i = 0; i < 50 && !exited; i++) await sleep(100);
      if (!exited) child.kill("SIGKILL");
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (exited) throw new Error(`the control plane exited:\n${output}`);
      if (Date.now() > deadline) throw new Error(`the control plane did not start:\n${output}`);
      if (existsSync(tokenFile)) {
        const adminToken = readFileSync(tokenFile, "utf8").trim();
        const client = newClient(base, ca.certPem, adminToken, 1);
        const reply = await call(client, "GET", "/api/v1/whoami").catch(() => undefined);
        client.agent.destroy();
        if (reply?.status === 200) {
          return {
            base,
            ca: ca.certPem,
            adminToken,
            pid: child.pid ?? 0,
            memory: () => {
              try {
                last = JSON.parse(readFileSync(probeFile, "utf8")) as Memory;
              } catch {
                // Not written yet: the last sample stands.
              }
              return last;
            },
            output: () => output,
            stop,
          };
        }
      }
      await sleep(200);
    }
  } catch (error) {
    await stop();
    throw error;
  }
}

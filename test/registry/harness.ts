import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createCertificateAuthority,
  issueServerCertificate,
  type PemPair,
} from "../../src/adapters/pki/index.js";

/**
 * Starts Debian's `docker-registry` (Docker Distribution 2.8, the program of `registry:2`)
 * on 127.0.0.1, on a port it picks, with filesystem storage in a temporary directory.
 * Install: `apt-get install -y docker-registry apache2-utils` (scripts/registry/install.sh).
 */
export const REGISTRY_BIN = process.env.CUSTOMS_DOCKER_REGISTRY ?? "/usr/bin/docker-registry";
const HTPASSWD_BIN = "/usr/bin/htpasswd";

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Why the real-registry suites cannot run here, or undefined when they can. */
export function registryMissing(): string | undefined {
  if (!executable(REGISTRY_BIN)) {
    return `${REGISTRY_BIN} not found: apt-get install -y docker-registry (scripts/registry/install.sh)`;
  }
  if (!executable(HTPASSWD_BIN)) {
    return `${HTPASSWD_BIN} not found: apt-get install -y apache2-utils`;
  }
  return undefined;
}

/** Prints the reason once per suite, so that a skipped suite says why in the CI log. */
export function skipReason(suite: string): string | undefined {
  const reason = registryMissing();
  if (reason !== undefined) console.warn(`[${suite}] skipped: ${reason}`);
  return reason;
}

export interface TestPki {
  readonly ca: PemPair;
  readonly server: PemPair;
}

/** A CA and a serving certificate for 127.0.0.1 and localhost. */
export async function createTestPki(): Promise<TestPki> {
  const ca = await createCertificateAuthority("customs registry test CA");
  const server = await issueServerCertificate(ca, { dns: ["localhost"], ip: ["127.0.0.1"] });
  return { ca, server };
}

/** A bcrypt htpasswd line (cost 4: the lowest, the tests log in often). */
export function htpasswdLine(user: string, password: string): string {
  return execFileSync(HTPASSWD_BIN, ["-nbBC", "4", user, password], { encoding: "utf8" }).trim();
}

export type RegistryAuth =
  | { readonly kind: "none" }
  | { readonly kind: "htpasswd"; readonly users: Readonly<Record<string, string>> }
  | {
      readonly kind: "token";
      readonly realm: string;
      readonly service: string;
      readonly issuer: string;
      /** PEM certificates the registry trusts to sign tokens. */
      readonly rootCertBundle: string;
    };

export interface RunningRegistry {
  /** `127.0.0.1:PORT` */
  readonly host: string;
  readonly url: string;
  stop(): Promise<void>;
}

function authSection(auth: RegistryAuth, dir: string): string {
  if (auth.kind === "htpasswd") {
    const file = join(dir, "htpasswd");
    const lines = Object.entries(auth.users).map(([u, p]) => htpasswdLine(u, p));
    writeFileSync(file, `${lines.join("\n")}\n`);
    return `auth:\n  htpasswd:\n    realm: customs-test\n    path: ${file}\n`;
  }
  if (auth.kind === "token") {
    const bundle = join(dir, "token-roots.pem");
    writeFileSync(bundle, auth.rootCertBundle);
    return [
      "auth:",
      "  token:",
      `    realm: ${auth.realm}`,
      `    service: ${auth.service}`,
      `    issuer: ${auth.issuer}`,
      `    rootcertbundle: ${bundle}`,
      "",
    ].join("\n");
  }
  return "";
}

export async function startRegistry(
  auth: RegistryAuth,
  tls: PemPair | undefined,
): Promise<RunningRegistry> {
  const dir = mkdtempSync(join(tmpdir(), "customs-registry-"));
  let tlsSection = "";
  if (tls !== undefined) {
    writeFileSync(join(dir, "tls.crt"), tls.certPem);
    writeFileSync(join(dir, "tls.key"), tls.keyPem);
    tlsSection = `  tls:\n    certificate: ${join(dir, "tls.crt")}\n    key: ${join(dir, "tls.key")}\n`;
  }
  // Info level: the only way to learn the port it bound is its "listening on" line.
  const config = `version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${join(dir, "data")}
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:0
  secret: customs-test-secret
${tlsSection}health:
  storagedriver:
    enabled: false
${authSection(auth, dir)}`;
  writeFileSync(join(dir, "config.yml"), config);
  const child = spawn(REGISTRY_BIN, ["serve", join(dir, "config.yml")], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    const host = await listeningAddress(child);
    const url = `${tls ? "https" : "http"}://${host}`;
    return { host, url, stop: () => stop(child, dir) };
  } catch (error) {
    await stop(child, dir);
    throw error;
  }
}

export function listeningAddress(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let log = "";
    const timer = setTimeout(() => reject(new Error(`registry did not start:\n${log}`)), 15_000);
    const onData = (chunk: Buffer) => {
      // Keep draining after start-up: a full pipe would block the registry's logging.
      log = (log + chunk.toString("utf8")).slice(-8192);
      const m = /listening on (127\.0\.0\.1:\d+)/.exec(log);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`registry exited with ${code}:\n${log}`));
    });
  });
}

async function stop(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(dir, { recursive: true, force: true });
}

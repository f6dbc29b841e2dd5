import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { accessSync, constants, writeFileSync } from "node:fs";
import { request } from "node:https";
import { homedir } from "node:os";
import { join } from "node:path";

/**
 * Real cosign for the interop suites: built by scripts/cosign/build.sh into
 * ~/.cache/customs/bin (cosign-v2, cosign-v3), or named by CUSTOMS_COSIGN_V2/_V3.
 */
const BIN = join(process.env.CUSTOMS_CACHE ?? join(homedir(), ".cache/customs"), "bin");

export function cosignPath(major: 2 | 3): string | undefined {
  const path = process.env[`CUSTOMS_COSIGN_V${major}`] ?? join(BIN, `cosign-v${major}`);
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    return undefined;
  }
}

export function cosignMissing(): string | undefined {
  return cosignPath(2) === undefined
    ? `cosign not built: run scripts/cosign/build.sh (expects ${join(BIN, "cosign-v2")})`
    : undefined;
}

export const PASSWORD = "customs test key password";

/**
 * Runs cosign with the test CA trusted (Go reads SSL_CERT_FILE), a throw-away HOME (no TUF
 * cache, no docker credentials) and the key password in the environment.
 */
export function runCosign(
  bin: string,
  args: readonly string[],
  env: { caFile: string; home: string },
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      bin,
      [...args],
      {
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          HOME: env.home,
          SSL_CERT_FILE: env.caFile,
          COSIGN_PASSWORD: PASSWORD,
          COSIGN_YES: "true",
          SIGSTORE_NO_CACHE: "true",
        },
        timeout: 120_000,
        maxBuffer: 1 << 24,
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A PKCS#8 private key made by node:crypto, for `cosign import-key-pair`. */
export function writePrivateKey(dir: string, name: string, kind: "p384" | "ed25519" | "rsa") {
  const pair =
    kind === "p384"
      ? generateKeyPairSync("ec", { namedCurve: "P-384" })
      : kind === "ed25519"
        ? generateKeyPairSync("ed25519")
        : generateKeyPairSync("rsa", { modulusLength: 2048 });
  const path = join(dir, `${name}.pem`);
  writeFileSync(path, pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString());
  return path;
}

/** GET over TLS with the test CA: for reading what cosign pushed (and tampering with it). */
export function getJson(url: string, ca: string, accept: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers: { accept } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const body = Buffer.concat(chunks);
        if (res.statusCode !== 200) reject(new Error(`${url}: ${res.statusCode}`));
        else resolve(JSON.parse(body.toString("utf8")));
      });
    });
    req.on("error", reject);
    req.end();
  });
}

export function getBytes(url: string, ca: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        res.statusCode === 200
          ? resolve(Buffer.concat(chunks))
          : reject(new Error(`${url}: ${res.statusCode}`)),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

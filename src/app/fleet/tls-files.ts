import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { createCertificateAuthority, issueServerCertificate } from "../../adapters/pki/index.js";
import { CustomsError } from "../../core/errors.js";

export interface ServingFiles {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** The CA that signed the certificate, when it was generated here. */
  readonly caPath: string | undefined;
}

function readPem(path: string, flag: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new CustomsError("FILE_UNREADABLE", `${flag} ${path}: ${(e as Error).message}`);
  }
}

/**
 * Writes a CA and a serving certificate into a fresh folder and renames it into place, so a
 * replica starting at the same moment never reads one's certificate with the other's key:
 * the first rename wins and the loser uses the winner's files.
 */
async function generate(dataDir: string, dir: string): Promise<void> {
  // The data folder holds the CA key and the database (token hashes, audit): owner only.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const tmp = mkdtempSync(join(dataDir, ".tls-"));
  const ca = await createCertificateAuthority("customs control plane CA");
  const server = await issueServerCertificate(ca, { dns: ["localhost"], ip: ["127.0.0.1", "::1"] });
  writeFileSync(join(tmp, "ca.key"), ca.keyPem, { mode: 0o600 });
  writeFileSync(join(tmp, "server.key"), server.keyPem, { mode: 0o600 });
  writeFileSync(join(tmp, "server.crt"), server.certPem);
  writeFileSync(join(tmp, "ca.crt"), ca.certPem);
  chmodSync(tmp, 0o700);
  try {
    renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    const code = (e as { code?: string }).code;
    if (code !== "ENOTEMPTY" && code !== "EEXIST") throw e;
  }
}

/**
 * The serving certificate: the given files, or a CA and a certificate for localhost and
 * 127.0.0.1 generated once into the data directory (private keys mode 0600) and reused on
 * every later start, so agents and browsers keep trusting the same CA.
 */
export async function servingFiles(
  dataDir: string,
  given: { cert?: string; key?: string },
): Promise<ServingFiles> {
  if (given.cert !== undefined && given.key !== undefined) {
    return {
      cert: readPem(given.cert, "--tls-cert"),
      key: readPem(given.key, "--tls-key"),
      caPath: undefined,
    };
  }
  const dir = join(dataDir, "tls");
  const paths = {
    ca: join(dir, "ca.crt"),
    cert: join(dir, "server.crt"),
    key: join(dir, "server.key"),
  };
  if (!existsSync(paths.cert) || !existsSync(paths.key) || !existsSync(paths.ca)) {
    await generate(dataDir, dir);
  }
  return { cert: readFileSync(paths.cert), key: readFileSync(paths.key), caPath: paths.ca };
}

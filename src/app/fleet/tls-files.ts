import { join } from "node:path";
import {
  ensureDir,
  readFileBytes,
  readOptionalFileBytes,
  writeFolderOnce,
} from "../../adapters/files/index.js";
import { createCertificateAuthority, issueServerCertificate } from "../../adapters/pki/index.js";

export interface ServingFiles {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** The CA that signed the certificate, when it was generated here. */
  readonly caPath: string | undefined;
}

/**
 * Writes a CA and a serving certificate as one folder (writeFolderOnce), so a replica
 * starting at the same moment never reads one's certificate with the other's key: the
 * first to publish wins and the loser uses the winner's files.
 */
async function generate(dataDir: string, dir: string): Promise<void> {
  // The data folder holds the CA key and the database (token hashes, audit): owner only.
  await ensureDir(dataDir, 0o700);
  const ca = await createCertificateAuthority("customs control plane CA");
  const server = await issueServerCertificate(ca, { dns: ["localhost"], ip: ["127.0.0.1", "::1"] });
  await writeFolderOnce(
    dir,
    [
      { name: "ca.key", data: ca.keyPem, mode: 0o600 },
      { name: "server.key", data: server.keyPem, mode: 0o600 },
      { name: "server.crt", data: server.certPem, mode: 0o644 },
      { name: "ca.crt", data: ca.certPem, mode: 0o644 },
    ],
    0o700,
  );
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
      cert: await readFileBytes(given.cert, { name: `--tls-cert ${given.cert}` }),
      key: await readFileBytes(given.key, { name: `--tls-key ${given.key}` }),
      caPath: undefined,
    };
  }
  const dir = join(dataDir, "tls");
  const paths = {
    ca: join(dir, "ca.crt"),
    cert: join(dir, "server.crt"),
    key: join(dir, "server.key"),
  };
  const [ca, cert, key] = await Promise.all(
    [paths.ca, paths.cert, paths.key].map((p) => readOptionalFileBytes(p)),
  );
  if (ca !== undefined && cert !== undefined && key !== undefined)
    return { cert, key, caPath: paths.ca };
  await generate(dataDir, dir);
  return {
    cert: await readFileBytes(paths.cert),
    key: await readFileBytes(paths.key),
    caPath: paths.ca,
  };
}

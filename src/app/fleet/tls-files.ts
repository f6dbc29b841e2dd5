import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createCertificateAuthority, issueServerCertificate } from "../../adapters/pki/index.js";

export interface ServingFiles {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** The CA that signed the certificate, when it was generated here. */
  readonly caPath: string | undefined;
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
    return { cert: readFileSync(given.cert), key: readFileSync(given.key), caPath: undefined };
  }
  const dir = join(dataDir, "tls");
  const paths = {
    ca: join(dir, "ca.crt"),
    caKey: join(dir, "ca.key"),
    cert: join(dir, "server.crt"),
    key: join(dir, "server.key"),
  };
  if (!existsSync(paths.cert) || !existsSync(paths.key) || !existsSync(paths.ca)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const ca = await createCertificateAuthority("customs control plane CA");
    const server = await issueServerCertificate(ca, {
      dns: ["localhost"],
      ip: ["127.0.0.1", "::1"],
    });
    writeFileSync(paths.caKey, ca.keyPem, { mode: 0o600 });
    writeFileSync(paths.key, server.keyPem, { mode: 0o600 });
    writeFileSync(paths.cert, server.certPem);
    writeFileSync(paths.ca, ca.certPem);
  }
  return { cert: readFileSync(paths.cert), key: readFileSync(paths.key), caPath: paths.ca };
}

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createCertificateAuthority,
  issueServerCertificate,
} from "../../src/adapters/pki/index.js";

export interface TestPki {
  dir: string;
  caPem: string;
  certFile: string;
  keyFile: string;
  /** Issues a new CA and serving certificate into the same files. */
  rotate(): Promise<string>;
  cleanup(): void;
}

export async function testPki(): Promise<TestPki> {
  const dir = mkdtempSync(join(tmpdir(), "customs-tls-"));
  const certFile = join(dir, "tls.crt");
  const keyFile = join(dir, "tls.key");
  const issue = async () => {
    const ca = await createCertificateAuthority("customs test CA");
    const server = await issueServerCertificate(ca, { dns: ["localhost"], ip: ["127.0.0.1"] });
    writeFileSync(certFile, server.certPem);
    writeFileSync(keyFile, server.keyPem);
    return ca.certPem;
  };
  const pki: TestPki = {
    dir,
    caPem: await issue(),
    certFile,
    keyFile,
    async rotate() {
      pki.caPem = await issue();
      return pki.caPem;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
  return pki;
}

export interface HttpsResult {
  status: number;
  text: string;
  json(): unknown;
}

export function httpsCall(
  port: number,
  ca: string,
  method: string,
  path: string,
  body?: string,
): Promise<HttpsResult> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method,
        path,
        ca,
        servername: "localhost",
        agent: false,
        headers: body === undefined ? {} : { "content-type": "application/json" },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({ status: res.statusCode ?? 0, text, json: () => JSON.parse(text) });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

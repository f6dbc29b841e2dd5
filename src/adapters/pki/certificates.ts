// @peculiar/x509 resolves its ASN.1 codecs through tsyringe, which needs this polyfill first.
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as never);

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

export interface PemPair {
  readonly certPem: string;
  readonly keyPem: string;
}

function pemKey(pkcs8: ArrayBuffer): string {
  const b64 = Buffer.from(pkcs8)
    .toString("base64")
    .replace(/(.{64})/g, "$1\n");
  return `-----BEGIN PRIVATE KEY-----\n${b64.trim()}\n-----END PRIVATE KEY-----\n`;
}

function serial(): string {
  // Positive 127-bit serial: the top bit clear, as RFC 5280 asks.
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString("hex");
}

function validity(days: number, now: Date): { notBefore: Date; notAfter: Date } {
  // A little slack backwards for clocks that are behind.
  return {
    notBefore: new Date(now.getTime() - 5 * 60_000),
    notAfter: new Date(now.getTime() + days * 86_400_000),
  };
}

function generateKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ALGORITHM, true, [
    "sign",
    "verify",
  ]) as Promise<CryptoKeyPair>;
}

async function toPemPair(cert: x509.X509Certificate, keys: CryptoKeyPair): Promise<PemPair> {
  return {
    certPem: cert.toString("pem"),
    keyPem: pemKey(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey)),
  };
}

/** A self-signed CA (ECDSA P-256) for the webhook's serving certificates. */
export async function createCertificateAuthority(
  commonName: string,
  days = 3650,
  now = new Date(),
): Promise<PemPair> {
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${commonName}`,
    ...validity(days, now),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return toPemPair(cert, keys);
}

/** What sets a leaf certificate apart: its subject, key usages and extra extensions. */
interface LeafProfile {
  readonly commonName: string;
  readonly keyUsages: x509.KeyUsageFlags;
  readonly extendedKeyUsage: string;
  readonly extensions?: readonly x509.Extension[];
}

/** A leaf certificate (not a CA) with a fresh key pair, signed by `ca`. */
async function issueLeafCertificate(
  ca: PemPair,
  profile: LeafProfile,
  days: number,
  now: Date,
): Promise<PemPair> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await webcrypto.subtle.importKey(
    "pkcs8",
    Buffer.from(ca.keyPem.replace(/-----[^-]+-----|\s/g, ""), "base64"),
    ALGORITHM,
    false,
    ["sign"],
  );
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${profile.commonName}`,
    issuer: caCert.subject,
    ...validity(days, now),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(profile.keyUsages, true),
      new x509.ExtendedKeyUsageExtension([profile.extendedKeyUsage]),
      ...(profile.extensions ?? []),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return toPemPair(cert, keys);
}

/** A serving certificate signed by `ca`, for the given DNS names and IP addresses. */
export function issueServerCertificate(
  ca: PemPair,
  names: { dns: readonly string[]; ip?: readonly string[] },
  days = 365,
  now = new Date(),
): Promise<PemPair> {
  const subjectAltNames = [
    ...names.dns.map((value) => ({ type: "dns" as const, value })),
    ...(names.ip ?? []).map((value) => ({ type: "ip" as const, value })),
  ];
  return issueLeafCertificate(
    ca,
    {
      commonName: names.dns[0] ?? names.ip?.[0] ?? "customs",
      keyUsages: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      extendedKeyUsage: x509.ExtendedKeyUsage.serverAuth,
      extensions: [new x509.SubjectAlternativeNameExtension(subjectAltNames)],
    },
    days,
    now,
  );
}

/**
 * A client certificate signed by `ca` (extended key usage clientAuth), as the API server
 * presents to a webhook started with --client-ca-file (docs/webhook.md).
 */
export function issueClientCertificate(
  ca: PemPair,
  commonName: string,
  days = 365,
  now = new Date(),
): Promise<PemPair> {
  return issueLeafCertificate(
    ca,
    {
      commonName,
      keyUsages: x509.KeyUsageFlags.digitalSignature,
      extendedKeyUsage: x509.ExtendedKeyUsage.clientAuth,
    },
    days,
    now,
  );
}

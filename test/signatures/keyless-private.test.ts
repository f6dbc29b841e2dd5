import "reflect-metadata";
import { createHash, createPrivateKey, generateKeyPairSync, sign, webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import { beforeAll, describe, expect, it } from "vitest";
import {
  COSIGN_ANNOTATIONS,
  compileIdentity,
  fromSimpleSigningLayer,
  isSignatureRejection,
  parseTrustedRoot,
  type SigstoreTrust,
  verifyImageSignature,
} from "../../src/adapters/sigstore/index.js";

/**
 * Keyless cosign v2 signatures (certificate and chain annotations, Rekor bundle annotation)
 * against a private trusted root from a file: a Fulcio-like CA and a Rekor-like log key made
 * here, so every part of the chain can be varied.
 */
x509.cryptoProvider.set(webcrypto as never);
const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const ISSUER = "https://issuer.customs.test";
const SUBJECT = "builder@customs.test";
const DIGEST = `sha256:${"12".repeat(32)}`;

/** DER UTF8String, as Fulcio encodes the issuer in 1.3.6.1.4.1.57264.1.8. */
function utf8String(text: string): ArrayBuffer {
  const bytes = Buffer.from(text, "utf8");
  return new Uint8Array(Buffer.concat([Buffer.from([0x0c, bytes.length]), bytes])).buffer;
}

async function makeCa(name: string) {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, [
    "sign",
    "verify",
  ])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: `CN=${name},O=customs.test`,
    notBefore: new Date(Date.now() - 86_400_000),
    notAfter: new Date(Date.now() + 86_400_000),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
    ],
  });
  return { keys, cert };
}

async function makeLeaf(ca: Awaited<ReturnType<typeof makeCa>>, issuer: string) {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, [
    "sign",
    "verify",
  ])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: "02",
    subject: "",
    issuer: ca.cert.subject,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 600_000),
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.codeSigning]),
      new x509.SubjectAlternativeNameExtension([{ type: "email", value: SUBJECT }], true),
      new x509.Extension("1.3.6.1.4.1.57264.1.8", false, utf8String(issuer)),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey));
  return { cert, key: createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" }) };
}

const log = generateKeyPairSync("ec", { namedCurve: "P-256" });
const logDer = log.publicKey.export({ type: "spki", format: "der" });
const logId = createHash("sha256").update(logDer).digest();

function trustedRoot(caDer: ArrayBuffer): SigstoreTrust {
  return parseTrustedRoot(
    JSON.stringify({
      mediaType: "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
      tlogs: [
        {
          baseUrl: "https://rekor.customs.test",
          hashAlgorithm: "SHA2_256",
          publicKey: {
            rawBytes: logDer.toString("base64"),
            keyDetails: "PKIX_ECDSA_P256_SHA_256",
            validFor: { start: "2020-01-01T00:00:00Z" },
          },
          logId: { keyId: logId.toString("base64") },
        },
      ],
      certificateAuthorities: [
        {
          subject: { organization: "customs.test", commonName: "ca" },
          uri: "https://fulcio.customs.test",
          certChain: { certificates: [{ rawBytes: Buffer.from(caDer).toString("base64") }] },
          validFor: { start: "2020-01-01T00:00:00Z" },
        },
      ],
      ctlogs: [],
      timestampAuthorities: [],
    }),
    "private-root.json",
  );
}

function payloadFor(digest: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      critical: {
        identity: { "docker-reference": "registry.customs.test/app" },
        image: { "docker-manifest-digest": digest },
        type: "cosign container image signature",
      },
      optional: null,
    }),
  );
}

/** cosign's Rekor bundle annotation for a hashedrekord entry, signed by the test log. */
function rekorBundle(payload: Buffer, sig: Buffer, certPem: string): string {
  const body = Buffer.from(
    JSON.stringify({
      apiVersion: "0.0.1",
      kind: "hashedrekord",
      spec: {
        data: {
          hash: { algorithm: "sha256", value: createHash("sha256").update(payload).digest("hex") },
        },
        signature: {
          content: sig.toString("base64"),
          publicKey: { content: Buffer.from(certPem).toString("base64") },
        },
      },
    }),
  ).toString("base64");
  const entry = {
    body,
    integratedTime: Math.floor(Date.now() / 1000),
    logID: logId.toString("hex"),
    logIndex: 42,
  };
  const set = sign("sha256", Buffer.from(JSON.stringify(entry)), log.privateKey);
  return JSON.stringify({ SignedEntryTimestamp: set.toString("base64"), Payload: entry });
}

describe("keyless cosign v2 signatures against a private trusted root", () => {
  let ca: Awaited<ReturnType<typeof makeCa>>;
  let root: SigstoreTrust;
  let leaf: Awaited<ReturnType<typeof makeLeaf>>;

  beforeAll(async () => {
    ca = await makeCa("customs test fulcio");
    root = trustedRoot(ca.cert.rawData);
    leaf = await makeLeaf(ca, ISSUER);
  });

  function attempt(options: {
    identity?: Parameters<typeof compileIdentity>[0];
    signer?: typeof leaf;
    payload?: Buffer;
    signed?: Buffer;
    withLog?: boolean;
    requireTlog?: boolean;
  }) {
    const signer = options.signer ?? leaf;
    const signed = options.signed ?? payloadFor(DIGEST);
    const sig = sign("sha256", signed, signer.key);
    const certPem = signer.cert.toString("pem");
    const annotations: Record<string, string> = {
      [COSIGN_ANNOTATIONS.signature]: sig.toString("base64"),
      [COSIGN_ANNOTATIONS.certificate]: certPem,
      [COSIGN_ANNOTATIONS.chain]: ca.cert.toString("pem"),
    };
    if (options.withLog !== false)
      annotations[COSIGN_ANNOTATIONS.bundle] = rekorBundle(signed, sig, certPem);
    const policy = {
      keys: [],
      identities: [compileIdentity(options.identity ?? { subject: SUBJECT, issuer: ISSUER })],
      trust: root,
      requireTlog: options.requireTlog ?? false,
    };
    try {
      const layer = fromSimpleSigningLayer(options.payload ?? signed, annotations, "layer");
      return { ok: true, value: verifyImageSignature(layer, policy, DIGEST) } as const;
    } catch (e) {
      if (!isSignatureRejection(e)) throw e;
      return { ok: false, code: e.code, message: e.message } as const;
    }
  }

  it("verifies the chain, the log entry and the identity", () => {
    expect(attempt({ requireTlog: true })).toEqual({
      ok: true,
      value: {
        signer: { kind: "keyless", subject: SUBJECT, issuer: ISSUER },
        digest: DIGEST,
        transparencyLog: true,
        format: "cosign-v2",
      },
    });
  });

  it.each([
    ["an RE2 identity pattern", { subjectRegexp: ".*@customs\\.test", issuer: ISSUER }, true],
    ["another subject", { subject: "other@customs.test", issuer: ISSUER }, false],
    ["another issuer", { subject: SUBJECT, issuer: "https://accounts.example" }, false],
  ])("identity: %s", (_n, identity, ok) => {
    const r = attempt({ identity });
    expect(r.ok).toBe(ok);
    if (!r.ok) expect(r.code).toBe("SIGNATURE_UNTRUSTED");
  });

  it("rejects a certificate from a CA the root does not hold", async () => {
    const rogue = await makeCa("rogue");
    const r = attempt({ signer: await makeLeaf(rogue, ISSUER) });
    expect(r).toMatchObject({ ok: false, code: "SIGNATURE_UNTRUSTED" });
  });

  it("rejects a keyless signature without a signing time (no log entry)", () => {
    expect(attempt({ withLog: false })).toMatchObject({ ok: false, code: "SIGNATURE_UNTRUSTED" });
  });

  it("rejects a tampered payload and a payload about another image", () => {
    const other = payloadFor(`sha256:${"34".repeat(32)}`);
    expect(attempt({ payload: other })).toMatchObject({ ok: false, code: "SIGNATURE_INVALID" });
    expect(attempt({ signed: other })).toMatchObject({
      ok: false,
      code: "SIGNATURE_DIGEST_MISMATCH",
    });
  });
});

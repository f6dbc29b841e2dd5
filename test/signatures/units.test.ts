import { createHash, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { ed25519ph } from "@noble/curves/ed25519.js";
import fc from "fast-check";
import { RE2JS } from "re2js";
import { describe, expect, it } from "vitest";
import {
  COSIGN_ANNOTATIONS,
  compileIdentity,
  fromBundleJson,
  fromDsseLayer,
  fromSimpleSigningLayer,
  isSignatureRejection,
  parseDsseEnvelope,
  parsePublicKey,
  parseTrustedRoot,
  preAuthEncoding,
  publicGoodTrust,
  simpleSigningDigest,
  type TrustPolicy,
  verifyImageAttestation,
  verifyImageSignature,
  verifyWithKey,
} from "../../src/adapters/sigstore/index.js";

const DIGEST = `sha256:${"ab".repeat(32)}`;
const OTHER = `sha256:${"cd".repeat(32)}`;

function keyPair(kind: string, options: object = {}) {
  const generate = generateKeyPairSync as unknown as (
    kind: string,
    options: object,
  ) => { publicKey: KeyObject; privateKey: KeyObject };
  const { publicKey, privateKey } = generate(kind, options);
  return { pem: publicKey.export({ type: "spki", format: "pem" }).toString(), privateKey };
}

/** Signs as cosign's default signers do for each key kind. */
function cosignSign(kind: string, privateKey: KeyObject, data: Buffer): Buffer {
  if (kind === "ed25519") return sign(null, data, privateKey);
  if (kind === "p384") return sign("sha384", data, privateKey);
  return sign("sha256", data, privateKey);
}

const KEYS = {
  p256: () => keyPair("ec", { namedCurve: "P-256" }),
  p384: () => keyPair("ec", { namedCurve: "P-384" }),
  ed25519: () => keyPair("ed25519"),
  rsa: () => keyPair("rsa", { modulusLength: 2048 }),
} as const;

function simpleSigning(digest: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      critical: {
        identity: { "docker-reference": "registry.example/app" },
        image: { "docker-manifest-digest": digest },
        type: "cosign container image signature",
      },
      optional: null,
    }),
  );
}

function policyWith(pem: string, requireTlog = false): TrustPolicy {
  return {
    keys: [parsePublicKey(pem, "k.pub")],
    identities: [],
    trust: publicGoodTrust(),
    requireTlog,
  };
}

function outcome(run: () => unknown) {
  try {
    return { ok: true, value: run() } as const;
  } catch (e) {
    if (!isSignatureRejection(e)) throw e;
    return { ok: false, code: e.code } as const;
  }
}

describe("public keys", () => {
  it.each(Object.keys(KEYS))("accepts %s and verifies what cosign's signer makes", (kind) => {
    const { pem, privateKey } = KEYS[kind as keyof typeof KEYS]();
    const key = parsePublicKey(pem, "k.pub");
    const data = Buffer.from("payload");
    const sig = cosignSign(kind, privateKey, data);
    expect(verifyWithKey(key.key, data, sig)).toBe(true);
    expect(verifyWithKey(key.key, Buffer.from("payloaD"), sig)).toBe(false);
    expect(verifyWithKey(key.key, data, Buffer.from("not a signature"))).toBe(false);
  });

  it("verifies RSA-PSS signatures too", () => {
    const { pem, privateKey } = KEYS.rsa();
    const data = Buffer.from("payload");
    const sig = sign("sha256", data, { key: privateKey, padding: 6, saltLength: 32 });
    expect(verifyWithKey(parsePublicKey(pem, "k").key, data, sig)).toBe(true);
  });

  it("verifies Ed25519ph (cosign's default for Ed25519 keys)", () => {
    const secret = ed25519ph.utils.randomSecretKey();
    const raw = ed25519ph.getPublicKey(secret);
    const der = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), raw]);
    const pem = `-----BEGIN PUBLIC KEY-----\n${der.toString("base64")}\n-----END PUBLIC KEY-----\n`;
    const data = Buffer.from("payload");
    const sig = Buffer.from(ed25519ph.sign(data, secret));
    const key = parsePublicKey(pem, "ed.pub").key;
    expect(verifyWithKey(key, data, sig)).toBe(true);
    expect(verifyWithKey(key, Buffer.from("payloaD"), sig)).toBe(false);
  });

  it.each([
    ["not PEM", "hello"],
    ["RSA 1024", keyPair("rsa", { modulusLength: 1024 }).pem],
    ["secp256k1", keyPair("ec", { namedCurve: "secp256k1" }).pem],
  ])("refuses %s with PUBLIC_KEY_INVALID naming the file", (_n, pem) => {
    expect(() => parsePublicKey(pem, "keys/bad.pub")).toThrow(/keys\/bad\.pub/);
    try {
      parsePublicKey(pem, "keys/bad.pub");
    } catch (e) {
      expect((e as { code?: string }).code).toBe("PUBLIC_KEY_INVALID");
    }
  });
});

describe("cosign v2 simple signing with a key", () => {
  const { pem, privateKey } = KEYS.p256();
  const payload = simpleSigning(DIGEST);
  const annotations = {
    [COSIGN_ANNOTATIONS.signature]: cosignSign("p256", privateKey, payload).toString("base64"),
  };

  it.each([
    ["the signed digest", DIGEST, payload, policyWith(pem), { ok: true }],
    [
      "another image's digest",
      OTHER,
      payload,
      policyWith(pem),
      { ok: false, code: "SIGNATURE_DIGEST_MISMATCH" },
    ],
    [
      "a tampered payload",
      DIGEST,
      simpleSigning(OTHER),
      policyWith(pem),
      { ok: false, code: "SIGNATURE_INVALID" },
    ],
    [
      "another key",
      DIGEST,
      payload,
      policyWith(KEYS.p256().pem),
      { ok: false, code: "SIGNATURE_INVALID" },
    ],
    [
      "a required log entry",
      DIGEST,
      payload,
      policyWith(pem, true),
      { ok: false, code: "SIGNATURE_UNTRUSTED" },
    ],
  ])("%s", (_name, digest, body, policy, expected) => {
    const r = outcome(() =>
      verifyImageSignature(fromSimpleSigningLayer(body, annotations, "layer"), policy, digest),
    );
    expect(r).toMatchObject(expected);
    if (r.ok) {
      expect(r.value).toEqual({
        signer: { kind: "key", keyId: "k.pub" },
        digest: DIGEST,
        transparencyLog: false,
        format: "cosign-v2",
      });
    }
  });

  it("reads the digest a payload names, and refuses what is not simple signing", () => {
    expect(simpleSigningDigest(payload)).toBe(DIGEST);
    expect(() => simpleSigningDigest(Buffer.from('{"critical":{}}'))).toThrow(/simple-signing/);
    expect(() => fromSimpleSigningLayer(payload, {}, "layer 0")).toThrow(/layer 0/);
  });
});

describe("DSSE attestations", () => {
  it("PAE matches the DSSE specification's example", () => {
    expect(
      preAuthEncoding("http://example.com/HelloWorld", Buffer.from("hello world")).toString(),
    ).toBe("DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  });

  it("verifies a statement about the image and rejects one about another", () => {
    const { pem, privateKey } = KEYS.ed25519();
    const envelope = (digest: string) => {
      const statement = {
        _type: "https://in-toto.io/Statement/v0.1",
        predicateType: "https://slsa.dev/provenance/v0.2",
        subject: [{ name: "registry.example/app", digest: { sha256: digest.slice(7) } }],
        predicate: { builder: { id: "https://example/builder" } },
      };
      const payload = Buffer.from(JSON.stringify(statement));
      const sig = sign(null, preAuthEncoding("application/vnd.in-toto+json", payload), privateKey);
      return Buffer.from(
        JSON.stringify({
          payloadType: "application/vnd.in-toto+json",
          payload: payload.toString("base64"),
          signatures: [{ keyid: "", sig: sig.toString("base64") }],
        }),
      );
    };
    const policy = policyWith(pem);
    expect(
      verifyImageAttestation(fromDsseLayer(envelope(DIGEST), {}, "att"), policy, DIGEST),
    ).toEqual({
      signer: { kind: "key", keyId: "k.pub" },
      predicateType: "https://slsa.dev/provenance/v0.2",
      predicate: { builder: { id: "https://example/builder" } },
    });
    expect(
      outcome(() =>
        verifyImageAttestation(fromDsseLayer(envelope(OTHER), {}, "att"), policy, DIGEST),
      ),
    ).toEqual({ ok: false, code: "SIGNATURE_DIGEST_MISMATCH" });
  });
});

describe("transparency-log entries (signed entry timestamps)", () => {
  const log = KEYS.p256();
  const logDer = parsePublicKey(log.pem, "log").key.export({ type: "spki", format: "der" });
  const logId = createHash("sha256").update(logDer).digest();
  const root = parseTrustedRoot(
    JSON.stringify({
      mediaType: "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
      tlogs: [
        {
          baseUrl: "https://rekor.example",
          hashAlgorithm: "SHA2_256",
          publicKey: {
            rawBytes: logDer.toString("base64"),
            keyDetails: "PKIX_ECDSA_P256_SHA_256",
            validFor: { start: "2020-01-01T00:00:00Z" },
          },
          logId: { keyId: logId.toString("base64") },
        },
      ],
      certificateAuthorities: [],
      ctlogs: [],
      timestampAuthorities: [],
    }),
    "root.json",
  );
  const signer = KEYS.p256();
  const payload = simpleSigning(DIGEST);
  const sig = cosignSign("p256", signer.privateKey, payload);

  function rekorBundle(mutate: (e: Record<string, unknown>) => void = () => {}): string {
    const body = Buffer.from(
      JSON.stringify({
        apiVersion: "0.0.1",
        kind: "hashedrekord",
        spec: {
          data: {
            hash: {
              algorithm: "sha256",
              value: createHash("sha256").update(payload).digest("hex"),
            },
          },
          signature: { content: sig.toString("base64"), publicKey: { content: "" } },
        },
      }),
    ).toString("base64");
    const entry: Record<string, unknown> = {
      body,
      integratedTime: 1_700_000_000,
      logIndex: 7,
      logID: logId.toString("hex"),
    };
    const canonical = Buffer.from(
      JSON.stringify({
        body,
        integratedTime: entry.integratedTime,
        logID: entry.logID,
        logIndex: entry.logIndex,
      }),
    );
    const set = sign("sha256", canonical, log.privateKey).toString("base64");
    mutate(entry);
    return JSON.stringify({ SignedEntryTimestamp: set, Payload: entry });
  }

  function check(bundle: string, requireTlog = true) {
    const policy = { ...policyWith(signer.pem, requireTlog), trust: root };
    const annotations = {
      [COSIGN_ANNOTATIONS.signature]: sig.toString("base64"),
      [COSIGN_ANNOTATIONS.bundle]: bundle,
    };
    return outcome(() =>
      verifyImageSignature(fromSimpleSigningLayer(payload, annotations, "l"), policy, DIGEST),
    );
  }

  it("accepts a SET by the trusted root's log, and reports the log", () => {
    expect(check(rekorBundle())).toMatchObject({ ok: true, value: { transparencyLog: true } });
  });

  it.each([
    [
      "a changed integrated time",
      (e: Record<string, unknown>) => {
        e.integratedTime = 1_700_000_001;
      },
    ],
    [
      "a changed log index",
      (e: Record<string, unknown>) => {
        e.logIndex = 8;
      },
    ],
    [
      "an unknown log",
      (e: Record<string, unknown>) => {
        e.logID = "00".repeat(32);
      },
    ],
  ])("rejects %s", (_n, mutate) => {
    expect(check(rekorBundle(mutate))).toEqual({ ok: false, code: "SIGNATURE_INVALID" });
  });

  it("rejects a root that is not a trusted root", () => {
    expect(() => parseTrustedRoot("{}", "r.json")).toThrow(/r\.json/);
    expect(() => parseTrustedRoot("{", "r.json")).toThrow(/not JSON/);
  });
});

describe("identity patterns", () => {
  it("a quoted RE2 pattern matches exactly what the exact form matches, whole values only", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (subject, other) => {
        const exact = compileIdentity({ subject, issuer: "i" });
        const pattern = compileIdentity({ subjectRegexp: RE2JS.quote(subject), issuer: "i" });
        expect(pattern.matches(subject, "i")).toBe(true);
        expect(pattern.matches(other, "i")).toBe(exact.matches(other, "i"));
        // Never a substring match: a longer value around the subject is refused.
        expect(pattern.matches(`x${subject}`, "i")).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe("parsers never crash on hostile input", () => {
  it("DSSE, simple signing, bundles: a value or a SignatureRejection", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = Buffer.from(JSON.stringify(value) ?? "null");
        for (const run of [
          () => parseDsseEnvelope(value, "x"),
          () => simpleSigningDigest(text),
          () => fromBundleJson(text, "x"),
          () => fromDsseLayer(text, {}, "x"),
          () =>
            fromSimpleSigningLayer(
              text,
              {
                [COSIGN_ANNOTATIONS.bundle]: JSON.stringify(value) ?? "",
                [COSIGN_ANNOTATIONS.signature]: "AA==",
              },
              "x",
            ),
        ]) {
          try {
            run();
          } catch (e) {
            if (!isSignatureRejection(e)) throw e;
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

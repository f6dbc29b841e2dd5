import { createHash, X509Certificate } from "node:crypto";
import { type Bundle, bundleFromJSON } from "@sigstore/bundle";
import { parseDsseEnvelope, preAuthEncoding } from "./dsse.js";
import { invalid } from "./errors.js";
import type { TlogEntry } from "./tlog.js";

/**
 * One signature as found in a registry, in a shape that does not depend on where it came
 * from: what was signed, by which signature(s), with which certificates and log entries.
 */
export interface Candidate {
  readonly format: "cosign-v2" | "sigstore-bundle";
  readonly envelope: "message" | "dsse";
  /** The claims: the simple-signing payload, or the DSSE payload (an in-toto statement). */
  readonly payload: Buffer;
  readonly payloadType: string | undefined;
  /** What each signature is over: the payload itself, or DSSE's PAE of it. */
  readonly signed: Buffer;
  readonly signatures: readonly Buffer[];
  /** DER, leaf first; empty when signed with a key. */
  readonly certificates: readonly Buffer[];
  readonly tlog: readonly TlogEntry[];
  /** The Sigstore bundle (as found, or built from cosign v2 annotations) for keyless checks. */
  readonly bundle: Bundle | undefined;
}

/** cosign's annotations on `.sig` and `.att` layers (pkg/oci/static/signature.go). */
export const COSIGN_ANNOTATIONS = {
  signature: "dev.cosignproject.cosign/signature",
  certificate: "dev.sigstore.cosign/certificate",
  chain: "dev.sigstore.cosign/chain",
  bundle: "dev.sigstore.cosign/bundle",
} as const;

function pemCertificates(pem: string | undefined, what: string): Buffer[] {
  if (pem === undefined || pem.trim() === "") return [];
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0)
    throw invalid(`${what}: the certificate annotation holds no PEM certificate`);
  return blocks.map((block) => {
    try {
      return new X509Certificate(block).raw;
    } catch {
      throw invalid(`${what}: a certificate annotation does not parse`);
    }
  });
}

/** The Rekor bundle annotation: `{"SignedEntryTimestamp", "Payload": {body, integratedTime, logIndex, logID}}`. */
function rekorAnnotation(text: string | undefined, what: string): TlogEntry[] {
  if (text === undefined || text === "") return [];
  try {
    const doc = JSON.parse(text);
    const p = doc.Payload;
    if (
      typeof doc.SignedEntryTimestamp !== "string" ||
      typeof p?.body !== "string" ||
      !Number.isSafeInteger(p.integratedTime) ||
      !Number.isSafeInteger(p.logIndex) ||
      typeof p.logID !== "string"
    ) {
      throw new Error("fields");
    }
    const set = Buffer.from(doc.SignedEntryTimestamp, "base64");
    return [
      {
        body: p.body,
        integratedTime: p.integratedTime,
        logIndex: p.logIndex,
        logId: p.logID.toLowerCase(),
        signedEntryTimestamp: set,
      },
    ];
  } catch {
    throw invalid(`${what}: the ${COSIGN_ANNOTATIONS.bundle} annotation is not a Rekor bundle`);
  }
}

/** Rekor's kind and version, which a Sigstore bundle states beside the body. */
function kindVersion(entry: TlogEntry): { kind: string; version: string } {
  try {
    const body = JSON.parse(Buffer.from(entry.body, "base64").toString("utf8"));
    return { kind: String(body.kind), version: String(body.apiVersion) };
  } catch {
    return { kind: "", version: "" };
  }
}

/** A v0.1 Sigstore bundle holding cosign v2's certificate, signature and Rekor entry. */
function toBundle(c: Omit<Candidate, "bundle">): Bundle {
  const content =
    c.envelope === "message"
      ? {
          messageSignature: {
            messageDigest: {
              algorithm: "SHA2_256",
              digest: createHash("sha256").update(c.payload).digest("base64"),
            },
            signature: (c.signatures[0] ?? Buffer.alloc(0)).toString("base64"),
          },
        }
      : {
          dsseEnvelope: {
            payload: c.payload.toString("base64"),
            payloadType: c.payloadType,
            signatures: c.signatures.map((s) => ({ sig: s.toString("base64"), keyid: "" })),
          },
        };
  return bundleFromJSON({
    mediaType: "application/vnd.dev.sigstore.bundle+json;version=0.1",
    verificationMaterial: {
      x509CertificateChain: {
        certificates: c.certificates.map((d) => ({ rawBytes: d.toString("base64") })),
      },
      tlogEntries: c.tlog.map((e) => ({
        logIndex: String(e.logIndex),
        logId: { keyId: Buffer.from(e.logId, "hex").toString("base64") },
        kindVersion: kindVersion(e),
        integratedTime: String(e.integratedTime),
        inclusionPromise: { signedEntryTimestamp: e.signedEntryTimestamp.toString("base64") },
        canonicalizedBody: e.body,
      })),
      timestampVerificationData: { rfc3161Timestamps: [] },
    },
    ...content,
  });
}

function withBundle(c: Omit<Candidate, "bundle">): Candidate {
  return { ...c, bundle: c.certificates.length > 0 ? toBundle(c) : undefined };
}

type Annotations = Readonly<Record<string, string>> | undefined;

/** A cosign v2 `.sig` layer: the simple-signing payload, its signature in an annotation. */
export function fromSimpleSigningLayer(payload: Buffer, annotations: Annotations, what: string) {
  const sig = annotations?.[COSIGN_ANNOTATIONS.signature];
  if (sig === undefined || sig === "") {
    throw invalid(`${what}: no ${COSIGN_ANNOTATIONS.signature} annotation`);
  }
  return withBundle({
    format: "cosign-v2",
    envelope: "message",
    payload,
    payloadType: undefined,
    signed: payload,
    signatures: [Buffer.from(sig, "base64")],
    certificates: [
      ...pemCertificates(annotations?.[COSIGN_ANNOTATIONS.certificate], what),
      ...pemCertificates(annotations?.[COSIGN_ANNOTATIONS.chain], what),
    ],
    tlog: rekorAnnotation(annotations?.[COSIGN_ANNOTATIONS.bundle], what),
  });
}

/** A cosign v2 `.att` layer: a DSSE envelope; certificates and Rekor entry in annotations. */
export function fromDsseLayer(blob: Buffer, annotations: Annotations, what: string): Candidate {
  let doc: unknown;
  try {
    doc = JSON.parse(blob.toString("utf8"));
  } catch {
    throw invalid(`${what}: the DSSE envelope is not JSON`);
  }
  const env = parseDsseEnvelope(doc, what);
  return withBundle({
    format: "cosign-v2",
    envelope: "dsse",
    payload: env.payload,
    payloadType: env.payloadType,
    signed: preAuthEncoding(env.payloadType, env.payload),
    signatures: env.signatures,
    certificates: [
      ...pemCertificates(annotations?.[COSIGN_ANNOTATIONS.certificate], what),
      ...pemCertificates(annotations?.[COSIGN_ANNOTATIONS.chain], what),
    ],
    tlog: rekorAnnotation(annotations?.[COSIGN_ANNOTATIONS.bundle], what),
  });
}

/**
 * A Sigstore bundle (v0.1 to v0.3). A message signature's payload is not in the bundle:
 * `artifact` supplies it (and must hash to the bundle's message digest).
 * https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_bundle.proto
 */
export function fromBundleJson(blob: Buffer, what: string, artifact?: Buffer): Candidate {
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(JSON.parse(blob.toString("utf8")));
  } catch (e) {
    throw invalid(
      `${what}: not a Sigstore bundle (${e instanceof Error ? e.message : String(e)})`,
      e,
    );
  }
  const material = bundle.verificationMaterial;
  const certificates =
    material.content.$case === "x509CertificateChain"
      ? material.content.x509CertificateChain.certificates.map((c) => c.rawBytes)
      : material.content.$case === "certificate"
        ? [material.content.certificate.rawBytes]
        : [];
  const tlog = material.tlogEntries.flatMap((e): TlogEntry[] =>
    e.inclusionPromise === undefined
      ? []
      : [
          {
            body: e.canonicalizedBody.toString("base64"),
            integratedTime: Number(e.integratedTime),
            logIndex: Number(e.logIndex),
            logId: e.logId?.keyId.toString("hex") ?? "",
            signedEntryTimestamp: e.inclusionPromise.signedEntryTimestamp,
          },
        ],
  );
  if (bundle.content.$case === "dsseEnvelope") {
    const env = bundle.content.dsseEnvelope;
    return {
      format: "sigstore-bundle",
      envelope: "dsse",
      payload: env.payload,
      payloadType: env.payloadType,
      signed: preAuthEncoding(env.payloadType, env.payload),
      signatures: env.signatures.map((s) => s.sig),
      certificates,
      tlog,
      bundle,
    };
  }
  const message = bundle.content.messageSignature;
  if (artifact === undefined) {
    throw invalid(`${what}: a message-signature bundle, and the signed artifact is unknown`);
  }
  const digest = createHash("sha256").update(artifact).digest();
  if (!digest.equals(message.messageDigest?.digest ?? Buffer.alloc(0))) {
    throw invalid(`${what}: the bundle's message digest is not the artifact's`);
  }
  return {
    format: "sigstore-bundle",
    envelope: "message",
    payload: artifact,
    payloadType: undefined,
    signed: artifact,
    signatures: [message.signature],
    certificates,
    tlog,
    bundle,
  };
}

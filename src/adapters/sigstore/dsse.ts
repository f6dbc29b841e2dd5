import { invalid } from "./errors.js";

/** https://github.com/secure-systems-lab/dsse/blob/master/envelope.md */
export interface DsseEnvelope {
  readonly payloadType: string;
  readonly payload: Buffer;
  readonly signatures: readonly Buffer[];
}

export const IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";

/** DSSE's pre-authentication encoding: what each signature is over. */
export function preAuthEncoding(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, "utf8");
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `),
    type,
    Buffer.from(` ${payload.length} `),
    payload,
  ]);
}

export function parseDsseEnvelope(value: unknown, what: string): DsseEnvelope {
  const env = value as { payloadType?: unknown; payload?: unknown; signatures?: unknown };
  if (
    typeof env !== "object" ||
    env === null ||
    typeof env.payloadType !== "string" ||
    typeof env.payload !== "string" ||
    !Array.isArray(env.signatures)
  ) {
    throw invalid(`${what}: not a DSSE envelope (payloadType, payload, signatures)`);
  }
  const signatures = env.signatures.map((s: { sig?: unknown }) => {
    if (typeof s?.sig !== "string") throw invalid(`${what}: a DSSE signature without sig`);
    return Buffer.from(s.sig, "base64");
  });
  return {
    payloadType: env.payloadType,
    payload: Buffer.from(env.payload, "base64"),
    signatures,
  };
}

/** https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md */
export interface Statement {
  readonly predicateType: string;
  /** `sha256:<hex>` of every subject that has a SHA-256 digest. */
  readonly subjectDigests: readonly string[];
  readonly predicate: unknown;
}

export function parseStatement(env: DsseEnvelope, what: string): Statement {
  if (env.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw invalid(`${what}: payload type ${env.payloadType}, not ${IN_TOTO_PAYLOAD_TYPE}`);
  }
  let doc: { predicateType?: unknown; subject?: unknown; predicate?: unknown };
  try {
    doc = JSON.parse(env.payload.toString("utf8"));
  } catch {
    throw invalid(`${what}: the in-toto statement is not JSON`);
  }
  if (typeof doc?.predicateType !== "string" || !Array.isArray(doc.subject)) {
    throw invalid(`${what}: not an in-toto statement (predicateType, subject)`);
  }
  const subjectDigests = doc.subject.flatMap((s: { digest?: { sha256?: unknown } }) =>
    typeof s?.digest?.sha256 === "string" ? [`sha256:${s.digest.sha256.toLowerCase()}`] : [],
  );
  return { predicateType: doc.predicateType, subjectDigests, predicate: doc.predicate };
}

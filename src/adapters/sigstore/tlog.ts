import { createHash } from "node:crypto";
import { invalid } from "./errors.js";
import { verifyWithKey } from "./keys.js";
import type { SigstoreTrust } from "./trusted-root.js";

/**
 * A Rekor entry with its signed entry timestamp (SET, the log's promise to include it), as
 * cosign v2 stores it in the `dev.sigstore.cosign/bundle` annotation or a Sigstore bundle's
 * `tlogEntries[].inclusionPromise`.
 */
export interface TlogEntry {
  /** The canonicalized entry body, base64, exactly as the log signed it. */
  readonly body: string;
  readonly integratedTime: number;
  readonly logIndex: number;
  /** Hex SHA-256 of the log's public key. */
  readonly logId: string;
  readonly signedEntryTimestamp: Buffer;
}

/**
 * The SET is the log's signature over RFC 8785 JSON of these four fields; with only strings
 * and integers, sorted keys and no spaces are that canonical form.
 * https://github.com/sigstore/rekor/blob/main/pkg/generated/models/log_entry.go
 */
function setPayload(e: TlogEntry): Buffer {
  const doc = {
    body: e.body,
    integratedTime: e.integratedTime,
    logID: e.logId,
    logIndex: e.logIndex,
  };
  return Buffer.from(JSON.stringify(doc));
}

/** The digests an entry body vouches for (hashedrekord, dsse, intoto kinds). */
interface EntrySpec {
  readonly data?: { readonly hash?: { readonly value?: unknown } };
  readonly payloadHash?: { readonly value?: unknown };
  readonly content?: { readonly payloadHash?: { readonly value?: unknown } };
  readonly signature?: { readonly content?: unknown };
}

function vouchedHashes(spec: EntrySpec): string[] {
  return [spec.data?.hash?.value, spec.payloadHash?.value, spec.content?.payloadHash?.value].filter(
    (v): v is string => typeof v === "string",
  );
}

/**
 * Verifies the SET with the trusted root's key for the log, within that key's validity, and
 * that the entry is about this payload (and, for hashedrekord, this very signature): a valid
 * SET for some other entry proves nothing about ours.
 */
export function verifyTlogEntry(
  entry: TlogEntry,
  trust: SigstoreTrust,
  payload: Buffer,
  signature: Buffer,
): void {
  const log = trust.tlogKeys.get(entry.logId);
  if (log === undefined) {
    throw invalid(
      `transparency-log entry ${entry.logIndex}: log ${entry.logId} is not in the ${trust.name} trusted root`,
    );
  }
  const at = entry.integratedTime * 1000;
  if (at < log.validFrom || at > log.validUntil) {
    throw invalid(
      `transparency-log entry ${entry.logIndex}: integrated outside its log key's validity`,
    );
  }
  if (!verifyWithKey(log.key, setPayload(entry), entry.signedEntryTimestamp)) {
    throw invalid(
      `transparency-log entry ${entry.logIndex}: its signed entry timestamp does not verify`,
    );
  }
  let body: { kind?: unknown; spec?: EntrySpec };
  try {
    body = JSON.parse(Buffer.from(entry.body, "base64").toString("utf8"));
  } catch {
    throw invalid(`transparency-log entry ${entry.logIndex}: its body is not JSON`);
  }
  const spec = body.spec ?? {};
  const hash = createHash("sha256").update(payload).digest("hex");
  if (!vouchedHashes(spec).includes(hash)) {
    throw invalid(`transparency-log entry ${entry.logIndex}: logs another payload`);
  }
  const logged = spec.signature?.content;
  if (body.kind === "hashedrekord" && logged !== signature.toString("base64")) {
    throw invalid(`transparency-log entry ${entry.logIndex}: logs another signature`);
  }
}

import { createPublicKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { TrustedRoot } from "@sigstore/protobuf-specs";
import { type TrustMaterial, toTrustMaterial } from "@sigstore/verify";
import { CustomsError } from "../../core/errors.js";

/** A transparency log's key, by its log ID (hex SHA-256 of the key's DER SPKI). */
export interface TlogKey {
  readonly key: KeyObject;
  readonly validFrom: number;
  readonly validUntil: number;
}

/**
 * What keyless signatures are checked against: Fulcio CAs, Rekor and CT log keys, TSAs.
 * https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_trustroot.proto
 */
export interface SigstoreTrust {
  /** `public-good` or the file it came from. */
  readonly name: string;
  readonly material: TrustMaterial;
  readonly tlogKeys: ReadonlyMap<string, TlogKey>;
  /** Whether certificates must carry an SCT: only when the root has CT logs. */
  readonly hasCtlogs: boolean;
}

const PUBLIC_GOOD_TUF = "https://tuf-repo-cdn.sigstore.dev";
const MEDIA_TYPE = /^application\/vnd\.dev\.sigstore\.trustedroot(\.v[\d.]+)?\+json/;

function toTrust(doc: unknown, name: string): SigstoreTrust {
  const raw = doc as { mediaType?: unknown; tlogs?: unknown; certificateAuthorities?: unknown };
  if (
    typeof raw !== "object" ||
    raw === null ||
    typeof raw.mediaType !== "string" ||
    !MEDIA_TYPE.test(raw.mediaType) ||
    !Array.isArray(raw.tlogs) ||
    !Array.isArray(raw.certificateAuthorities)
  ) {
    throw new CustomsError(
      "TRUSTED_ROOT_INVALID",
      `${name}: not a Sigstore trusted root (mediaType application/vnd.dev.sigstore.trustedroot+json with tlogs and certificateAuthorities)`,
    );
  }
  try {
    const root = TrustedRoot.fromJSON(doc);
    const tlogKeys = new Map<string, TlogKey>();
    for (const log of root.tlogs) {
      if (log.publicKey?.rawBytes === undefined) continue;
      const key = createPublicKey({ key: log.publicKey.rawBytes, format: "der", type: "spki" });
      tlogKeys.set(log.logId?.keyId.toString("hex") ?? "", {
        key,
        validFrom: log.publicKey.validFor?.start?.getTime() ?? 0,
        validUntil: log.publicKey.validFor?.end?.getTime() ?? Number.POSITIVE_INFINITY,
      });
    }
    return { name, material: toTrustMaterial(root), tlogKeys, hasCtlogs: root.ctlogs.length > 0 };
  } catch (e) {
    throw new CustomsError(
      "TRUSTED_ROOT_INVALID",
      `${name}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

/** A private trusted root, from the text of its JSON file. */
export function parseTrustedRoot(text: string, source: string): SigstoreTrust {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new CustomsError(
      "TRUSTED_ROOT_INVALID",
      `${source}: not JSON (${e instanceof Error ? e.message : String(e)})`,
    );
  }
  return toTrust(doc, source);
}

let publicGood: SigstoreTrust | undefined;

/**
 * The Sigstore public-good trusted root as the installed `@sigstore/tuf` package ships it
 * (its TUF seed). Read from disk, never fetched: verification works offline, and the root
 * changes only when the dependency is upgraded.
 */
export function publicGoodTrust(): SigstoreTrust {
  if (publicGood === undefined) {
    const require = createRequire(import.meta.url);
    const seeds = JSON.parse(readFileSync(require.resolve("@sigstore/tuf/seeds.json"), "utf8"));
    const encoded = seeds?.[PUBLIC_GOOD_TUF]?.targets?.["trusted_root.json"];
    if (typeof encoded !== "string") {
      throw new CustomsError(
        "TRUSTED_ROOT_INVALID",
        "@sigstore/tuf ships no public-good trusted_root.json",
      );
    }
    publicGood = toTrust(
      JSON.parse(Buffer.from(encoded, "base64").toString("utf8")),
      "public-good",
    );
  }
  return publicGood;
}

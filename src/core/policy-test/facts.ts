import { IssueCollector, isPlainObject, join, typeName } from "../policy/fields.js";
import type { PolicyIssue } from "../policy/types.js";
import { type ImageReference, parseNormalized, toNormalizedString } from "../reference/index.js";
import type {
  AttestationFacts,
  Fact,
  FactErrorCode,
  ImageMetadata,
  SignatureFacts,
  VulnerabilityReport,
} from "../supply/facts.js";
import {
  type ReportReader,
  readAttestation,
  readDigest,
  readEach,
  readMetadata,
  readRejected,
  readReport,
  readSignature,
} from "./facts-groups.js";

/**
 * The facts file of a PolicyTest: what registries, signature and report sources would have
 * answered for each image, written down so that a test decides offline and the same forever
 * (docs/policy-tests.md, "Offline image facts"). Read into the core's fact types, so the engine cannot tell
 * them from fetched facts.
 */

export const FACTS_KIND = "ImageFacts";
const CODE = "POLICY_TEST_INVALID";
const GROUPS = ["digest", "signatures", "attestations", "metadata", "vulnerabilities"] as const;
type Group = (typeof GROUPS)[number];
const FACT_ERRORS: readonly FactErrorCode[] = [
  "REGISTRY_UNREACHABLE",
  "RATE_LIMITED",
  "REGISTRY_AUTH_FAILED",
  "SOURCE_TIMEOUT",
  "DIGEST_UNRESOLVED",
  "SOURCE_NOT_CONFIGURED",
  "FACTS_UNREADABLE",
];

/** What one image's sources answer: each group a fact or the reason it is unavailable. */
export interface OfflineImage {
  /** As written in the file, for messages. */
  readonly key: string;
  readonly ref: ImageReference;
  readonly digest: Fact<string>;
  readonly signatures: Fact<SignatureFacts>;
  readonly attestations: Fact<AttestationFacts>;
  readonly metadata: Fact<ImageMetadata>;
  readonly vulnerabilities: Fact<VulnerabilityReport | undefined>;
}

class FactIssues extends IssueCollector {
  override error(path: string, message: string): void {
    super.error(path, message, CODE);
  }
}

const ok = <T>(value: T): Fact<T> => ({ ok: true, value });

/** `unavailable: { signatures: REGISTRY_UNREACHABLE }`: a source that failed, to test that path. */
function readUnavailable(issues: IssueCollector, path: string, value: unknown) {
  const out = new Map<Group, Fact<never>>();
  const o = issues.readObject(path, value ?? {}, GROUPS);
  for (const group of GROUPS) {
    const v = o?.[group];
    if (v === undefined) continue;
    const code = issues.readEnum(join(path, group), v, FACT_ERRORS);
    if (code !== undefined) {
      out.set(group, {
        ok: false,
        code,
        message: `${group} unavailable (${code}, as the facts file says)`,
      });
    }
  }
  return out;
}

const ENTRY_FIELDS = [
  "digest",
  "signatures",
  "rejectedSignatures",
  "attestations",
  "rejectedAttestations",
  "metadata",
  "vulnerabilities",
  "unavailable",
];

function readEntry(
  issues: IssueCollector,
  key: string,
  value: unknown,
  reader: ReportReader | undefined,
): OfflineImage | undefined {
  const path = join("images", key);
  const parsed = parseNormalized(key);
  if (!parsed.ok) {
    issues.error(path, `is not an image reference: ${parsed.message}`);
    return undefined;
  }
  const o = issues.readObject(path, value ?? {}, ENTRY_FIELDS);
  if (o === undefined) return undefined;
  const written = readDigest(issues, join(path, "digest"), o.digest);
  const ref = parsed.ref;
  if (written !== undefined && ref.digest !== undefined && written !== ref.digest) {
    issues.error(join(path, "digest"), `differs from the digest of the reference (${ref.digest})`);
  }
  const unavailable = readUnavailable(issues, join(path, "unavailable"), o.unavailable);
  const digest = written ?? ref.digest;
  if (digest === undefined && !unavailable.has("digest") && o.digest === undefined) {
    issues.error(join(path, "digest"), "is required: the reference names a tag, not a digest");
  }
  const signatures: SignatureFacts = {
    verified: readEach(
      issues,
      join(path, "signatures"),
      o.signatures,
      readSignature(issues, digest),
    ),
    rejected: readEach(
      issues,
      join(path, "rejectedSignatures"),
      o.rejectedSignatures,
      readRejected(issues),
    ),
  };
  const attestations: AttestationFacts = {
    verified: readEach(issues, join(path, "attestations"), o.attestations, readAttestation(issues)),
    rejected: readEach(
      issues,
      join(path, "rejectedAttestations"),
      o.rejectedAttestations,
      readRejected(issues),
    ),
  };
  // Absent groups read as what a registry holding nothing more answers: no signatures, no
  // attestations, a config with no labels and no user, no vulnerability report. Each of
  // those fails the recipe that needs it, as it would against the registry.
  const metadata = readMetadata(issues, join(path, "metadata"), o.metadata ?? {});
  const report =
    o.vulnerabilities === undefined || o.vulnerabilities === null
      ? undefined
      : readReport(issues, join(path, "vulnerabilities"), o.vulnerabilities, reader);
  const pick = <T>(group: Group, fact: Fact<T>): Fact<T> => unavailable.get(group) ?? fact;
  return {
    key,
    ref,
    digest: pick(
      "digest",
      digest === undefined
        ? { ok: false, code: "DIGEST_UNRESOLVED", message: `${key}: no digest` }
        : ok(digest),
    ),
    signatures: pick("signatures", ok(signatures)),
    attestations: pick("attestations", ok(attestations)),
    metadata: pick("metadata", ok(metadata)),
    vulnerabilities: pick("vulnerabilities", ok(report)),
  };
}

export type FactsFileResult =
  | { readonly ok: true; readonly images: readonly OfflineImage[] }
  | { readonly ok: false; readonly issues: readonly PolicyIssue[] };

/**
 * Validates a parsed facts file; every problem is reported with its field path. `readReport`
 * reads the scanner reports it names (the core reads no file).
 */
export function validateFactsFile(
  doc: unknown,
  options: { readonly readReport?: ReportReader } = {},
): FactsFileResult {
  const issues = new FactIssues();
  const o = issues.readObject("", doc, ["apiVersion", "kind", "images"]);
  if (o === undefined) return { ok: false, issues: issues.issues };
  if (o.apiVersion !== "customs.dev/v1alpha1")
    issues.error("apiVersion", "must be customs.dev/v1alpha1");
  if (o.kind !== FACTS_KIND) issues.error("kind", `must be ${FACTS_KIND}`);
  const images: OfflineImage[] = [];
  if (!isPlainObject(o.images)) {
    issues.error("images", `expected an object (image: facts), got ${typeName(o.images)}`);
  } else {
    const seen = new Map<string, string>();
    for (const [key, value] of Object.entries(o.images)) {
      const entry = readEntry(issues, key, value, options.readReport);
      if (entry === undefined) continue;
      const normalized = toNormalizedString(entry.ref);
      const first = seen.get(normalized);
      if (first !== undefined) {
        issues.error(join("images", key), `is the same image as "${first}"`);
        continue;
      }
      seen.set(normalized, key);
      images.push(entry);
    }
  }
  return issues.hasErrors ? { ok: false, issues: issues.issues } : { ok: true, images };
}

function withImpliedTag(ref: ImageReference): ImageReference {
  return ref.tag === undefined && ref.digest === undefined ? { ...ref, tag: "latest" } : ref;
}

/**
 * The facts file's entry for an image: the same normalized reference (`busybox` is
 * `docker.io/library/busybox:latest`), else an entry for the same repository and digest
 * (its key's digest or its `digest`: `app:v1@sha256:…` finds `app@sha256:…`, and finds `app:v1`
 * whose digest is that one, since the digest names the bytes).
 */
export function offlineImageFor(
  images: readonly OfflineImage[],
  ref: ImageReference,
): OfflineImage | undefined {
  const wanted = toNormalizedString(withImpliedTag(ref));
  const exact = images.find((i) => toNormalizedString(withImpliedTag(i.ref)) === wanted);
  if (exact !== undefined || ref.digest === undefined) return exact;
  const digestOf = (i: OfflineImage) => i.ref.digest ?? (i.digest.ok ? i.digest.value : undefined);
  return images.find(
    (i) => i.ref.domain === ref.domain && i.ref.path === ref.path && digestOf(i) === ref.digest,
  );
}

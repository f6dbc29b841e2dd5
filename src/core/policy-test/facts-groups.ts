import { isCustomsError } from "../errors.js";
import { type IssueCollector, isPlainObject, join, typeName } from "../policy/fields.js";
import type {
  ImageMetadata,
  RejectedSignature,
  Signer,
  VerifiedAttestation,
  VerifiedSignature,
  Vulnerability,
  VulnerabilityReport,
  VulnerabilitySeverity,
} from "../supply/facts.js";

/**
 * Readers of the fact groups of one image in a facts file (facts.ts reads the file and its
 * entries): each records its problems with their field paths and returns the core's type.
 */

const DIGEST = /^sha256:[0-9a-f]{64}$/;

const REJECTIONS = [
  "SIGNATURE_INVALID",
  "SIGNATURE_DIGEST_MISMATCH",
  "SIGNATURE_UNTRUSTED",
] as const;
const SEVERITIES: readonly VulnerabilitySeverity[] = [
  "unknown",
  "negligible",
  "low",
  "medium",
  "high",
  "critical",
];

/** `key: NAME` (a key authority, by the name the policy gives it) or `issuer` and `subject`. */
function readSigner(issues: IssueCollector, path: string, o: Record<string, unknown>) {
  const key = issues.readString(join(path, "key"), o.key, { nonEmpty: true });
  const issuer = issues.readString(join(path, "issuer"), o.issuer, { nonEmpty: true });
  const subject = issues.readString(join(path, "subject"), o.subject, { nonEmpty: true });
  if (key !== undefined && (issuer !== undefined || subject !== undefined)) {
    issues.error(path, "gives `key` and `issuer`/`subject`: a signer is one or the other");
    return undefined;
  }
  if (key !== undefined) return { kind: "key", keyId: key } satisfies Signer;
  if (issuer === undefined || subject === undefined) {
    issues.error(path, "needs `key` (an authority's name) or both `issuer` and `subject`");
    return undefined;
  }
  return { kind: "keyless", issuer, subject } satisfies Signer;
}

export function readDigest(
  issues: IssueCollector,
  path: string,
  value: unknown,
): string | undefined {
  const d = issues.readString(path, value, { nonEmpty: true });
  if (d !== undefined && !DIGEST.test(d)) issues.error(path, `"${d}" is not sha256:<64 hex>`);
  return d !== undefined && DIGEST.test(d) ? d : undefined;
}

export function readEach<T>(
  issues: IssueCollector,
  path: string,
  value: unknown,
  read: (path: string, item: unknown) => T | undefined,
): T[] {
  const out: T[] = [];
  (issues.readList(path, value) ?? []).forEach((item, i) => {
    const r = read(join(path, i), item);
    if (r !== undefined) out.push(r);
  });
  return out;
}

export function readSignature(issues: IssueCollector, digest: string | undefined) {
  const fields = ["key", "issuer", "subject", "transparencyLog", "digest", "format"];
  return (path: string, item: unknown): VerifiedSignature | undefined => {
    const o = issues.readObject(path, item, fields);
    if (o === undefined) return undefined;
    const signer = readSigner(issues, path, o);
    const signed =
      o.digest === undefined ? digest : readDigest(issues, join(path, "digest"), o.digest);
    const log = issues.readBoolean(join(path, "transparencyLog"), o.transparencyLog) ?? false;
    const format =
      issues.readEnum(join(path, "format"), o.format, ["cosign-v2", "sigstore-bundle"] as const) ??
      "cosign-v2";
    if (signer === undefined || signed === undefined) return undefined;
    return { signer, digest: signed, transparencyLog: log, format };
  };
}

export function readAttestation(issues: IssueCollector) {
  const fields = ["key", "issuer", "subject", "predicateType", "predicate"];
  return (path: string, item: unknown): VerifiedAttestation | undefined => {
    const o = issues.readObject(path, item, fields);
    if (o === undefined) return undefined;
    const signer = readSigner(issues, path, o);
    const type = issues.readString(join(path, "predicateType"), o.predicateType, {
      required: true,
      nonEmpty: true,
    });
    if (o.predicate === undefined) issues.error(join(path, "predicate"), "is required");
    if (signer === undefined || type === undefined) return undefined;
    return { signer, predicateType: type, predicate: o.predicate };
  };
}

export function readRejected(issues: IssueCollector) {
  return (path: string, item: unknown): RejectedSignature | undefined => {
    const o = issues.readObject(path, item, ["code", "message"]);
    if (o === undefined) return undefined;
    const code = issues.readEnum(join(path, "code"), o.code, REJECTIONS);
    const message = issues.readString(join(path, "message"), o.message) ?? "rejected";
    return code === undefined ? undefined : { code, message };
  };
}

function readStringMap(issues: IssueCollector, path: string, value: unknown) {
  const out: Record<string, string> = {};
  if (value === undefined || value === null) return out;
  if (!isPlainObject(value)) {
    issues.error(path, `expected an object of strings, got ${typeName(value)}`);
    return out;
  }
  for (const [k, v] of Object.entries(value)) {
    const s = issues.readString(join(path, k), v, { required: true });
    if (s !== undefined) out[k] = s;
  }
  return out;
}

export function readMetadata(issues: IssueCollector, path: string, value: unknown): ImageMetadata {
  const o = issues.readObject(path, value, ["labels", "annotations", "user", "created"]) ?? {};
  const created = issues.readString(join(path, "created"), o.created, { nonEmpty: true });
  if (created !== undefined && Number.isNaN(Date.parse(created))) {
    issues.error(join(path, "created"), `"${created}" is not a date-time`);
  }
  return {
    labels: readStringMap(issues, join(path, "labels"), o.labels),
    annotations: readStringMap(issues, join(path, "annotations"), o.annotations),
    user: issues.readString(join(path, "user"), o.user) ?? "",
    ...(created === undefined ? {} : { created }),
  };
}

function readStrings(issues: IssueCollector, path: string, value: unknown): string[] {
  return readEach(issues, path, value, (p, item) =>
    issues.readString(p, item, { required: true, nonEmpty: true }),
  );
}

function readFinding(issues: IssueCollector) {
  const fields = ["id", "aliases", "severity", "package", "installedVersion", "fixedVersions"];
  return (path: string, item: unknown): Vulnerability | undefined => {
    const o = issues.readObject(path, item, [...fields, "title"]);
    if (o === undefined) return undefined;
    const id = issues.readString(join(path, "id"), o.id, { required: true, nonEmpty: true });
    if (o.severity === undefined) issues.error(join(path, "severity"), "is required");
    const severity = issues.readEnum(join(path, "severity"), o.severity, SEVERITIES);
    const title = issues.readString(join(path, "title"), o.title);
    const v = {
      id: id ?? "",
      aliases: readStrings(issues, join(path, "aliases"), o.aliases),
      severity: severity ?? "unknown",
      package: issues.readString(join(path, "package"), o.package) ?? "",
      installedVersion: issues.readString(join(path, "installedVersion"), o.installedVersion) ?? "",
      fixedVersions: readStrings(issues, join(path, "fixedVersions"), o.fixedVersions),
      ...(title === undefined ? {} : { title }),
    };
    return id === undefined || severity === undefined ? undefined : v;
  };
}

/** Reads a scanner's report file named in a facts file (relative to it); throws when it cannot. */
export type ReportReader = (file: string) => VulnerabilityReport;

/**
 * A report written inline (`scanner`, `createdAt`, `findings`), or `report: FILE`, a
 * scanner's own output (Trivy, Grype, SARIF, a cosign attestation, Harbor) read as
 * `customs vuln show` reads it.
 */
export function readReport(
  issues: IssueCollector,
  path: string,
  value: unknown,
  reader: ReportReader | undefined,
): VulnerabilityReport | undefined {
  const fields = ["scanner", "createdAt", "artifact", "findings", "report"];
  const o = issues.readObject(path, value, fields);
  if (o === undefined) return undefined;
  if (o.report !== undefined) return readReportFile(issues, path, o, reader);
  const createdAt = issues.readString(join(path, "createdAt"), o.createdAt, { nonEmpty: true });
  if (createdAt !== undefined && Number.isNaN(Date.parse(createdAt))) {
    issues.error(join(path, "createdAt"), `"${createdAt}" is not a date-time`);
  }
  const artifact = issues.readString(join(path, "artifact"), o.artifact, { nonEmpty: true });
  const report: VulnerabilityReport = {
    scanner: issues.readString(join(path, "scanner"), o.scanner, { nonEmpty: true }) ?? "facts",
    vulnerabilities: readEach(issues, join(path, "findings"), o.findings, readFinding(issues)),
    ...(createdAt === undefined ? {} : { createdAt }),
    ...(artifact === undefined ? {} : { artifact }),
  };
  return report;
}

function readReportFile(
  issues: IssueCollector,
  path: string,
  o: Record<string, unknown>,
  reader: ReportReader | undefined,
): VulnerabilityReport | undefined {
  const at = join(path, "report");
  const file = issues.readString(at, o.report, { nonEmpty: true });
  // Half a report from the file and half from here would be neither the scan nor the test.
  const others = Object.keys(o).filter((k) => k !== "report");
  if (others.length > 0) {
    issues.error(
      path,
      `\`report\` reads the whole report from a file: leave out ${others.join(", ")}`,
    );
    return undefined;
  }
  if (file === undefined) return undefined;
  if (reader === undefined) {
    issues.error(at, "report files are not read here");
    return undefined;
  }
  try {
    return reader(file);
  } catch (e) {
    if (!isCustomsError(e)) throw e;
    issues.error(at, e.message);
    return undefined;
  }
}

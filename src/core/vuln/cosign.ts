/**
 * cosign's vulnerability attestation, predicate type
 * https://cosign.sigstore.dev/attestation/vuln/v1 (cosign specs/COSIGN_VULN_ATTESTATION_SPEC.md):
 * `scanner.result` holds the scanner's own report, which is detected and read as such.
 */
import type { VulnerabilityReport } from "../supply/facts.js";
import { toReport } from "./normalize.js";
import { type JsonObject, ReportReader } from "./read.js";

export const COSIGN_VULN_PREDICATE = "https://cosign.sigstore.dev/attestation/vuln/v1";

/** Reads the scanner's own report inside the predicate (Trivy, Grype, SARIF, Harbor). */
export type ScannerResultParser = (json: unknown, name: string) => VulnerabilityReport;

export function parseCosignVulnAttestation(
  json: unknown,
  name: string,
  parseResult: ScannerResultParser,
): VulnerabilityReport {
  const r: ReportReader = new ReportReader(name, "cosign vulnerability attestation");
  const root = r.object(json, []);
  const { predicate, prefix } = predicateOf(r, root);
  const scanner = r.object(predicate.scanner, [...prefix, "scanner"]);
  const result = scanner.result;
  if (result === undefined || result === null) {
    r.fail([...prefix, "scanner", "result"], "missing: the attestation carries no scan result");
  }
  const inner = parseResult(result, `${name} ${[...prefix, "scanner", "result"].join(".")}`);
  const uri = r.optionalString(scanner.uri, [...prefix, "scanner", "uri"]);
  const metadata =
    predicate.metadata === undefined || predicate.metadata === null
      ? {}
      : r.object(predicate.metadata, [...prefix, "metadata"]);
  const finished = r.optionalString(metadata.scanFinishedOn, [
    ...prefix,
    "metadata",
    "scanFinishedOn",
  ]);
  const createdAt = finished || inner.createdAt;
  const artifact = subjectOf(root) ?? inner.artifact;
  return toReport(
    `cosign-vuln:${toolOf(uri) ?? inner.scanner}`,
    createdAt,
    artifact,
    inner.vulnerabilities,
  );
}

/** The bare predicate, or an in-toto statement that wraps it (whose type is checked). */
function predicateOf(
  r: ReportReader,
  root: JsonObject,
): { predicate: JsonObject; prefix: string[] } {
  if (root.predicate === undefined) return { predicate: root, prefix: [] };
  if (root.predicateType !== COSIGN_VULN_PREDICATE) {
    r.fail(
      ["predicateType"],
      `expected ${COSIGN_VULN_PREDICATE}, got ${JSON.stringify(root.predicateType) ?? "nothing"}`,
    );
  }
  return { predicate: r.object(root.predicate, ["predicate"]), prefix: ["predicate"] };
}

/** `pkg:github/aquasecurity/trivy@v0.50.1` names the tool `trivy`. */
function toolOf(uri: string | undefined): string | undefined {
  const last = uri?.split("@")[0]?.split("/").pop()?.trim().toLowerCase();
  return last ? last : undefined;
}

/** The statement's first subject, as `name@sha256:…`. */
function subjectOf(root: JsonObject): string | undefined {
  const first = Array.isArray(root.subject) ? (root.subject[0] as unknown) : undefined;
  if (typeof first !== "object" || first === null) return undefined;
  const { name, digest } = first as JsonObject;
  const sha =
    typeof digest === "object" && digest !== null ? (digest as JsonObject).sha256 : undefined;
  if (typeof name !== "string" || name === "") return undefined;
  return typeof sha === "string" && sha !== "" ? `${name}@sha256:${sha}` : name;
}

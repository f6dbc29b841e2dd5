/**
 * Grype JSON reports (`grype -o json`): `matches[]` of a vulnerability and the artifact
 * (package) it was found in; https://github.com/anchore/grype (grype/presenter/models).
 */
import type { Vulnerability, VulnerabilityReport } from "../supply/facts.js";
import { toReport, toTitle } from "./normalize.js";
import { type JsonPath, ReportReader } from "./read.js";
import { toVulnerabilitySeverity } from "./severity.js";

export function parseGrypeReport(json: unknown, name: string): VulnerabilityReport {
  const r: ReportReader = new ReportReader(name, "Grype");
  const root = r.object(json, []);
  if (!Array.isArray(root.matches)) r.fail(["matches"], "expected a list of matches");
  const found = r
    .list(root.matches, ["matches"])
    .map((m, i) => toVulnerability(r, m, ["matches", i]));
  const descriptor = root.descriptor === undefined ? {} : r.object(root.descriptor, ["descriptor"]);
  const createdAt = r.optionalString(descriptor.timestamp, ["descriptor", "timestamp"]);
  return toReport("grype", createdAt, artifactOf(r, root.source), found);
}

function artifactOf(r: ReportReader, source: unknown): string | undefined {
  if (source === undefined || source === null) return undefined;
  const target = r.object(source, ["source"]).target;
  // For a directory or file scan, `target` is the path as a string.
  if (typeof target === "string") return target;
  if (target === undefined || target === null) return undefined;
  return r.optionalString(r.object(target, ["source", "target"]).userInput, [
    "source",
    "target",
    "userInput",
  ]);
}

function toVulnerability(r: ReportReader, value: unknown, path: JsonPath): Vulnerability {
  const match = r.object(value, path);
  const vp = [...path, "vulnerability"];
  const v = r.object(match.vulnerability, vp);
  const ap = [...path, "artifact"];
  const artifact = r.object(match.artifact, ap);
  const id = r.text(v.id, [...vp, "id"]);
  const aliases = r.list(match.relatedVulnerabilities, [...path, "relatedVulnerabilities"]);
  const title = toTitle(r.optionalString(v.description, [...vp, "description"]));
  return {
    id,
    aliases: aliases.map((a, i) => {
      const ip = [...path, "relatedVulnerabilities", i];
      return r.text(r.object(a, ip).id, [...ip, "id"]);
    }),
    severity: toVulnerabilitySeverity(r.optionalString(v.severity, [...vp, "severity"])),
    package: r.text(artifact.name, [...ap, "name"]),
    installedVersion: r.optionalString(artifact.version, [...ap, "version"]) ?? "",
    fixedVersions: fixedVersionsOf(r, v.fix, [...vp, "fix"]),
    ...(title ? { title } : {}),
  };
}

/** Versions count only when the state is `fixed`; `not-fixed`/`wont-fix`/`unknown` have none. */
function fixedVersionsOf(r: ReportReader, value: unknown, path: JsonPath): string[] {
  if (value === undefined || value === null) return [];
  const fix = r.object(value, path);
  const state = r.optionalString(fix.state, [...path, "state"]);
  const versions = r.strings(fix.versions, [...path, "versions"]);
  return state === undefined || state === "fixed" ? versions : [];
}

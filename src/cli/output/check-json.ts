import { type CheckReport, violationProperties } from "../../app/check/index.js";

/** `customs check -o json`, field for field as spec/policy-language.md's output contract. */
export function toCheckJson(report: CheckReport): unknown {
  return {
    summary: report.summary,
    results: report.results.map((r) => ({
      apiVersion: r.apiVersion,
      kind: r.kind,
      namespace: r.namespace,
      name: r.name,
      source: r.source,
      verdict: r.verdict,
      violations: r.violations.map((v) => ({
        ...violationProperties(v),
        code: v.code,
        message: v.message,
      })),
      // Only when an exception was used: every decision it touched says so.
      ...(r.exempted === undefined || r.exempted.length === 0
        ? {}
        : {
            exemptions: r.exempted.map((e) => ({
              policy: e.policy,
              exception: e.exception,
              expires: e.expires,
              container: e.container,
              containerType: e.containerType,
              image: e.image,
              normalizedImage: e.normalizedImage,
              code: e.code,
              message: e.message,
            })),
          }),
    })),
    ...(report.notes === undefined ? {} : { notes: report.notes }),
  };
}

import type { CheckReport } from "../../app/check/index.js";

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
        policy: v.policy,
        action: v.action,
        container: v.container,
        containerType: v.containerType,
        image: v.image,
        normalizedImage: v.normalizedImage,
        code: v.code,
        message: v.message,
      })),
    })),
    ...(report.notes === undefined ? {} : { notes: report.notes }),
  };
}

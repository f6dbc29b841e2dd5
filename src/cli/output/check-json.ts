import { type CheckReport, violationProperties } from "../../app/check/index.js";

/** `customs check -o json`, field for field as spec/policy-language.md's output contract. */
export function toCheckJson(report: CheckReport): unknown {
  return {
    summary: report.summary,
    results: report.results.map(resultJson),
    ...(report.notes === undefined ? {} : { notes: report.notes }),
  };
}

/** Where a multi-line JSON text goes `depth` levels deeper, as JSON.stringify indents it. */
function deeper(text: string, depth: string): string {
  // JSON.stringify escapes line feeds inside strings: every one in its output is layout.
  return text.replaceAll("\n", `\n${depth}`);
}

/** About how much text each chunk of checkJsonChunks holds. */
const CHUNK = 64 * 1024;

/**
 * `-o json` a piece at a time: the same bytes as JSON.stringify(toCheckJson(report), null, 2)
 * and a line feed, without the whole text, or a copy of every result, in memory at once. A
 * report of 100,000 workloads is a text of about 90 MB.
 */
export function* checkJsonChunks(report: CheckReport): Generator<string> {
  let out = `{\n  "summary": ${deeper(JSON.stringify(report.summary, null, 2), "  ")},\n  "results": `;
  const { results } = report;
  if (results.length === 0) out += "[]";
  else {
    out += "[\n";
    for (let i = 0; i < results.length; i++) {
      const r = results[i] as CheckReport["results"][number];
      out += `    ${deeper(JSON.stringify(resultJson(r), null, 2), "    ")}`;
      out += i < results.length - 1 ? ",\n" : "\n";
      if (out.length >= CHUNK) {
        yield out;
        out = "";
      }
    }
    out += "  ]";
  }
  if (report.notes !== undefined) {
    out += `,\n  "notes": ${deeper(JSON.stringify(report.notes, null, 2), "  ")}`;
  }
  yield `${out}\n}\n`;
}

function resultJson(r: CheckReport["results"][number]) {
  return {
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
  };
}

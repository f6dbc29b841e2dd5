/**
 * Reading one vulnerability report from a file or standard input, with the line and column
 * of a wrong field added to the error (the pure parsers only know the JSON path).
 */
import { readInputs, readTextFile } from "../../adapters/files/index.js";
import { CustomsError, isCustomsError } from "../../core/errors.js";
import type { VulnerabilityReport } from "../../core/supply/facts.js";
import { parseVulnerabilityReport } from "../../core/vuln/index.js";
import { JsonLocator, jsonStart, LineIndex } from "../documents/index.js";

/** `path` as the user gave it; `-` reads standard input. */
export async function readVulnerabilityReport(path: string): Promise<VulnerabilityReport> {
  const text =
    path === "-"
      ? ((await readInputs([path]))[0]?.text ?? "")
      : await readTextFile(path, { what: "report file" });
  return parseVulnerabilityReportText(text, path);
}

/** Like parseVulnerabilityReport, with `name:line:column` in shape errors. */
export function parseVulnerabilityReportText(text: string, name: string): VulnerabilityReport {
  try {
    return parseVulnerabilityReport(text, name);
  } catch (e) {
    if (!isCustomsError(e) || e.code !== "VULN_REPORT_INVALID" || e.path === undefined) throw e;
    const at = locate(text, e.path);
    if (at === undefined || !e.message.startsWith(`${name}: `)) throw e;
    const { line, column } = new LineIndex(text).positionAt(at);
    const rest = e.message.slice(name.length + 2);
    throw new CustomsError(e.code, `${name}:${line}:${column}: ${rest}`, e.path);
  }
}

function locate(text: string, pointer: string): number | undefined {
  const start = jsonStart(text);
  if (start < 0) return undefined;
  const segments =
    pointer === ""
      ? []
      : pointer
          .slice(1)
          .split("/")
          .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
  // A missing member is reported where its parent is.
  for (let n = segments.length; n >= 0; n--) {
    const at = new JsonLocator(text, start).locate(segments.slice(0, n));
    if (at !== undefined) return at;
  }
  return undefined;
}

/**
 * Reading untrusted report JSON by hand, with the JSON path of every wrong field in the
 * error. Reports come from scanners, CI artifacts and registries: a field of the wrong type
 * is an input error that names where, never a TypeError.
 */
import { CustomsError } from "../errors.js";

export type JsonObject = Readonly<Record<string, unknown>>;
export type JsonPath = readonly (string | number)[];

/** Larger texts are refused before parsing: 256 MiB is far above any real scan of an image. */
export const MAX_REPORT_CHARS = 256 * 1024 * 1024;
/** More findings than any image has; bounds the work of deduplication and diffs. */
export const MAX_VULNERABILITIES = 1_000_000;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `$.Results[0].Vulnerabilities[3].PkgName`, the form people read and `jq` accepts. */
export function toJsonPathText(path: JsonPath): string {
  return `$${path
    .map((s) =>
      typeof s === "number" ? `[${s}]` : IDENTIFIER.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`,
    )
    .join("")}`;
}

/** RFC 6901 pointer, kept in `CustomsError.path` so callers can find the line. */
export function toJsonPointer(path: JsonPath): string {
  return path.map((s) => `/${String(s).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Typed access to one report's JSON; every failure names the file, format and JSON path. */
export class ReportReader {
  constructor(
    readonly name: string,
    readonly format: string,
  ) {}

  fail(path: JsonPath, message: string): never {
    throw new CustomsError(
      "VULN_REPORT_INVALID",
      `${this.name}: ${this.format} report: ${toJsonPathText(path)}: ${message}`,
      toJsonPointer(path),
    );
  }

  object(value: unknown, path: JsonPath): JsonObject {
    if (!isJsonObject(value)) this.fail(path, `expected an object, got ${kindOf(value)}`);
    return value;
  }

  /** An absent or null list reads as empty: scanners write `null` for "nothing found". */
  list(value: unknown, path: JsonPath): readonly unknown[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) this.fail(path, `expected a list, got ${kindOf(value)}`);
    if (value.length > MAX_VULNERABILITIES) {
      throw new CustomsError(
        "VULN_REPORT_TOO_LARGE",
        `${this.name}: ${toJsonPathText(path)}: more than ${MAX_VULNERABILITIES} entries`,
        toJsonPointer(path),
      );
    }
    return value;
  }

  string(value: unknown, path: JsonPath): string {
    if (typeof value !== "string") this.fail(path, `expected a string, got ${kindOf(value)}`);
    return value;
  }

  /** A string that must not be empty (IDs, package names). */
  text(value: unknown, path: JsonPath): string {
    const s = this.string(value, path);
    if (s.trim() === "") this.fail(path, "must not be empty");
    return s;
  }

  /** Absent and null read as undefined; any other non-string is an error. */
  optionalString(value: unknown, path: JsonPath): string | undefined {
    if (value === undefined || value === null) return undefined;
    return this.string(value, path);
  }

  strings(value: unknown, path: JsonPath): string[] {
    return this.list(value, path).map((item, i) => this.string(item, [...path, i]));
  }
}

export function kindOf(value: unknown): string {
  if (value === undefined) return "nothing (the field is missing)";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return `the string ${JSON.stringify(value.slice(0, 40))}`;
  return `${typeof value} ${String(value)}`;
}

/** Parses report text; a syntax error names the line and column. */
export function parseReportJson(text: string, name: string): unknown {
  if (text.length > MAX_REPORT_CHARS) {
    throw new CustomsError(
      "VULN_REPORT_TOO_LARGE",
      `${name}: report is larger than ${MAX_REPORT_CHARS / 1024 / 1024} MiB`,
    );
  }
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    throw new CustomsError(
      "VULN_REPORT_INVALID",
      `${name}${where(body, detail)}: not JSON: ${printable(detail)}`,
    );
  }
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * Control characters escaped as `\uXXXX`: report text reaches terminals and CI logs, and no
 * ID, package, version or title legitimately holds an escape sequence. A description's line
 * breaks are already cut by the title rule.
 */
export function clean(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** V8 quotes the text near the error: control characters must not reach a terminal. */
function printable(text: string): string {
  return clean(text.length > 300 ? `${text.slice(0, 300)}…` : text);
}

/** `:line:column` from the "position N" V8 puts in JSON syntax errors, or the end of text. */
function where(text: string, detail: string): string {
  const match = /position (\d+)/.exec(detail);
  const offset = match ? Number(match[1]) : /end of JSON/.test(detail) ? text.length : -1;
  if (offset < 0) return "";
  let line = 1;
  let start = 0;
  for (let at = text.indexOf("\n"); at !== -1 && at < offset; at = text.indexOf("\n", at + 1)) {
    line++;
    start = at + 1;
  }
  return `:${line}:${offset - start + 1}`;
}

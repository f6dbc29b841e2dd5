/**
 * The scan overview of an artifact (`?with_scan_overview=true`): whether a scan finished, and
 * its counts. Harbor API v2.0 `NativeReportSummary`; keys are report MIME types.
 */
import { CustomsError } from "../../core/errors.js";
import { HARBOR_REPORT_TYPES } from "../../core/vuln/index.js";

export interface HarborScanOverview {
  /** Harbor's word: Success, Running, Pending, Error, Stopped, … */
  readonly status: string;
  /** Highest severity found, as Harbor writes it (Critical, High, …, None). */
  readonly severity?: string;
  readonly finishedAt?: string;
  /** Counts by Harbor's severity word. */
  readonly counts: Readonly<Record<string, number>>;
  readonly total?: number;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Undefined when the artifact was never scanned (no overview for any report type). */
export function toScanOverview(artifact: unknown, where: string): HarborScanOverview | undefined {
  if (!isObject(artifact)) {
    throw new CustomsError("HARBOR_ERROR", `Harbor ${where}: the artifact is not a JSON object`);
  }
  const overview = artifact.scan_overview;
  if (!isObject(overview)) return undefined;
  const key =
    HARBOR_REPORT_TYPES.find((t) => isObject(overview[t])) ??
    Object.keys(overview).find((k) => isObject(overview[k]));
  if (key === undefined) return undefined;
  const entry = overview[key] as Json;
  const summary = isObject(entry.summary) ? entry.summary : {};
  const counts: Record<string, number> = {};
  if (isObject(summary.summary)) {
    for (const [word, n] of Object.entries(summary.summary))
      if (typeof n === "number") counts[word] = n;
  }
  return {
    status: typeof entry.scan_status === "string" ? entry.scan_status : "Unknown",
    ...(typeof entry.severity === "string" ? { severity: entry.severity } : {}),
    ...(typeof entry.end_time === "string" ? { finishedAt: entry.end_time } : {}),
    ...(typeof summary.total === "number" ? { total: summary.total } : {}),
    counts,
  };
}

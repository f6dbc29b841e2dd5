/**
 * Reads and writes baseline files (JSON, so a review diff shows one entry per change) and
 * applies them to a scan's findings. What a baseline holds and means: core/secrets/baseline.ts.
 */
import { readOptionalTextFile, writeFileAtomic } from "../../adapters/files/index.js";
import { CustomsError } from "../../core/errors.js";
import type { Finding, FindingReport } from "../../core/findings/index.js";
import {
  applyBaseline,
  BASELINE_STALE_RULE,
  type Baseline,
  buildBaseline,
  staleNotes,
  validateBaseline,
} from "../../core/secrets/index.js";

export async function readBaseline(path: string): Promise<Baseline | undefined> {
  const text = await readOptionalTextFile(path);
  if (text === undefined) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new CustomsError("SECRETS_BASELINE_INVALID", `${path}: not JSON: ${why}`);
  }
  const result = validateBaseline(doc);
  if (result.ok) return result.baseline;
  const messages = result.issues.map((i) => `${path}: ${i.path || "(document)"}: ${i.message}`);
  throw new CustomsError("SECRETS_BASELINE_INVALID", messages.join("\n"), result.issues[0]?.path);
}

async function requireBaseline(path: string): Promise<Baseline> {
  const baseline = await readBaseline(path);
  if (baseline === undefined)
    throw new CustomsError("SECRETS_BASELINE_INVALID", `${path}: no such baseline file`);
  return baseline;
}

export interface BaselineFiles {
  /** Suppress the findings this file lists; it must exist. */
  readonly baselineFile?: string;
  /** Write the current findings here (keeping reasons already there), then suppress them. */
  readonly writeBaselineFile?: string;
}

/**
 * The report with baselined findings left out, their number in `scanned.suppressed`, and a
 * note for each entry that matched nothing.
 */
export async function withBaseline(
  report: FindingReport,
  files: BaselineFiles,
  today: string,
): Promise<FindingReport> {
  let baseline =
    files.baselineFile === undefined ? undefined : await requireBaseline(files.baselineFile);
  let source = files.baselineFile;
  if (files.writeBaselineFile !== undefined) {
    const previous = baseline ?? (await readBaseline(files.writeBaselineFile));
    baseline = buildBaseline(report.findings, previous, today);
    // 0o644: the file names places, never secrets, and is meant to be committed.
    await writeFileAtomic(files.writeBaselineFile, `${JSON.stringify(baseline, null, 2)}\n`, {
      mode: 0o644,
    });
    source = files.writeBaselineFile;
  }
  if (baseline === undefined || source === undefined) return report;
  const applied = applyBaseline(report.findings, baseline);
  const findings: Finding[] = [...applied.kept, ...staleNotes(applied.stale, source)];
  return {
    ...report,
    findings,
    rules: applied.stale.length > 0 ? [...report.rules, BASELINE_STALE_RULE] : report.rules,
    scanned: { ...report.scanned, suppressed: applied.suppressed },
  };
}

/**
 * A baseline: findings a team has looked at and accepted, listed by fingerprint, so that a
 * secret removed long ago (and rotated) stops failing every later change without being
 * written down anywhere. Entries hold the fingerprint and where it points (rule, path,
 * commit), never the secret nor its redacted form: the file is meant to be committed.
 *
 * Fingerprints name the place, not the value (see collect.ts): for history findings
 * `secrets/RULE/COMMIT:PATH:LINE`, stable for as long as the commit exists, because a
 * commit's content never changes.
 */
import type { Finding, RuleDescriptor } from "../findings/types.js";
import { IssueCollector, join } from "../policy/fields.js";
import type { PolicyIssue } from "../policy/types.js";

export const BASELINE_VERSION = 1;
const CODE = "SECRETS_BASELINE_INVALID";
/** Rule of the note that says a baseline entry matched nothing in this scan. */
export const BASELINE_STALE = "baseline-stale";
export const BASELINE_STALE_RULE: RuleDescriptor = {
  id: BASELINE_STALE,
  name: "Baseline entry matched nothing",
  severity: "info",
  summary:
    "A baseline entry matched no finding of this scan: the secret is gone from what was scanned (or the scan covered fewer commits).",
  fix: "Remove the entry, or rewrite the baseline with --write-baseline.",
};

export interface BaselineEntry {
  readonly fingerprint: string;
  readonly ruleId?: string;
  readonly path?: string;
  readonly commit?: string;
  /** Why it is accepted ("rotated 2024-05-02"), for the next reader. */
  readonly reason?: string;
  /** When it was added, YYYY-MM-DD. */
  readonly added?: string;
}

export interface Baseline {
  readonly version: number;
  readonly findings: readonly BaselineEntry[];
}

export type BaselineResult =
  | { readonly ok: true; readonly baseline: Baseline }
  | { readonly ok: false; readonly issues: readonly PolicyIssue[] };

const ENTRY_FIELDS = ["fingerprint", "ruleId", "path", "commit", "reason", "added"] as const;

/** Validates a parsed baseline file; every problem with its field path. */
export function validateBaseline(doc: unknown): BaselineResult {
  const issues = new IssueCollector();
  const o = issues.readObject("", doc, ["version", "findings"]);
  if (o === undefined) return { ok: false, issues: issues.issues };
  if (o.version !== BASELINE_VERSION) issues.error("version", `must be ${BASELINE_VERSION}`, CODE);
  const list = issues.readList("findings", o.findings ?? []) ?? [];
  const seen = new Set<string>();
  const findings: BaselineEntry[] = [];
  list.forEach((item, i) => {
    const path = join("findings", i);
    const e = issues.readObject(path, item, ENTRY_FIELDS);
    if (e === undefined) return;
    const entry: Record<string, string> = {};
    for (const field of ENTRY_FIELDS) {
      const v = issues.readString(join(path, field), e[field], {
        required: field === "fingerprint",
        nonEmpty: true,
      });
      if (v !== undefined) entry[field] = v;
    }
    const fp = entry.fingerprint;
    if (fp === undefined) return;
    if (seen.has(fp)) issues.error(join(path, "fingerprint"), "is listed twice", CODE);
    seen.add(fp);
    findings.push(entry as unknown as BaselineEntry);
  });
  return issues.hasErrors
    ? { ok: false, issues: issues.issues }
    : { ok: true, baseline: { version: BASELINE_VERSION, findings } };
}

export interface BaselineApplied {
  readonly kept: readonly Finding[];
  readonly suppressed: number;
  /** Entries no finding of this scan matched (fixed, or outside the scanned range). */
  readonly stale: readonly BaselineEntry[];
}

export function applyBaseline(findings: readonly Finding[], baseline: Baseline): BaselineApplied {
  const listed = new Map(baseline.findings.map((e) => [e.fingerprint, e]));
  const matched = new Set<string>();
  const kept: Finding[] = [];
  for (const f of findings) {
    if (f.fingerprint !== undefined && listed.has(f.fingerprint)) matched.add(f.fingerprint);
    else kept.push(f);
  }
  return {
    kept,
    suppressed: findings.length - kept.length,
    stale: baseline.findings.filter((e) => !matched.has(e.fingerprint)),
  };
}

/** A note per stale entry: info, so it never fails a build, yet says the entry can go. */
export function staleNotes(stale: readonly BaselineEntry[], file: string): Finding[] {
  return stale.map((e) => ({
    tool: "secrets",
    ruleId: BASELINE_STALE,
    severity: "info",
    message: `baseline entry matched no finding: ${e.fingerprint}`,
    location: { path: file },
    fix: BASELINE_STALE_RULE.fix,
    fingerprint: `secrets/${BASELINE_STALE}/${e.fingerprint}`,
  }));
}

/**
 * The baseline for `findings` (notes about the baseline itself left out): entries already in
 * `previous` keep their reason and date; new ones are dated `today`. Sorted by fingerprint,
 * so a rewrite changes only the lines that changed.
 */
export function buildBaseline(
  findings: readonly Finding[],
  previous: Baseline | undefined,
  today: string,
): Baseline {
  const before = new Map((previous?.findings ?? []).map((e) => [e.fingerprint, e]));
  const out = new Map<string, BaselineEntry>();
  for (const f of findings) {
    const fp = f.fingerprint;
    if (fp === undefined || f.ruleId === BASELINE_STALE || out.has(fp)) continue;
    const old = before.get(fp);
    out.set(fp, {
      fingerprint: fp,
      ruleId: f.ruleId,
      ...(f.location === undefined ? {} : { path: f.location.path }),
      ...(f.location?.commit === undefined ? {} : { commit: f.location.commit }),
      ...(old?.reason === undefined ? {} : { reason: old.reason }),
      added: old?.added ?? today,
    });
  }
  const findingsOut = [...out.values()].sort((a, b) =>
    a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0,
  );
  return { version: BASELINE_VERSION, findings: findingsOut };
}

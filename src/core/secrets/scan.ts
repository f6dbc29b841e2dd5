import { shannonEntropy } from "./entropy.js";
import { KeywordMatcher } from "./keywords.js";
import type { Detector, SecretMatch, TextKind } from "./types.js";

/** What to look for and what to let through; built once per scan, used for every text. */
export interface ScanRules {
  readonly detectors: readonly Detector[];
  /** True when a secret value is allowlisted (exact values, RE2 patterns). */
  readonly isAllowedValue: (secret: string) => boolean;
  /** Every detector's keywords, found in one pass over a text. */
  readonly keywords: KeywordMatcher;
  /** Some detector has no keywords: every text must be decoded and scanned. */
  readonly scansEverything: boolean;
}

export function compileScanRules(
  detectors: readonly Detector[],
  isAllowedValue: (secret: string) => boolean,
): ScanRules {
  return {
    detectors,
    isAllowedValue,
    keywords: new KeywordMatcher(detectors.flatMap((d) => d.keywords)),
    scansEverything: detectors.some((d) => d.keywords.length === 0),
  };
}

const IGNORE = "customs-ignore";

/**
 * Every secret in one text. Pure and synchronous: the caller decides where the text came
 * from and turns matches into findings (after redacting). Each detector's regex runs once
 * over the whole text, and only when one of its keywords is in it; most texts hold none.
 */
export function scanText(
  text: string,
  rules: ScanRules,
  kind: TextKind = "normal",
  present: ReadonlySet<string> = rules.keywords.findInText(text),
): SecretMatch[] {
  const matches: SecretMatch[] = [];
  if (present.size === 0 && !rules.scansEverything) return matches;
  const taken = new Set<number>();
  let lines: LineStarts | undefined;
  for (const detector of rules.detectors) {
    if (kind !== "normal" && detector.confidence !== "high") continue;
    if (detector.keywords.length > 0 && !detector.keywords.some((k) => present.has(k))) continue;
    for (const hit of detector.regex.matchAll(text)) {
      // One secret, one finding: the first (narrowest) detector that claims a span wins.
      if (hit.end <= hit.start || taken.has(hit.start)) continue;
      const secret = text.slice(hit.start, hit.end);
      if (!isReportable(secret, detector, rules)) continue;
      lines ??= new LineStarts(text);
      const at = hit.at ?? hit.start;
      const line = lines.lineOf(at);
      if (isIgnoredOnLine(lines.textOf(line), detector.id)) continue;
      taken.add(hit.start);
      matches.push({
        detector,
        line: line + 1,
        column: at - lines.startOf(line) + 1,
        secret,
      });
    }
  }
  return matches.sort((a, b) => a.line - b.line || a.column - b.column);
}

function isReportable(secret: string, detector: Detector, rules: ScanRules): boolean {
  if (detector.minEntropy > 0 && shannonEntropy(secret) < detector.minEntropy) return false;
  if (detector.isPlaceholder?.(secret)) return false;
  return !rules.isAllowedValue(secret);
}

/**
 * `customs-ignore` anywhere on the line silences every detector there; `customs-ignore ID`
 * (IDs separated by commas, after spaces or `:`) only those detectors.
 */
export function isIgnoredOnLine(line: string, detectorId: string): boolean {
  let at = line.indexOf(IGNORE);
  while (at !== -1) {
    const rest = line.slice(at + IGNORE.length);
    const named = /^[ \t:=]+([a-z0-9][a-z0-9,-]*)/.exec(rest);
    if (named === null || named[1]?.split(",").includes(detectorId)) return true;
    at = line.indexOf(IGNORE, at + IGNORE.length);
  }
  return false;
}

/** Line starts, found on first use: texts without a match never pay for them. */
class LineStarts {
  private readonly starts: number[] = [0];

  constructor(private readonly text: string) {
    for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1))
      this.starts.push(at + 1);
  }

  /** 0-based line of an offset. */
  lineOf(offset: number): number {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((this.starts[middle] as number) <= offset) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  startOf(line: number): number {
    return this.starts[line] as number;
  }

  textOf(line: number): string {
    const end = this.starts[line + 1];
    return this.text.slice(this.startOf(line), end === undefined ? undefined : end - 1);
  }
}

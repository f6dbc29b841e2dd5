import type { Severity } from "../findings/types.js";

/**
 * A regular expression as the scanner needs it: every match from an offset, with the span
 * of the part that is the secret. Built-in detectors use V8's RegExp (our own linear
 * patterns); user patterns come compiled by RE2 from the app layer, so core never runs a
 * user's regex in a backtracking engine.
 */
export interface SecretRegex {
  /** Every match in `text`; `start`/`end` delimit the secret (a capture group or the match). */
  matchAll(text: string): Iterable<RegexHit>;
  /** Does `value` match anywhere? (Value allowlists.) */
  test(value: string): boolean;
}

export interface RegexHit {
  readonly start: number;
  readonly end: number;
  /** Where the finding points, when not at the secret (a PEM block: its BEGIN line). */
  readonly at?: number;
}

/**
 * `high`: the token carries a distinctive prefix or shape (AKIA…, ghp_…, sk_live_…), so a hit
 * is almost surely real even in lockfiles and minified code. `context`: the detector relies on
 * a nearby keyword and a generic value shape, so it is skipped where those are noise.
 */
export type Confidence = "high" | "context";

export interface Detector {
  readonly id: string;
  readonly name: string;
  readonly severity: Severity;
  readonly confidence: Confidence;
  /** What the secret looks like, for docs and `rules`. */
  readonly summary: string;
  /** The regex only runs on text containing at least one of these (exact, case-sensitive). */
  readonly keywords: readonly string[];
  readonly regex: SecretRegex;
  /** Minimum Shannon entropy (bits per character) of the secret; 0 = no threshold. */
  readonly minEntropy: number;
  /** Values no one would deploy (docs examples, `xxxx`): skipped when true. */
  readonly isPlaceholder?: (secret: string) => boolean;
}

/** One secret found in one text. Holds the secret itself: callers redact before output. */
export interface SecretMatch {
  readonly detector: Detector;
  /** 1-based line and column (UTF-16 code units) of the secret's first character. */
  readonly line: number;
  readonly column: number;
  readonly secret: string;
}

/** What the text is, which decides which detectors are worth running. */
export type TextKind = "normal" | "lockfile" | "minified";

/**
 * Turns what the sources read into findings: the binary and size checks, the keyword
 * prefilter on raw bytes, decoding, the pure scan, redaction. One Collector per scan.
 */
import type { Finding, FindingLocation, RuleDescriptor } from "../core/findings/index.js";
import {
  classifyPath,
  type Detector,
  type Glob,
  matchGlob,
  redactSecret,
  type ScanRules,
  type SecretMatch,
  scanText,
} from "../core/secrets/index.js";

/** Where a text sits, besides its path: a commit, or an image and layer. */
export type Origin = Omit<FindingLocation, "path" | "line" | "column">;

export const NOTE_LARGE = "file-too-large";
const NOTE_RULE: RuleDescriptor = {
  id: NOTE_LARGE,
  name: "File skipped: over the size limit",
  severity: "info",
  summary: "A file over --max-file-size was not scanned.",
  fix: "Raise --max-file-size, or allowlist the path in .customs/secrets.yaml.",
};
/** Binary: a NUL byte in the first 8 KiB (what git and grep decide by too). */
const BINARY_SNIFF = 8192;

export class Collector {
  readonly findings: Finding[] = [];
  readonly counts: Record<string, number> = { files: 0, bytes: 0, binary: 0, tooLarge: 0 };
  private readonly used = new Map<string, RuleDescriptor>();

  constructor(
    readonly rules: ScanRules,
    private readonly allowPaths: readonly Glob[],
    readonly maxFileBytes: number,
  ) {}

  count(key: string, n = 1): void {
    this.counts[key] = (this.counts[key] ?? 0) + n;
  }

  isAllowedPath(path: string): boolean {
    return this.allowPaths.some((g) => matchGlob(g, path));
  }

  /** A file's bytes (from disk or a layer); `path` is what findings show and globs see. */
  scanBytes(bytes: Buffer, path: string, origin: Origin = {}): void {
    this.count("files");
    this.count("bytes", bytes.length);
    if (bytes.subarray(0, BINARY_SNIFF).includes(0)) {
      this.count("binary");
      return;
    }
    // Keywords are looked for in the bytes: most files hold none and are never decoded.
    let text: string | undefined;
    const decode = () => {
      text ??= bytes.toString("utf8");
      return text;
    };
    const present = this.rules.keywords.findInBytes(bytes, decode);
    if (present.size === 0 && !this.rules.scansEverything) return;
    const kind = classifyPath(path, bytes.length, countNewlines(bytes));
    for (const m of scanText(decode(), this.rules, kind, present))
      this.add(m, path, m.line, origin);
  }

  /** Added lines from git: `lineOf(i)` maps a line of `text` to the file's line. */
  scanLines(text: string, path: string, lineOf: (line: number) => number, origin: Origin): void {
    const kind = classifyPath(path, text.length, countNewlines(text));
    for (const m of scanText(text, this.rules, kind)) this.add(m, path, lineOf(m.line), origin);
  }

  noteTooLarge(path: string, size: number, origin: Origin = {}): void {
    this.count("tooLarge");
    this.used.set(NOTE_LARGE, NOTE_RULE);
    this.findings.push({
      tool: "secrets",
      ruleId: NOTE_LARGE,
      severity: "info",
      message: `not scanned: ${size} bytes, over the ${this.maxFileBytes}-byte limit`,
      location: { path, ...origin },
      fingerprint: `secrets/${NOTE_LARGE}/${fingerprintOf(path, 0, origin)}`,
    });
  }

  usedRules(): RuleDescriptor[] {
    return [...this.used.values()];
  }

  private add(m: SecretMatch, path: string, line: number, origin: Origin): void {
    const d = m.detector;
    this.used.set(d.id, toRule(d));
    const redacted = redactSecret(m.secret);
    this.findings.push({
      tool: "secrets",
      ruleId: d.id,
      severity: d.severity,
      message: `${d.name}: ${redacted}`,
      location: { path, line, column: m.column, ...origin },
      fix: "Revoke and rotate the secret at its issuer, then remove it (and from history).",
      fingerprint: `secrets/${d.id}/${fingerprintOf(path, line, origin)}`,
      properties: { redacted, length: m.secret.length },
    });
  }
}

function toRule(d: Detector): RuleDescriptor {
  return { id: d.id, name: d.name, severity: d.severity, summary: d.summary };
}

/** No part of the secret goes into a fingerprint: it names the place, not the value. */
function fingerprintOf(path: string, line: number, origin: Origin): string {
  const where =
    origin.commit ?? (origin.layer !== undefined ? `${origin.image}@${origin.layer}` : "");
  return `${where}:${path}:${line}`;
}

/**
 * Newlines, counted only as far as the minified test needs: small texts are never minified,
 * and past one newline per 500 characters the answer is "normal" already.
 */
function countNewlines(bytes: Buffer | string): number {
  if (bytes.length <= 4000) return 0;
  const enough = bytes.length / 500;
  const nl: string | number = typeof bytes === "string" ? "\n" : 10;
  let n = 0;
  for (
    let at = bytes.indexOf(nl as never);
    at !== -1 && n <= enough;
    at = bytes.indexOf(nl as never, at + 1)
  )
    n++;
  return n;
}

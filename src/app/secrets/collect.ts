/**
 * Turns what the sources read into findings: the binary and size checks, the keyword
 * prefilter on raw bytes, decoding, the pure scan, redaction. One Collector per scan.
 */
import type { Finding, FindingLocation, RuleDescriptor } from "../../core/findings/index.js";
import {
  classifyPath,
  type Detector,
  decodeSecretEntry,
  type Glob,
  isIgnoredOnLine,
  type KubeSecret,
  matchGlob,
  redactSecret,
  type ScanRules,
  type SecretMatch,
  scanText,
  secretLabel,
} from "../../core/secrets/index.js";
import { mayHoldKubeSecrets, readKubeSecrets } from "./kube.js";

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
export const NOTE_BAD_BASE64 = "kube-secret-invalid-base64";
const BAD_BASE64_RULE: RuleDescriptor = {
  id: NOTE_BAD_BASE64,
  name: "Secret value not scanned: invalid base64",
  severity: "info",
  summary:
    "A value under a Kubernetes Secret's `data` is not valid base64 (the API server would refuse it), so it could not be decoded and scanned.",
  fix: "Encode the value with base64 (or move it to stringData), then scan again.",
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
    const found: SecretMatch[] = [];
    if (present.size > 0 || this.rules.scansEverything) {
      const kind = classifyPath(path, bytes.length, countNewlines(bytes));
      for (const m of scanText(decode(), this.rules, kind, present)) {
        found.push(m);
        this.add(m, path, m.line, origin);
      }
    }
    if (mayHoldKubeSecrets(path, bytes)) this.scanKubeSecrets(decode(), found, path, origin);
  }

  /**
   * The values of every Secret in a YAML or JSON text, decoded and scanned by every detector;
   * findings point at the entry's key. A secret the text scan already found (a `stringData`
   * value is plain text in the file) is not reported twice.
   */
  private scanKubeSecrets(
    text: string,
    found: readonly SecretMatch[],
    path: string,
    origin: Origin,
    onlyLines?: ReadonlySet<number>,
  ) {
    const seen = new Set(found.map((m) => `${m.detector.id}\0${m.secret}`));
    const fileLines = text.split("\n");
    for (const secret of readKubeSecrets(text)) {
      for (const entry of secret.entries) {
        if (onlyLines !== undefined && !onlyLines.has(entry.line)) continue;
        const decoded = decodeSecretEntry(entry);
        const place = { secret, key: entry.key, column: entry.column };
        if (decoded.kind === "invalid-base64") this.noteBadBase64(place, path, entry.line, origin);
        if (decoded.kind !== "text") continue;
        const keyLine = fileLines[entry.line - 1] ?? "";
        for (const m of scanText(decoded.text, this.rules)) {
          const id = `${m.detector.id}\0${m.secret}`;
          if (seen.has(id) || isIgnoredOnLine(keyLine, m.detector.id)) continue;
          seen.add(id);
          this.add(m, path, entry.line, origin, place);
        }
      }
    }
  }

  /**
   * Added lines from git: `lineOf(i)` maps a line of `text` to the file's line. Returns what
   * was found, so that the Secrets of the same lines are not reported twice.
   */
  scanLines(
    text: string,
    path: string,
    lineOf: (line: number) => number,
    origin: Origin,
  ): SecretMatch[] {
    const kind = classifyPath(path, text.length, countNewlines(text));
    const found = [...scanText(text, this.rules, kind)];
    for (const m of found) this.add(m, path, lineOf(m.line), origin);
    return found;
  }

  /**
   * The Secrets of a file as a commit holds it, decoded and scanned, reporting only the
   * entries whose key is on one of `added` (the lines that commit added): a Secret's `data`
   * is base64, so its added lines alone say nothing, and an entry is reported once, by the
   * commit that wrote it.
   */
  scanKubeSecretsAdded(
    bytes: Buffer,
    path: string,
    added: ReadonlySet<number>,
    found: readonly SecretMatch[],
    origin: Origin,
  ): void {
    if (!mayHoldKubeSecrets(path, bytes) || bytes.subarray(0, BINARY_SNIFF).includes(0)) return;
    this.scanKubeSecrets(bytes.toString("utf8"), found, path, origin, added);
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

  private noteBadBase64(place: SecretPlace, path: string, line: number, origin: Origin): void {
    this.used.set(NOTE_BAD_BASE64, BAD_BASE64_RULE);
    const label = secretLabel(place.secret);
    this.findings.push({
      tool: "secrets",
      ruleId: NOTE_BAD_BASE64,
      severity: "info",
      message: `not scanned: Secret ${label}, data key ${place.key}: the value is not valid base64`,
      location: { path, line, column: place.column, ...origin },
      fix: BAD_BASE64_RULE.fix,
      fingerprint: `secrets/${NOTE_BAD_BASE64}/${fingerprintOf(path, line, origin)}:${place.key}`,
      properties: { secret: label, key: place.key },
    });
  }

  usedRules(): RuleDescriptor[] {
    return [...this.used.values()];
  }

  /** `place`: the secret was in a Kubernetes Secret's value, under that key (at `line`). */
  private add(
    m: SecretMatch,
    path: string,
    line: number,
    origin: Origin,
    place?: SecretPlace,
  ): void {
    const d = m.detector;
    this.used.set(d.id, toRule(d));
    const redacted = redactSecret(m.secret);
    const label = place === undefined ? undefined : secretLabel(place.secret);
    this.findings.push({
      tool: "secrets",
      ruleId: d.id,
      severity: d.severity,
      message:
        place === undefined
          ? `${d.name}: ${redacted}`
          : `${d.name}: ${redacted} in Secret ${label}, key ${place.key}`,
      location: { path, line, column: place?.column ?? m.column, ...origin },
      fix: "Revoke and rotate the secret at its issuer, then remove it (and from history).",
      // In a Secret: the key and the line inside its decoded value tell hits apart.
      fingerprint: `secrets/${d.id}/${fingerprintOf(path, line, origin)}${place === undefined ? "" : `:${place.key}:${m.line}`}`,
      properties: {
        redacted,
        length: m.secret.length,
        ...(place === undefined ? {} : { secret: label, key: place.key }),
      },
    });
  }
}

interface SecretPlace {
  readonly secret: KubeSecret;
  readonly key: string;
  readonly column: number;
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

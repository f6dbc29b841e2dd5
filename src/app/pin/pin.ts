/**
 * Digest pinning: every container image written as `name:tag` becomes `name:tag@sha256:…`,
 * the digest the registry serves now, so that what runs is what was reviewed. The registry is
 * behind a resolver function; this file decides what to change and renders the result.
 */
import { CustomsError } from "../../core/errors.js";
import {
  type ImageReference,
  parseNormalized,
  toNormalizedString,
} from "../../core/reference/index.js";
import { applyEdits, findImageSites, type ImageSite, type ScalarEdit } from "./yaml.js";

/** The digest the registry serves for a reference that has a tag and no digest. */
export type DigestResolver = (ref: ImageReference) => Promise<string>;

export type PinStatus = "pinned" | "unpinned" | "invalid" | "unrewritable";

/** One image as found, and what pinning makes of it. */
export interface PinEntry {
  readonly source: string;
  readonly line: number;
  readonly pointer: string;
  readonly image: string;
  /** `pinned`: has a digest; `unpinned`: needs one; the others are reported, never touched. */
  readonly status: PinStatus;
  readonly message?: string;
  /** The distinct-image key (normalized reference) of an unpinned image. */
  readonly key?: string;
  readonly edit?: ScalarEdit;
}

export interface ScannedFile {
  readonly source: string;
  readonly text: string;
  readonly entries: readonly PinEntry[];
}

/** Reads the images of each input. Throws CustomsError("YAML_INVALID") on unreadable YAML. */
export function scanForPinning(inputs: readonly { source: string; text: string }[]): ScannedFile[] {
  return inputs.map(({ source, text }) => ({
    source,
    text,
    entries: findImageSites(text, source).map(toEntry),
  }));
}

function toEntry(site: ImageSite): PinEntry {
  const base = { source: site.source, line: site.line, pointer: site.pointer, image: site.image };
  const parsed = parseNormalized(site.image);
  if (!parsed.ok) return { ...base, status: "invalid", message: parsed.message };
  if (parsed.ref.digest !== undefined) return { ...base, status: "pinned" };
  if (site.edit === undefined) {
    return { ...base, status: "unrewritable", message: site.problem ?? "cannot be rewritten" };
  }
  return { ...base, status: "unpinned", key: toNormalizedString(parsed.ref), edit: site.edit };
}

export function unpinnedEntries(files: readonly ScannedFile[]): PinEntry[] {
  return files.flatMap((f) => f.entries.filter((e) => e.status !== "pinned"));
}

export interface Resolution {
  readonly digests: ReadonlyMap<string, string>;
  readonly failures: ReadonlyMap<string, unknown>;
}

const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;

/** Resolves each distinct unpinned image once, a few at a time; failures are collected. */
export async function resolveUnpinned(
  files: readonly ScannedFile[],
  resolve: DigestResolver,
  concurrency = 8,
): Promise<Resolution> {
  const keys = [...new Set(files.flatMap((f) => f.entries.flatMap((e) => (e.key ? [e.key] : []))))];
  const digests = new Map<string, string>();
  const failures = new Map<string, unknown>();
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const key = keys[next++] as string;
      const parsed = parseNormalized(key);
      try {
        if (!parsed.ok) throw new CustomsError(parsed.code, parsed.message);
        const digest = await resolve(parsed.ref);
        if (!DIGEST.test(digest))
          throw new CustomsError("DIGEST_UNRESOLVED", `not a digest: ${JSON.stringify(digest)}`);
        digests.set(key, digest);
      } catch (error) {
        failures.set(key, error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, keys.length) }, worker));
  return { digests, failures };
}

/**
 * The image as written, pinned: `nginx:1.25` -> `nginx:1.25@sha256:…`. A reference without a
 * tag gets the `:latest` the runtime would have pulled, so the pin says what it came from.
 */
export function toPinnedImage(image: string, digest: string): string {
  const parsed = parseNormalized(image);
  const tag = parsed.ok && parsed.ref.tag === undefined ? ":latest" : "";
  return `${image}${tag}@${digest}`;
}

export interface PinnedFile {
  readonly source: string;
  readonly before: string;
  readonly after: string;
  /** The entries rewritten, each with the image it became. */
  readonly pinned: readonly { entry: PinEntry; pinned: string }[];
}

/** Each file's new text; images whose key has no digest stay as they are. */
export function rewriteFiles(
  files: readonly ScannedFile[],
  digests: ReadonlyMap<string, string>,
): PinnedFile[] {
  return files.map((file) => {
    const pinned: { entry: PinEntry; pinned: string }[] = [];
    const edits: { edit: ScalarEdit; value: string }[] = [];
    for (const entry of file.entries) {
      const digest = entry.key === undefined ? undefined : digests.get(entry.key);
      if (digest === undefined || entry.edit === undefined) continue;
      const value = toPinnedImage(entry.image, digest);
      pinned.push({ entry, pinned: value });
      edits.push({ edit: entry.edit, value });
    }
    return { source: file.source, before: file.text, after: applyEdits(file.text, edits), pinned };
  });
}

/**
 * Pins the inputs' texts with `resolve`: the whole use case, without any file I/O. `scan`
 * finds the images (manifests by default; Dockerfiles bring their own).
 */
export async function pinTexts<S extends ScannedFile = ScannedFile>(
  inputs: readonly { source: string; text: string }[],
  resolve: DigestResolver,
  scan: (inputs: readonly { source: string; text: string }[]) => S[] = scanForPinning as (
    inputs: readonly { source: string; text: string }[],
  ) => S[],
): Promise<{ files: PinnedFile[]; scanned: S[]; resolution: Resolution }> {
  const scanned = scan(inputs);
  const resolution = await resolveUnpinned(scanned, resolve);
  return { files: rewriteFiles(scanned, resolution.digests), scanned, resolution };
}

interface DiffLine {
  readonly text: string;
  /** The text's last line, with no newline after it. */
  readonly last: boolean;
}

function splitLines(text: string): DiffLine[] {
  if (text === "") return [];
  const parts = text.split("\n");
  const complete = parts[parts.length - 1] === "";
  if (complete) parts.pop();
  return parts.map((line, i) => ({ text: line, last: !complete && i === parts.length - 1 }));
}

type Op = { kind: " " | "-" | "+"; line: DiffLine };

/** Myers' O(ND) shortest edit script: pinning changes few lines of long files. */
function editScript(a: readonly DiffLine[], b: readonly DiffLine[]): Op[] {
  const same = (x: DiffLine, y: DiffLine) => x.text === y.text && x.last === y.last;
  const max = a.length + b.length;
  const v = new Map<number, number>([[1, 0]]);
  const trace: Map<number, number>[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(new Map(v));
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && (v.get(k - 1) ?? 0) < (v.get(k + 1) ?? 0));
      let x = down ? (v.get(k + 1) ?? 0) : (v.get(k - 1) ?? 0) + 1;
      let y = x - k;
      while (x < a.length && y < b.length && same(a[x] as DiffLine, b[y] as DiffLine)) {
        x++;
        y++;
      }
      v.set(k, x);
      if (x >= a.length && y >= b.length) {
        found = true;
        break;
      }
    }
  }
  const ops: Op[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = trace.length - 1; d >= 0; d--) {
    const vd = trace[d] as Map<number, number>;
    const k = x - y;
    const down = k === -d || (k !== d && (vd.get(k - 1) ?? 0) < (vd.get(k + 1) ?? 0));
    const prevK = down ? k + 1 : k - 1;
    const prevX = vd.get(prevK) ?? 0;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      y--;
      ops.push({ kind: " ", line: a[--x] as DiffLine });
    }
    if (d > 0) {
      if (down) ops.push({ kind: "+", line: b[--y] as DiffLine });
      else ops.push({ kind: "-", line: a[--x] as DiffLine });
    }
  }
  return ops.reverse();
}

const CONTEXT = 3;

/** A unified diff (`diff -u`, three lines of context) of two texts; "" when they are equal. */
export function unifiedDiff(before: string, after: string, from: string, to: string): string {
  if (before === after) return "";
  const ops = editScript(splitLines(before), splitLines(after));
  let out = `--- ${from}\n+++ ${to}\n`;
  let i = 0;
  while (i < ops.length) {
    if (ops[i]?.kind === " ") {
      i++;
      continue;
    }
    // A hunk: from CONTEXT lines before this change to CONTEXT lines after the last change
    // that is no more than 2 * CONTEXT unchanged lines from the previous one.
    let start = i;
    while (start > 0 && i - start < CONTEXT && ops[start - 1]?.kind === " ") start--;
    let end = i;
    for (;;) {
      while (end < ops.length && ops[end]?.kind !== " ") end++;
      let gap = end;
      while (gap < ops.length && ops[gap]?.kind === " ") gap++;
      if (gap < ops.length && gap - end <= 2 * CONTEXT) end = gap;
      else {
        end = Math.min(end + CONTEXT, gap);
        break;
      }
    }
    out += hunk(ops, start, end);
    i = end;
  }
  return out;
}

function hunk(ops: readonly Op[], start: number, end: number): string {
  let aStart = 1;
  let bStart = 1;
  for (let j = 0; j < start; j++) {
    if (ops[j]?.kind !== "+") aStart++;
    if (ops[j]?.kind !== "-") bStart++;
  }
  let aCount = 0;
  let bCount = 0;
  let body = "";
  for (let j = start; j < end; j++) {
    const op = ops[j] as Op;
    if (op.kind !== "+") aCount++;
    if (op.kind !== "-") bCount++;
    body += `${op.kind}${op.line.text}\n`;
    if (op.line.last) body += "\\ No newline at end of file\n";
  }
  // diff -u names the line before an empty range.
  const range = (first: number, count: number) =>
    `${count === 0 ? first - 1 : first}${count === 1 ? "" : `,${count}`}`;
  return `@@ -${range(aStart, aCount)} +${range(bStart, bCount)} @@\n${body}`;
}

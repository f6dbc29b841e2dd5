/**
 * A streaming reader of tar archives (POSIX ustar, GNU long names `L`/`K`, PAX `x` headers),
 * enough to walk container image layers: regular files come out with their content, up to a
 * size limit; everything else (folders, links, devices) is skipped.
 * Format: https://pubs.opengroup.org/onlinepubs/9699919799/utilities/pax.html
 */
import { CustomsError } from "../../core/errors.js";
import { ByteQueue } from "./bytes.js";

export interface TarEntry {
  readonly path: string;
  readonly size: number;
  /** The content; undefined when the file is over the size limit (skipped unread). */
  readonly data: Buffer | undefined;
}

const BLOCK = 512;

export async function* readTar(
  source: AsyncIterable<Buffer>,
  maxFileBytes: number,
): AsyncGenerator<TarEntry> {
  const q = new ByteQueue(source[Symbol.asyncIterator]());
  let longName: string | undefined;
  let pax: Map<string, string> | undefined;
  while (await q.fill(BLOCK)) {
    const at = q.consumed;
    const header = q.take(BLOCK);
    if (isZero(header)) return;
    verifyChecksum(header, at);
    const type = String.fromCharCode(header[156] ?? 0);
    const size = pax?.has("size") ? Number(pax.get("size")) : parseSize(header, at);
    const padded = Math.ceil(size / BLOCK) * BLOCK;
    if (type === "L" || type === "x" || type === "K") {
      if (size > 1 << 20) throw bad(at, "metadata entry over 1 MiB");
      if (!(await q.fill(padded))) throw bad(at, "truncated");
      const body = q.take(padded).subarray(0, size);
      if (type === "L") longName = cString(body, 0, body.length);
      if (type === "x") pax = parsePax(body);
      continue;
    }
    const path = pax?.get("path") ?? longName ?? ustarName(header);
    longName = undefined;
    pax = undefined;
    const regular = type === "0" || type === "\u0000" || type === "7";
    if (regular && size <= maxFileBytes) {
      if (!(await q.fill(padded))) throw bad(at, "truncated");
      yield { path, size, data: Buffer.from(q.take(padded).subarray(0, size)) };
    } else {
      if (!(await q.skip(padded))) throw bad(at, "truncated");
      if (regular) yield { path, size, data: undefined };
    }
  }
  // End of input without the zero blocks is tolerated; a partial header is not.
  if (q.available > 0) throw bad(q.consumed, "truncated header");
}

function bad(offset: number, why: string): CustomsError {
  return new CustomsError(
    "IMAGE_LAYOUT_INVALID",
    `not a readable tar archive at byte ${offset}: ${why}`,
  );
}

function isZero(block: Buffer): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

function verifyChecksum(header: Buffer, at: number): void {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (header[i] as number);
  const stored = parseOctal(header, 148, 8);
  if (stored !== sum) throw bad(at, "header checksum mismatch");
}

function parseSize(header: Buffer, at: number): number {
  // GNU base-256 for sizes over 8 GiB: high bit set, big-endian in the remaining bytes.
  if (((header[124] as number) & 0x80) !== 0) {
    let n = 0;
    for (let i = 125; i < 136; i++) n = n * 256 + (header[i] as number);
    return n;
  }
  const n = parseOctal(header, 124, 12);
  if (Number.isNaN(n)) throw bad(at, "bad size field");
  return n;
}

function parseOctal(buf: Buffer, offset: number, length: number): number {
  const text = cString(buf, offset, offset + length).trim();
  return text === "" ? 0 : /^[0-7]+$/.test(text) ? Number.parseInt(text, 8) : Number.NaN;
}

function cString(buf: Buffer, start: number, end: number): string {
  const nul = buf.indexOf(0, start);
  return buf.toString("utf8", start, nul === -1 || nul > end ? end : nul);
}

function ustarName(header: Buffer): string {
  const name = cString(header, 0, 100);
  const ustar = header.toString("latin1", 257, 262) === "ustar";
  const prefix = ustar ? cString(header, 345, 500) : "";
  return prefix === "" ? name : `${prefix}/${name}`;
}

/** PAX records: `LENGTH KEY=VALUE\n`, LENGTH counting the whole record. */
function parsePax(body: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let at = 0;
  while (at < body.length) {
    const space = body.indexOf(0x20, at);
    if (space === -1) break;
    const length = Number(body.toString("latin1", at, space));
    if (!Number.isInteger(length) || length <= 0) break;
    const record = body.toString("utf8", space + 1, at + length - 1);
    const eq = record.indexOf("=");
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    at += length;
  }
  return out;
}

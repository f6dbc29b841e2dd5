import { closeSync, fstatSync, openSync, readFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { CustomsError, type ErrorCode } from "../../core/errors.js";
import { MAX_INPUT_BYTES } from "./read-inputs.js";

/** How a file is read and how its failures are told. */
export interface ReadFileOptions {
  /** How errors name the file (a flag and its path, the name the user gave); its path by default. */
  readonly name?: string;
  /** What the file should be, for the message when it is a folder ("report file"). */
  readonly what?: string;
  /** The code of the error thrown; FILE_UNREADABLE by default. */
  readonly code?: ErrorCode;
  /** A larger file is refused rather than read into memory; MAX_INPUT_BYTES by default. */
  readonly maxBytes?: number;
}

/** Errors that mean "there is no such file" to the optional readers, not "it is unreadable". */
const MISSING = new Set(["ENOENT", "ENOTDIR"]);

function errnoOf(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

function unreadable(path: string, o: ReadFileOptions, e: unknown): CustomsError {
  if (e instanceof CustomsError) return e;
  return new CustomsError(
    o.code ?? "FILE_UNREADABLE",
    `${o.name ?? path}: cannot read: ${errnoOf(e) ?? String(e)}`,
  );
}

/**
 * Checks what the open file is before its bytes are read: the size is taken from the open
 * descriptor, so a file swapped between a check by name and the read cannot slip past it.
 */
function checkOpened(
  path: string,
  o: ReadFileOptions,
  info: { size: number; isDirectory(): boolean },
): void {
  const name = o.name ?? path;
  if (info.isDirectory())
    throw new CustomsError(
      o.code ?? "FILE_UNREADABLE",
      `${name}: is a folder, not a ${o.what ?? "file"}`,
    );
  const max = o.maxBytes ?? MAX_INPUT_BYTES;
  if (info.size > max)
    throw new CustomsError(
      o.code ?? "FILE_UNREADABLE",
      `${name}: ${info.size} bytes is over the ${max}-byte limit`,
    );
}

/** The bytes, or the raw failure (errno errors are turned into CustomsError by the callers). */
async function readOpened(path: string, o: ReadFileOptions): Promise<Buffer> {
  const file = await open(path, "r");
  try {
    checkOpened(path, o, await file.stat());
    return await file.readFile();
  } finally {
    await file.close();
  }
}

function readOpenedSync(path: string, o: ReadFileOptions): string {
  const fd = openSync(path, "r");
  try {
    checkOpened(path, o, fstatSync(fd));
    return readFileSync(fd, "utf8");
  } finally {
    closeSync(fd);
  }
}

/** A whole file's bytes; CustomsError naming the file when it is missing, unreadable or too large. */
export async function readFileBytes(path: string, o: ReadFileOptions = {}): Promise<Buffer> {
  try {
    return await readOpened(path, o);
  } catch (e) {
    throw unreadable(path, o, e);
  }
}

/** A whole file as UTF-8 text; errors as readFileBytes. */
export async function readTextFile(path: string, o: ReadFileOptions = {}): Promise<string> {
  return (await readFileBytes(path, o)).toString("utf8");
}

/** Like readFileBytes, or undefined when there is no such file (any other failure throws). */
export async function readOptionalFileBytes(
  path: string,
  o: ReadFileOptions = {},
): Promise<Buffer | undefined> {
  try {
    return await readOpened(path, o);
  } catch (e) {
    if (MISSING.has(errnoOf(e) ?? "")) return undefined;
    throw unreadable(path, o, e);
  }
}

/** Like readTextFile, or undefined when there is no such file (any other failure throws). */
export async function readOptionalTextFile(
  path: string,
  o: ReadFileOptions = {},
): Promise<string | undefined> {
  return (await readOptionalFileBytes(path, o))?.toString("utf8");
}

/**
 * The synchronous readTextFile, for callers whose own API is synchronous (configuration a
 * command reads once, a token read per request).
 */
export function readTextFileSync(path: string, o: ReadFileOptions = {}): string {
  try {
    return readOpenedSync(path, o);
  } catch (e) {
    throw unreadable(path, o, e);
  }
}

/** Like readTextFileSync, or undefined when there is no such file (any other failure throws). */
export function readOptionalTextFileSync(
  path: string,
  o: ReadFileOptions = {},
): string | undefined {
  try {
    return readOpenedSync(path, o);
  } catch (e) {
    if (MISSING.has(errnoOf(e) ?? "")) return undefined;
    throw unreadable(path, o, e);
  }
}

/**
 * Reading untrusted parsed data. Documents come from YAML/JSON written by anyone, so every
 * field is checked for its type and read as an own property only.
 */
import type { ManifestProblem } from "./types.js";

export type UnknownRecord = Record<string, unknown>;

/** Problems reported per extraction at most: a hostile document must not fill the memory. */
export const MAX_PROBLEMS = 100;

export function isRecord(value: unknown): value is UnknownRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * An own property, treating null as absent (Kubernetes decodes `field: null` as unset).
 * Own properties only, so that `kind: constructor` or a `__proto__` key cannot reach
 * Object.prototype.
 */
export function field(record: UnknownRecord, key: string): unknown {
  const value = record[key];
  // Absent fields are the common case on the hot path: answer them without the own-check.
  if (value === undefined || value === null) return undefined;
  return Object.hasOwn(record, key) ? value : undefined;
}

export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "string" && value === "") return "an empty string";
  return typeof value;
}

/** `expected a string, got number`, or `missing, expected an object` for an absent field. */
export function expected(what: string, value: unknown): string {
  return value === undefined
    ? `missing, expected ${what}`
    : `expected ${what}, got ${typeName(value)}`;
}

/** Collects problems, keeping the first MAX_PROBLEMS and counting the rest. */
export class ProblemList {
  readonly items: ManifestProblem[] = [];
  private dropped = 0;

  add(pointer: string, message: string): void {
    if (this.items.length < MAX_PROBLEMS) this.items.push({ pointer, message });
    else this.dropped++;
  }

  get count(): number {
    return this.items.length + this.dropped;
  }

  /** The list to hand out: one closing entry says how many were left out. */
  finish(): ManifestProblem[] {
    if (this.dropped > 0) {
      this.items.push({ pointer: "", message: `${this.dropped} more problems not shown` });
    }
    return this.items;
  }
}

/** An exception's message, without letting a hostile getter throw again. */
export function messageOf(error: unknown): string {
  try {
    if (error instanceof Error && typeof error.message === "string") return error.message;
  } catch {
    // fall through: the error object itself is hostile
  }
  return "unknown error";
}

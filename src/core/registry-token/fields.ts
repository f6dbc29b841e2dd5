import { CustomsError, type ErrorCode } from "../errors.js";
import { isPlainObject, join, typeName } from "../policy/fields.js";

/**
 * Strict reading of the token service's files: every problem is collected with its field
 * path, then thrown at once as one CustomsError (so one run shows everything to fix).
 */
export class FieldReader {
  readonly problems: string[] = [];

  constructor(private readonly code: ErrorCode) {}

  fail(path: string, message: string): undefined {
    this.problems.push(`${path || "(top)"}: ${message}`);
    return undefined;
  }

  object(
    path: string,
    value: unknown,
    allowed: readonly string[],
  ): Record<string, unknown> | undefined {
    if (!isPlainObject(value)) return this.fail(path, `expected an object, got ${typeName(value)}`);
    for (const key of Object.keys(value))
      if (!allowed.includes(key)) this.fail(join(path, key), "unknown field");
    return value;
  }

  string(path: string, value: unknown, required = true): string | undefined {
    if (value === undefined) return required ? this.fail(path, "is required") : undefined;
    if (typeof value !== "string" || value === "")
      return this.fail(path, `expected a non-empty string, got ${typeName(value)}`);
    return value;
  }

  integer(path: string, value: unknown, fallback: number, min: number, max: number): number {
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      this.fail(path, `expected an integer from ${min} to ${max}, got ${typeName(value)}`);
      return fallback;
    }
    return value;
  }

  list(path: string, value: unknown, required = false): unknown[] {
    if (value === undefined) {
      if (required) this.fail(path, "is required");
      return [];
    }
    if (!Array.isArray(value)) {
      this.fail(path, `expected a list, got ${typeName(value)}`);
      return [];
    }
    return value;
  }

  header(path: string, doc: Record<string, unknown>, kind: string, apiVersion: string): void {
    if (doc.apiVersion !== apiVersion)
      this.fail(
        join(path, "apiVersion"),
        `expected ${apiVersion}, got ${typeName(doc.apiVersion)}`,
      );
    if (doc.kind !== kind)
      this.fail(join(path, "kind"), `expected ${kind}, got ${typeName(doc.kind)}`);
  }

  /** Throws every problem found, prefixed with where they are (a file name). */
  finish(where: string): void {
    if (this.problems.length > 0)
      throw new CustomsError(this.code, `${where}:\n  ${this.problems.join("\n  ")}`);
  }
}

export { join };

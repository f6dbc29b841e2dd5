import { printable } from "./pattern.js";
import type { PolicyIssue } from "./types.js";

/**
 * Small helpers for strict, hand-written validation: every problem is collected (not just
 * the first) with the field path it is about, so one run of `customs policy validate`
 * shows everything to fix.
 */
export class IssueCollector {
  readonly issues: PolicyIssue[] = [];

  error(path: string, message: string, code = "POLICY_INVALID"): void {
    this.issues.push({ severity: "error", code, path, message });
  }

  warn(path: string, code: string, message: string): void {
    this.issues.push({ severity: "warning", code, path, message });
  }

  get hasErrors(): boolean {
    return this.issues.some((i) => i.severity === "error");
  }

  // The readers below record their problems here, so a validator holds only the collector.

  readObject(
    path: string,
    value: unknown,
    allowed: readonly string[],
    allowedHint = "",
  ): Record<string, unknown> | undefined {
    return readObject(this, path, value, allowed, allowedHint);
  }

  readString(
    path: string,
    value: unknown,
    options: { required?: boolean; nonEmpty?: boolean } = {},
  ): string | undefined {
    return readString(this, path, value, options);
  }

  readBoolean(path: string, value: unknown): boolean | undefined {
    return readBoolean(this, path, value);
  }

  readList(path: string, value: unknown): unknown[] | undefined {
    return readList(this, path, value);
  }

  readEnum<T extends string>(path: string, value: unknown, allowed: readonly T[]): T | undefined {
    return readEnum(this, path, value, allowed);
  }
}

export function join(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return path === "" ? key : `${path}.${key}`;
}

export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return `a string ("${printable(value, 40)}")`;
  return `a ${typeof value} (${String(value)})`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Levenshtein distance, bounded, for "did you mean" hints on unknown fields. */
function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 99;
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] ?? 0;
      const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1;
      row[j] = Math.min((row[j - 1] ?? 0) + 1, cur + 1, prev + cost);
      prev = cur;
    }
  }
  return row[b.length] ?? 99;
}

function suggestion(key: string, allowed: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of allowed) {
    const d = distance(key, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best === undefined ? "" : `; did you mean \`${best}\`?`;
}

/**
 * Checks that `value` is an object whose keys are all in `allowed`. Returns the object, or
 * undefined (after recording the issue) when it is not an object.
 */
export function readObject(
  issues: IssueCollector,
  path: string,
  value: unknown,
  allowed: readonly string[],
  allowedHint = "",
): Record<string, unknown> | undefined {
  if (!isPlainObject(value)) {
    issues.error(path || "(document)", `expected an object, got ${typeName(value)}`);
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      const list = allowedHint || allowed.map((k) => `\`${k}\``).join(", ");
      issues.error(
        join(path, key),
        `unknown field \`${printable(key, 60)}\`${suggestion(key, allowed)} (allowed here: ${list})`,
      );
    }
  }
  return value;
}

export function readString(
  issues: IssueCollector,
  path: string,
  value: unknown,
  options: { required?: boolean; nonEmpty?: boolean } = {},
): string | undefined {
  if (value === undefined || value === null) {
    if (options.required) issues.error(path, "is required");
    return undefined;
  }
  if (typeof value !== "string") {
    issues.error(path, `expected a string, got ${typeName(value)}`);
    return undefined;
  }
  if (options.nonEmpty && value === "") {
    issues.error(path, "must not be empty");
    return undefined;
  }
  return value;
}

export function readBoolean(
  issues: IssueCollector,
  path: string,
  value: unknown,
): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") {
    issues.error(path, `expected true or false, got ${typeName(value)}`);
    return undefined;
  }
  return value;
}

export function readList(
  issues: IssueCollector,
  path: string,
  value: unknown,
): unknown[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    issues.error(path, `expected a list, got ${typeName(value)}`);
    return undefined;
  }
  return value;
}

export function readEnum<T extends string>(
  issues: IssueCollector,
  path: string,
  value: unknown,
  allowed: readonly T[],
): T | undefined {
  const s = readString(issues, path, value);
  if (s === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(s)) {
    issues.error(
      path,
      `"${printable(s, 60)}" is not one of ${allowed.map((a) => `\`${a}\``).join(", ")}${suggestion(s, allowed)}`,
    );
    return undefined;
  }
  return s as T;
}

import { CustomsError, type RegistryErrorCode } from "../../core/errors.js";

// The codes are part of the central catalogue (src/core/errors.ts, docs/errors.md).
export type { RegistryErrorCode };

/**
 * The one error the registry client throws. Messages name hosts, repositories, digests and
 * HTTP statuses, never credentials or tokens: callers print them as they are.
 */
export class RegistryError extends CustomsError {
  override readonly code: RegistryErrorCode;
  /** HTTP status of the answer that caused it, when there was one. */
  readonly status: number | undefined;

  constructor(
    code: RegistryErrorCode,
    message: string,
    status?: number,
    options?: { cause?: unknown },
  ) {
    super(code, message, undefined, options);
    this.name = "RegistryError";
    this.code = code;
    this.status = status;
  }
}

export function isRegistryError(value: unknown): value is RegistryError {
  return value instanceof RegistryError;
}

/**
 * Why a registry operation failed. A local closed union for now; the codes are meant to move
 * into src/core/errors.ts (and docs/errors.md) unchanged. docs/registry-client.md explains
 * each one.
 */
export type RegistryErrorCode =
  | "REGISTRY_UNREACHABLE"
  | "REGISTRY_TIMEOUT"
  | "REGISTRY_TLS_FAILED"
  | "REGISTRY_INSECURE_TRANSPORT"
  | "REGISTRY_ERROR"
  | "RATE_LIMITED"
  | "AUTH_FAILED"
  | "ACCESS_DENIED"
  | "NOT_FOUND"
  | "DIGEST_MISMATCH"
  | "DIGEST_INVALID"
  | "MANIFEST_INVALID"
  | "MANIFEST_UNSUPPORTED"
  | "PLATFORM_NOT_FOUND"
  | "RESPONSE_TOO_LARGE"
  | "CREDENTIALS_INVALID";

/**
 * The one error the registry client throws. Messages name hosts, repositories, digests and
 * HTTP statuses, never credentials or tokens: callers print them as they are.
 */
export class RegistryError extends Error {
  readonly code: RegistryErrorCode;
  /** HTTP status of the answer that caused it, when there was one. */
  readonly status: number | undefined;

  constructor(code: RegistryErrorCode, message: string, status?: number) {
    super(message);
    this.name = "RegistryError";
    this.code = code;
    this.status = status;
  }
}

export function isRegistryError(value: unknown): value is RegistryError {
  return value instanceof RegistryError;
}

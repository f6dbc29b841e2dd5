import { CustomsError, type ErrorCode } from "../errors.js";

/** One problem of a request body, by field path (the same shape as policy issues). */
export interface IssueDetail {
  readonly path: string;
  readonly message: string;
}

/**
 * A refusal of the control plane's API: a CustomsError that also carries field details and,
 * for 429/503, how long the client should wait.
 */
export class ApiError extends CustomsError {
  declare readonly details: readonly IssueDetail[] | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    extra: { details?: readonly IssueDetail[]; retryAfterSeconds?: number } = {},
  ) {
    super(code, message, undefined, { details: extra.details });
    this.retryAfterSeconds = extra.retryAfterSeconds;
  }
}

/** HTTP status and wire code of each error code the API can answer with (docs/control-plane.md). */
const WIRE: Partial<Record<ErrorCode, readonly [number, string]>> = {
  API_BAD_REQUEST: [400, "BAD_REQUEST"],
  API_NAME_MISMATCH: [400, "NAME_MISMATCH"],
  API_UNAUTHENTICATED: [401, "UNAUTHENTICATED"],
  API_FORBIDDEN: [403, "FORBIDDEN"],
  API_NOT_FOUND: [404, "NOT_FOUND"],
  STORE_NOT_FOUND: [404, "NOT_FOUND"],
  API_CONFLICT: [409, "CONFLICT"],
  STORE_CONFLICT: [409, "CONFLICT"],
  STORE_ALREADY_EXISTS: [409, "ALREADY_EXISTS"],
  STORE_ATTACHED: [409, "NAMESPACE_ATTACHED"],
  STORE_LAST_ADMIN: [409, "LAST_ADMIN_TOKEN"],
  API_POLICY_INVALID: [422, "POLICY_INVALID"],
  API_WORKSPACE_NOT_FOUND: [422, "WORKSPACE_NOT_FOUND"],
  API_INVALID: [422, "INVALID"],
  API_LIMIT_EXCEEDED: [422, "LIMIT_EXCEEDED"],
  API_PRECONDITION_REQUIRED: [428, "PRECONDITION_REQUIRED"],
  API_RATE_LIMITED: [429, "RATE_LIMITED"],
  API_CSRF_REFUSED: [403, "CSRF_REFUSED"],
  OIDC_NO_ROLE: [403, "NO_ROLE"],
  OIDC_SIGN_IN_INVALID: [400, "SIGN_IN_INVALID"],
  OIDC_TOKEN_INVALID: [401, "TOKEN_INVALID"],
  OIDC_NOT_CONFIGURED: [404, "OIDC_NOT_CONFIGURED"],
  OIDC_PROVIDER_FAILED: [502, "PROVIDER_FAILED"],
  STORE_UNAVAILABLE: [503, "UNAVAILABLE"],
  API_UNAVAILABLE: [503, "UNAVAILABLE"],
};

/** The status and wire code of an error; anything unknown is a 500 (a bug, logged). */
export function toWireError(code: ErrorCode): { status: number; code: string } {
  const w = WIRE[code];
  return w === undefined ? { status: 500, code: "INTERNAL" } : { status: w[0], code: w[1] };
}

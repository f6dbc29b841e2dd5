import { CustomsError, type HttpErrorCode } from "../../core/errors.js";

export type { HttpErrorCode };

/**
 * Why one exchange failed before an answer could be used. `reason` is the message without
 * the request's name, so that each caller can put its own words (and code) around it;
 * `cause` is the error the socket, TLS or undici gave.
 */
export class HttpError extends CustomsError {
  override readonly code: HttpErrorCode;
  readonly reason: string;
  /** A failure worth another attempt: a keep-alive socket the server had closed, say. */
  readonly transient: boolean;

  constructor(
    code: HttpErrorCode,
    what: string,
    reason: string,
    options: { cause?: unknown; transient?: boolean } = {},
  ) {
    super(code, `${what}: ${reason}`, undefined, { cause: options.cause });
    this.name = "HttpError";
    this.code = code;
    this.reason = reason;
    this.transient = options.transient ?? false;
  }
}

export function isHttpError(value: unknown): value is HttpError {
  return value instanceof HttpError;
}

/** Origin and path only: a query may carry scopes, tokens or pagination state. */
export function describeRequest(method: string, url: URL): string {
  return `${method} ${url.origin}${url.pathname}`;
}

const TLS_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_|^ERR_TLS|^ERR_SSL|^EPROTO$/;
const TRANSIENT = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED", "UND_ERR_SOCKET"]);

type Coded = Error & { code?: unknown; cause?: unknown };

/** The system code behind an error: undici wraps a reset socket's ECONNRESET in its own. */
function systemCode(error: Coded): string {
  const own = typeof error.code === "string" ? error.code : "";
  const inner = (error.cause as Coded | undefined)?.code;
  if (own === "UND_ERR_SOCKET" && typeof inner === "string") return inner;
  return own;
}

/** Maps what undici or the socket threw to a code; `timeouts` names the idle limits in force. */
export function toHttpError(
  error: unknown,
  what: string,
  timeouts: { connectMs: number; idleMs: number },
): HttpError {
  if (error instanceof HttpError) return error;
  const err = (error instanceof Error ? error : new Error(String(error))) as Coded;
  const code = systemCode(err);
  if (code === "UND_ERR_CONNECT_TIMEOUT")
    return new HttpError("HTTP_TIMEOUT", what, `no connection within ${timeouts.connectMs} ms`, {
      cause: err,
    });
  if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT")
    return new HttpError("HTTP_TIMEOUT", what, `no answer within ${timeouts.idleMs} ms`, {
      cause: err,
    });
  if (TLS_ERROR.test(code))
    return new HttpError("HTTP_TLS_FAILED", what, `TLS failed (${code})`, { cause: err });
  const transient = TRANSIENT.has(code) || err.message === "socket hang up";
  // undici's own codes read worse than its messages ("other side closed").
  const shown = code === "" || code.startsWith("UND_ERR_") ? err.message : code;
  return new HttpError("HTTP_UNREACHABLE", what, shown, { cause: err, transient });
}

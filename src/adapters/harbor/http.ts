/**
 * One HTTPS GET to Harbor through the shared HTTP client: Node's roots plus the CAs given, a
 * timeout for the whole answer, a size limit, and every failure as a Harbor error code.
 * Messages carry the origin and path only: never the Authorization header, never a query.
 */
import { CustomsError, type HarborErrorCode } from "../../core/errors.js";
import { describeRequest, HttpClient, type HttpHeaders, isHttpError } from "../http/index.js";

export interface HarborResponse {
  readonly status: number;
  readonly headers: HttpHeaders;
  readonly body: Buffer;
}

export interface HarborRequest {
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly maxBytes: number;
}

export function where(url: URL): string {
  return describeRequest("GET", url);
}

function failure(
  code: HarborErrorCode,
  req: HarborRequest,
  why: string,
  cause?: unknown,
): CustomsError {
  return new CustomsError(
    code,
    `Harbor ${where(req.url)}: ${why}`,
    undefined,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Connections for one client: the CA does not change between requests. Plain HTTP only
 * when the base URL was allowed to be http:// (HarborClient checks that).
 */
export function createClient(ca: readonly string[] | undefined): HttpClient {
  return new HttpClient({ ca: ca ?? [], allowPlainHttp: true, connections: 16 });
}

export async function get(req: HarborRequest, client: HttpClient): Promise<HarborResponse> {
  try {
    return await client.request({
      method: "GET",
      url: req.url,
      headers: req.headers,
      maxBytes: req.maxBytes,
      timeoutMs: req.timeoutMs,
    });
  } catch (error) {
    if (!isHttpError(error)) throw error;
    switch (error.code) {
      case "HTTP_TLS_FAILED":
        throw failure("HARBOR_TLS_FAILED", req, error.reason, error);
      case "HTTP_TIMEOUT":
        throw failure(
          "HARBOR_TIMEOUT",
          req,
          `no complete answer within ${req.timeoutMs} ms`,
          error,
        );
      case "RESPONSE_TOO_LARGE":
        throw failure("HARBOR_ERROR", req, error.reason, error);
      default:
        throw failure("HARBOR_UNREACHABLE", req, error.reason, error);
    }
  }
}

/** Maps an answer's status to its error; `what` says what was not found. */
export function checkStatus(res: HarborResponse, req: HarborRequest, what: string): void {
  if (res.status >= 200 && res.status < 300) return;
  if (res.status === 401)
    throw failure("HARBOR_AUTH_FAILED", req, "401: credentials missing or refused");
  if (res.status === 403)
    throw failure("HARBOR_ACCESS_DENIED", req, "403: not allowed to read this project");
  if (res.status === 404) throw failure("HARBOR_NO_REPORT", req, `404: ${what}`);
  if (res.status === 429) {
    const after = res.headers["retry-after"];
    const wait =
      typeof after === "string" && /^\d{1,6}$/.test(after) ? `; retry after ${after} s` : "";
    throw failure("HARBOR_RATE_LIMITED", req, `429: too many requests${wait}`);
  }
  throw failure("HARBOR_ERROR", req, `unexpected status ${res.status}`);
}

import type { ServerResponse } from "node:http";

/** One problem of a request, by field path (a policy's issues, a body's fields). */
export interface ErrorDetail {
  readonly path: string;
  readonly message: string;
}

/**
 * The one error body every listener answers with (webhook, control plane, token service),
 * outside the replies a protocol shapes itself (AdmissionReview, the Docker token protocol):
 * `code` is stable and machine-read, `message` is for people.
 */
export interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly details?: readonly ErrorDetail[];
  };
}

export function errorBody(
  code: string,
  message: string,
  details?: readonly ErrorDetail[],
): ErrorBody {
  return {
    error:
      details === undefined || details.length === 0
        ? { code, message }
        : { code, message, details },
  };
}

/**
 * Writes a whole JSON reply with its length (no chunked encoding: the API server and agents
 * read small bodies in one piece). `headers` adds to, and may override, the defaults.
 */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers?: Readonly<Record<string, string>>,
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** A JSON reply already serialized (a hot path that builds its text itself). */
export function sendJsonText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

/** A text reply (probes, metrics); `type` is its content type. */
export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  type = "text/plain; charset=utf-8",
  headers?: Readonly<Record<string, string>>,
): void {
  res.writeHead(status, {
    "content-type": type,
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** `{error:{code,message,details?}}` with its status. */
export function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  options: {
    readonly details?: readonly ErrorDetail[];
    readonly headers?: Readonly<Record<string, string>>;
  } = {},
): void {
  sendJson(res, status, errorBody(code, message, options.details), options.headers);
}

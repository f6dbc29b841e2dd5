/**
 * One HTTPS GET to Harbor: Node's roots plus the CAs given, a timeout for the whole answer,
 * a size limit, and every failure as a Harbor error code. Messages carry the origin and path
 * only: never the Authorization header, never a query.
 */
import type { IncomingHttpHeaders } from "node:http";
import * as http from "node:http";
import * as https from "node:https";
import { rootCertificates } from "node:tls";
import { CustomsError, type HarborErrorCode } from "../../core/errors.js";

export interface HarborResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface HarborRequest {
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly maxBytes: number;
}

const TLS_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_|^ERR_TLS|^ERR_SSL|^EPROTO$/;

export function where(url: URL): string {
  return `GET ${url.origin}${url.pathname}`;
}

function failure(code: HarborErrorCode, req: HarborRequest, why: string): CustomsError {
  return new CustomsError(code, `Harbor ${where(req.url)}: ${why}`);
}

/** Connections for one client: the CA does not change between requests. */
export function createAgent(ca: readonly string[] | undefined): https.Agent {
  return new https.Agent({
    keepAlive: true,
    maxSockets: 16,
    ...(ca && ca.length > 0 ? { ca: [...rootCertificates, ...ca] } : {}),
  });
}

export function get(req: HarborRequest, agent: http.Agent): Promise<HarborResponse> {
  const client = req.url.protocol === "http:" ? http : https;
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error: CustomsError | undefined, res?: HarborResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error === undefined) resolve(res as HarborResponse);
      else {
        request.destroy();
        reject(error);
      }
    };
    const request = client.request(
      req.url,
      {
        method: "GET",
        headers: req.headers,
        ...(req.url.protocol === "https:" ? { agent } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > req.maxBytes)
            settle(failure("HARBOR_ERROR", req, `answer larger than ${req.maxBytes} bytes`));
          else chunks.push(chunk);
        });
        res.on("error", (err) => settle(toHarborError(err, req)));
        res.on("end", () =>
          settle(undefined, {
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    const timer = setTimeout(
      () => settle(failure("HARBOR_TIMEOUT", req, `no complete answer within ${req.timeoutMs} ms`)),
      req.timeoutMs,
    );
    request.on("error", (err) => settle(toHarborError(err, req)));
    request.end();
  });
}

function toHarborError(err: NodeJS.ErrnoException, req: HarborRequest): CustomsError {
  const code = err.code ?? "";
  if (TLS_ERROR.test(code)) return failure("HARBOR_TLS_FAILED", req, `TLS failed (${code})`);
  return failure("HARBOR_UNREACHABLE", req, code || err.message);
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

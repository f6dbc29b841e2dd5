import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { CustomsError } from "../../core/errors.js";

export interface ControlPlaneOptions {
  /** `https://host:port` (or `http://` for a TLS-terminating proxy on the same host). */
  readonly url: string;
  /** `cst_<id>_<secret>`; sent as a bearer token, never logged. */
  readonly token: string;
  /** Extra CA (PEM) to trust for the control plane's certificate. */
  readonly ca?: string;
  readonly userAgent: string;
}

export interface ControlPlaneResponse {
  readonly status: number;
  readonly headers: IncomingMessage["headers"];
  readonly body: unknown;
}

export interface CallOptions {
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/**
 * A control plane that cannot answer now; `retryAfterMs` is its Retry-After (429, 503), which
 * the caller's backoff waits at least, so a rate-limited agent does not knock again early.
 */
export class ControlPlaneUnreachable extends CustomsError {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super("AGENT_CONTROL_PLANE_UNREACHABLE", message);
  }
}

/** Retry-After in seconds or as an HTTP date (RFC 9110 §10.2.3); undefined when absent or odd. */
export function retryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
  if (header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Answers are small JSON documents; anything larger is not from a control plane. */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/**
 * The agent's side of docs/control-plane.md. One keep-alive connection pool; every call has a
 * timeout. A network failure, a timeout, a 5xx or a 429 throws AGENT_CONTROL_PLANE_UNREACHABLE
 * (the callers retry with backoff); other statuses are returned for the caller to judge.
 */
export class ControlPlaneClient {
  private readonly base: URL;
  private readonly agent: HttpAgent;

  constructor(private readonly options: ControlPlaneOptions) {
    this.base = new URL(options.url);
    if (this.base.protocol !== "https:" && this.base.protocol !== "http:")
      throw new CustomsError(
        "USAGE",
        `--control-plane must be an https:// URL, got "${options.url}"`,
      );
    this.agent =
      this.base.protocol === "https:"
        ? new HttpsAgent({ keepAlive: true, ...(options.ca ? { ca: options.ca } : {}) })
        : new HttpAgent({ keepAlive: true });
  }

  /** The secret the agent seals its pinned keys with: its token (never sent elsewhere). */
  get sealingSecret(): string {
    return this.options.token;
  }

  call(method: string, path: string, options: CallOptions): Promise<ControlPlaneResponse> {
    const url = new URL(path, this.base);
    const what = `${method} ${url.pathname}`;
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const unreachable = (reason: string, waitMs?: number) =>
        new ControlPlaneUnreachable(`${what} at ${url.origin}: ${reason}`, waitMs);
      const req = send(url, {
        method,
        agent: this.agent,
        headers: {
          accept: "application/json",
          authorization: `Bearer ${this.options.token}`,
          "user-agent": this.options.userAgent,
          ...(payload === undefined
            ? {}
            : {
                "content-type": "application/json",
                "content-length": String(Buffer.byteLength(payload)),
              }),
          ...options.headers,
        },
        timeout: options.timeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      req.on("timeout", () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
      req.on("error", (e) => reject(unreachable(e.message)));
      req.on("response", (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size > MAX_RESPONSE_BYTES) req.destroy(new Error("answer too large"));
          else chunks.push(c);
        });
        res.on("error", (e) => reject(unreachable(e.message)));
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString("utf8");
          if (status >= 500 || status === 429) {
            const header = res.headers["retry-after"];
            reject(unreachable(`${status} ${errorText(text)}`, retryAfterMs(header)));
            return;
          }
          let body: unknown;
          try {
            body = text === "" ? undefined : JSON.parse(text);
          } catch {
            reject(unreachable(`${status} with a body that is not JSON`));
            return;
          }
          resolve({ status, headers: res.headers, body });
        });
      });
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The `error.message` of an API error body, or the start of the text. */
export function errorText(body: unknown): string {
  let value = body;
  if (typeof body === "string") {
    try {
      value = JSON.parse(body);
    } catch {
      return body.slice(0, 200);
    }
  }
  const error = (value as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (typeof error?.message === "string")
    return `${typeof error.code === "string" ? `${error.code}: ` : ""}${error.message}`;
  return JSON.stringify(value ?? "").slice(0, 200);
}

/**
 * How the agent's loops wait between calls. Injected so that a test can step a loop one wait
 * at a time (each call is an event it can await) instead of sleeping alongside it.
 */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

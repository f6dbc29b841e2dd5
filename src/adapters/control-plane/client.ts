import { CustomsError } from "../../core/errors.js";
import { HttpClient, type HttpHeaders, isHttpError } from "../http/index.js";

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
  readonly headers: HttpHeaders;
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
    cause?: unknown,
  ) {
    super(
      "AGENT_CONTROL_PLANE_UNREACHABLE",
      message,
      undefined,
      cause === undefined ? undefined : { cause },
    );
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
  private readonly http: HttpClient;

  constructor(private readonly options: ControlPlaneOptions) {
    this.base = new URL(options.url);
    if (this.base.protocol !== "https:" && this.base.protocol !== "http:")
      throw new CustomsError(
        "USAGE",
        `--control-plane must be an https:// URL, got "${options.url}"`,
      );
    this.http = new HttpClient({
      // The given CA alone, when there is one: the agent trusts its control plane, not the web.
      ...(options.ca ? { ca: options.ca, caOnly: true } : {}),
      // http:// is the user's choice, for a TLS-terminating proxy on the same host.
      allowPlainHttp: this.base.protocol === "http:",
    });
  }

  /** The secret the agent seals its pinned keys with: its token (never sent elsewhere). */
  get sealingSecret(): string {
    return this.options.token;
  }

  async call(method: string, path: string, options: CallOptions): Promise<ControlPlaneResponse> {
    const url = new URL(path, this.base);
    const what = `${method} ${url.pathname}`;
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const unreachable = (reason: string, waitMs?: number, cause?: unknown) =>
      new ControlPlaneUnreachable(`${what} at ${url.origin}: ${reason}`, waitMs, cause);
    let res: Awaited<ReturnType<HttpClient["request"]>>;
    try {
      res = await this.http.request({
        method,
        url,
        headers: {
          accept: "application/json",
          authorization: `Bearer ${this.options.token}`,
          "user-agent": this.options.userAgent,
          ...(payload === undefined ? {} : { "content-type": "application/json" }),
          ...options.headers,
        },
        ...(payload === undefined ? {} : { body: payload }),
        maxBytes: MAX_RESPONSE_BYTES,
        // Silence, not the whole exchange: a long poll answers late by design.
        idleTimeoutMs: options.timeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (e) {
      if (!isHttpError(e)) throw e;
      throw unreachable(e.reason, undefined, e);
    }
    const status = res.status;
    const text = res.body.toString("utf8");
    if (status >= 500 || status === 429) {
      const header = res.headers["retry-after"];
      throw unreachable(
        `${status} ${errorText(text)}`,
        retryAfterMs(Array.isArray(header) ? header[0] : header),
      );
    }
    let body: unknown;
    try {
      body = text === "" ? undefined : JSON.parse(text);
    } catch {
      throw unreachable(`${status} with a body that is not JSON`);
    }
    return { status, headers: res.headers, body };
  }

  close(): void {
    this.http.close();
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

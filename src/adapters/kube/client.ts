import type { KubeErrorCode } from "../../core/errors.js";
import { CustomsError } from "../../core/errors.js";
import { HttpClient, type HttpError, isHttpError } from "../http/index.js";
import type { KubeConnection } from "./config.js";
import {
  bearer,
  type CredentialSource,
  type KubeCredentials,
  staticCredentials,
} from "./credentials.js";

export interface KubeObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: {
    readonly name: string;
    readonly resourceVersion?: string;
    readonly labels?: Record<string, string>;
  };
  readonly [key: string]: unknown;
}

export interface WatchEvent {
  readonly type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  readonly object: KubeObject & { code?: number };
}

/**
 * A request the API server refused (`status` is its HTTP status) or could not be made
 * (`status` 0: unreachable, timed out, TLS).
 */
export class KubeError extends CustomsError {
  override readonly code: KubeErrorCode;

  constructor(
    message: string,
    readonly status: number,
    code: KubeErrorCode = "KUBE_API_ERROR",
    options?: { cause?: unknown },
  ) {
    super(code, message, undefined, options);
    this.name = "KubeError";
    this.code = code;
  }
}

/** Silence allowed between two pieces of an answer (and before the headers). */
const REQUEST_IDLE_MS = 30_000;
/** A watch asks the server to end it after 300 s; a little more before we give up on it. */
const WATCH_IDLE_MS = 330_000;
/** A list of every Secret of a large cluster is tens of MiB; more is not an API server. */
const MAX_ANSWER_BYTES = 256 * 1024 * 1024;
/** etcd refuses objects over 1.5 MiB by default; a watch event is one object. */
const MAX_EVENT_BYTES = 16 * 1024 * 1024;

function toKubeError(error: HttpError, what: string): KubeError {
  const code: KubeErrorCode =
    error.code === "HTTP_TIMEOUT"
      ? "KUBE_TIMEOUT"
      : error.code === "HTTP_TLS_FAILED"
        ? "KUBE_TLS_FAILED"
        : error.code === "RESPONSE_TOO_LARGE"
          ? "KUBE_API_ERROR"
          : "KUBE_UNREACHABLE";
  return new KubeError(`${what}: ${error.reason}`, 0, code, { cause: error });
}

/** A minimal Kubernetes API client: list and watch, JSON, TLS always verified. */
export class KubeClient {
  /** Connections without a client certificate (bearer tokens, basic auth, anonymous). */
  private readonly http: HttpClient;
  /** Connections with the client certificate of the credentials last used (an exec plugin may rotate it). */
  private withCert: { cert: string; key: string; http: HttpClient } | undefined;
  private readonly credentials: CredentialSource;

  /** `tokenSource`, when given, is asked for the bearer token of each request instead. */
  constructor(
    private readonly connection: KubeConnection,
    tokenSource?: () => string | undefined,
  ) {
    this.http = this.client();
    const pair = connection.cert ? { cert: connection.cert, key: connection.key } : {};
    this.credentials =
      tokenSource !== undefined
        ? {
            current: async () => ({ ...pair, headers: bearer(tokenSource()) }),
            refused: () => false,
          }
        : (connection.credentials ??
          staticCredentials({ ...pair, headers: bearer(connection.token) }));
  }

  private client(pair?: { cert: string; key: string }): HttpClient {
    return new HttpClient({
      // The cluster's CA alone, as kubectl trusts it; Node's roots when the kubeconfig has none.
      ...(this.connection.ca !== undefined ? { ca: this.connection.ca, caOnly: true } : {}),
      ...(this.connection.tlsServerName ? { servername: this.connection.tlsServerName } : {}),
      ...(pair ?? {}),
    });
  }

  /** The client for these credentials: a client certificate is the connection's own. */
  private httpFor(credentials: KubeCredentials): HttpClient {
    const { cert, key } = credentials;
    if (cert === undefined || key === undefined) return this.http;
    if (this.withCert?.cert !== cert || this.withCert.key !== key) {
      this.withCert?.http.close();
      this.withCert = { cert, key, http: this.client({ cert, key }) };
    }
    return this.withCert.http;
  }

  /**
   * Runs `attempt` with the current credentials; after a 401, once more with fresh ones when
   * the source may have them (an exec plugin's token that expired early or was revoked).
   */
  private async authenticated<T>(attempt: (c: KubeCredentials) => Promise<T>): Promise<T> {
    const used = await this.credentials.current();
    try {
      return await attempt(used);
    } catch (e) {
      if (!(e instanceof KubeError && e.status === 401 && this.credentials.refused(used))) throw e;
      return attempt(await this.credentials.current());
    }
  }

  /** The request's URL and headers, with the credentials' headers (Authorization, Impersonate-*). */
  private prepare(path: string, hasBody: boolean, credentials: KubeCredentials) {
    const url = new URL(this.connection.server + path);
    const headers: Record<string, string | readonly string[]> = {
      accept: "application/json",
      ...(hasBody ? { "content-type": "application/json" } : {}),
      ...credentials.headers,
    };
    return { url, headers };
  }

  async list(
    path: string,
  ): Promise<{ items: KubeObject[]; resourceVersion: string; continue?: string }> {
    const list = JSON.parse(await this.text("GET", path)) as {
      items?: KubeObject[];
      metadata?: { resourceVersion?: string; continue?: string };
    };
    return {
      items: list.items ?? [],
      resourceVersion: list.metadata?.resourceVersion ?? "",
      ...(list.metadata?.continue ? { continue: list.metadata.continue } : {}),
    };
  }

  /** One object, or undefined when the server answers 404. */
  async get(path: string): Promise<KubeObject | undefined> {
    try {
      return JSON.parse(await this.text("GET", path)) as KubeObject;
    } catch (e) {
      if (e instanceof KubeError && e.status === 404) return undefined;
      throw e;
    }
  }

  /** POST to a collection (create), PUT to an object (replace), DELETE an object. */
  async send(method: "POST" | "PUT" | "DELETE", path: string, body?: unknown): Promise<KubeObject> {
    return JSON.parse(await this.text(method, path, body)) as KubeObject;
  }

  private text(method: string, path: string, body?: unknown): Promise<string> {
    return this.authenticated((c) => this.textWith(c, method, path, body));
  }

  private async textWith(
    credentials: KubeCredentials,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<string> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const { url, headers } = this.prepare(path, payload !== undefined, credentials);
    let res: Awaited<ReturnType<HttpClient["request"]>>;
    try {
      res = await this.httpFor(credentials).request({
        method,
        url,
        headers,
        ...(payload !== undefined ? { body: payload } : {}),
        maxBytes: MAX_ANSWER_BYTES,
        idleTimeoutMs: REQUEST_IDLE_MS,
      });
    } catch (e) {
      throw isHttpError(e) ? toKubeError(e, `${method} ${path}`) : e;
    }
    const text = res.body.toString("utf8");
    if (res.status >= 300)
      throw new KubeError(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`, res.status);
    return text;
  }

  /**
   * Watches from a resourceVersion; resolves when the server ends the stream (watches time
   * out by design) or `signal` aborts, rejects on errors. `onEvent` gets each event as it
   * arrives.
   */
  watch(
    path: string,
    resourceVersion: string,
    onEvent: (e: WatchEvent) => void,
    signal: AbortSignal,
  ): Promise<void> {
    // A watch refused with 401 has delivered no event yet, so it can be tried again whole.
    return this.authenticated((c) => this.watchWith(c, path, resourceVersion, onEvent, signal));
  }

  private async watchWith(
    credentials: KubeCredentials,
    path: string,
    resourceVersion: string,
    onEvent: (e: WatchEvent) => void,
    signal: AbortSignal,
  ): Promise<void> {
    if (signal.aborted) return;
    const sep = path.includes("?") ? "&" : "?";
    const full = `${path}${sep}watch=1&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(resourceVersion)}&timeoutSeconds=300`;
    const { url, headers } = this.prepare(full, false, credentials);
    const what = `watch ${path}`;
    try {
      const res = await this.httpFor(credentials).stream({
        method: "GET",
        url,
        headers,
        idleTimeoutMs: WATCH_IDLE_MS,
        signal,
      });
      if (res.status >= 300) {
        res.cancel();
        throw new KubeError(`${what}: ${res.status}`, res.status);
      }
      for await (const line of res.lines(MAX_EVENT_BYTES)) {
        if (line.trim() === "") continue;
        let event: WatchEvent;
        try {
          event = JSON.parse(line) as WatchEvent;
        } catch (e) {
          res.cancel();
          throw new KubeError(`${what}: an event that is not JSON`, 0, "KUBE_API_ERROR", {
            cause: e,
          });
        }
        onEvent(event);
      }
    } catch (e) {
      // stop() cuts the stream: that is the end of the watch, not a failure.
      if (signal.aborted) return;
      throw isHttpError(e) ? toKubeError(e, what) : e;
    }
  }

  close(): void {
    this.http.close();
    this.withCert?.http.close();
  }
}

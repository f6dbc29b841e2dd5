/**
 * The one HTTP client every adapter talks through (registry, Harbor, Kubernetes, the control
 * plane): an undici Agent per client, so that each keeps its own trust and its own pool of
 * keep-alive connections; a deadline per exchange; a size cap that stops reading as soon as
 * it is crossed. Failures are HttpError values with a code; callers put their own words and
 * codes around them.
 */
import type { Socket } from "node:net";
import { rootCertificates } from "node:tls";
import { Agent, buildConnector, type Dispatcher } from "undici";
import { discard, readCapped, readChunks, readLines } from "./body.js";
import { Deadline } from "./deadline.js";
import { describeRequest, HttpError, toHttpError } from "./errors.js";
import { redirectTarget } from "./redirect.js";

export type HttpHeaders = Readonly<Record<string, string | string[] | undefined>>;

export interface HttpClientOptions {
  /** PEM CA certificates to trust, in addition to Node's roots unless `caOnly`. */
  readonly ca?: string | readonly string[];
  /** Trust `ca` alone (a cluster's own CA), as kubectl does, not Node's roots beside it. */
  readonly caOnly?: boolean;
  /** A client certificate and its key (PEM), for servers that authenticate us by TLS. */
  readonly cert?: string;
  readonly key?: string;
  /** The name to verify the server's certificate against, when not the URL's host. */
  readonly servername?: string;
  /**
   * Skip certificate verification. Only for a host the user named as insecure (the
   * registry's `--insecure-host`, docker's insecure-registries); nothing else sets it.
   */
  readonly insecureSkipVerify?: boolean;
  /** Speak plain HTTP when the URL says so; refused otherwise, so no secret leaves in clear. */
  readonly allowPlainHttp?: boolean;
  /** Connections per origin (default: unbounded). */
  readonly connections?: number;
  /** Time to open a connection, TLS included. Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** How long an idle keep-alive connection is kept. Default 30 s. */
  readonly keepAliveMs?: number;
}

export interface HttpRequest {
  readonly method: string;
  readonly url: URL;
  /** A list value is sent as the header repeated (Impersonate-Group), never comma-joined. */
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  readonly body?: string | Buffer;
  /** Larger answers are refused, the reading stopped at the first byte over. */
  readonly maxBytes: number;
  /** Deadline of the whole exchange, connect to last byte. */
  readonly timeoutMs?: number;
  /** Longest silence: until the headers, then between two pieces of the body. Default 5 min. */
  readonly idleTimeoutMs?: number;
  /** The caller's cancellation; an abort is HTTP_ABORTED. */
  readonly signal?: AbortSignal;
  /** Redirects of GET and HEAD to follow (default none); see redirect.ts for what is kept. */
  readonly maxRedirects?: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: HttpHeaders;
  readonly body: Buffer;
  /** Where the answer came from, after redirects (relative links resolve against it). */
  readonly url: URL;
}

/** An answer whose body is read as it arrives (a watch, a large download). */
export interface HttpStream {
  readonly status: number;
  readonly headers: HttpHeaders;
  readonly url: URL;
  /** The body in pieces; iterate once. */
  chunks(): AsyncIterable<Buffer>;
  /** The body as lines without their end (`\n` or `\r\n`); a longer line is RESPONSE_TOO_LARGE. */
  lines(maxLineBytes: number): AsyncIterable<string>;
  /** Stops reading and frees the connection. */
  cancel(): void;
}

const DEFAULT_IDLE_MS = 300_000;
const DEFAULT_CONNECT_MS = 10_000;

export class HttpClient {
  private readonly agent: Agent;
  private readonly connectMs: number;
  private readonly connecting = new Set<Socket>();
  private readonly origins = new WeakMap<Socket, string>();
  private closed = false;

  constructor(private readonly options: HttpClientOptions = {}) {
    const ca = typeof options.ca === "string" ? [options.ca] : [...(options.ca ?? [])];
    this.connectMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_MS;
    const trusted = options.caOnly ? ca : [...rootCertificates, ...ca];
    const connector = buildConnector({
      // Verification is on unless a user marked this host insecure, by name.
      rejectUnauthorized: options.insecureSkipVerify !== true,
      // Node's roots are the default; handing `ca` replaces them, so they are repeated.
      ...(ca.length > 0 ? { ca: trusted } : {}),
      ...(options.cert !== undefined ? { cert: options.cert } : {}),
      ...(options.key !== undefined ? { key: options.key } : {}),
      ...(options.servername !== undefined ? { servername: options.servername } : {}),
      timeout: this.connectMs,
    }) as unknown as (
      opts: buildConnector.Options,
      callback: buildConnector.Callback,
    ) => Socket | undefined;
    this.agent = new Agent({
      // Sockets still connecting are kept in view: undici lets an aborted request wait for
      // its connection, so abandon() closes them itself when a deadline ends first.
      connect: (opts, callback) => {
        const key = originKey(opts.protocol, opts.hostname, opts.port);
        const socket = connector(opts, (...args) => {
          if (socket !== undefined) this.connecting.delete(socket);
          callback(...args);
        });
        if (socket !== undefined && socket.connecting !== false) {
          this.connecting.add(socket);
          this.origins.set(socket, key);
        }
      },
      keepAliveTimeout: options.keepAliveMs ?? 30_000,
      keepAliveMaxTimeout: Math.max(options.keepAliveMs ?? 30_000, 600_000),
      ...(options.connections !== undefined ? { connections: options.connections } : {}),
    });
  }

  /** Closes the connections still being opened to `url`'s origin. */
  private abandon(url: URL): void {
    const key = originKey(url.protocol, url.hostname, url.port);
    for (const socket of this.connecting)
      if (this.origins.get(socket) === key) {
        this.connecting.delete(socket);
        socket.destroy();
      }
  }

  /**
   * undici's request, ended at once when `signal` aborts: before a connection is made
   * undici would wait for it (up to the connect timeout) before giving up.
   */
  private send(req: Omit<HttpRequest, "maxBytes">, signal: AbortSignal | undefined) {
    const pending = this.dispatch(req, signal);
    if (signal === undefined) return pending;
    return new Promise<Dispatcher.ResponseData>((resolve, reject) => {
      const abort = () => {
        this.abandon(req.url);
        reject(signal.reason);
        pending.then(
          (res) => discard(res.body),
          () => undefined,
        );
      };
      if (signal.aborted) return abort();
      signal.addEventListener("abort", abort, { once: true });
      pending.then(
        (res) => {
          signal.removeEventListener("abort", abort);
          resolve(res);
        },
        (error) => {
          signal.removeEventListener("abort", abort);
          reject(error);
        },
      );
    });
  }

  /** One exchange (and its redirects, when asked), the body read whole within `maxBytes`. */
  async request(req: HttpRequest): Promise<HttpResponse> {
    let current = req;
    for (let hop = 0; ; hop++) {
      const res = await this.once(current);
      const next = redirectTarget(res.status, res.headers, current);
      if (next === undefined || req.maxRedirects === undefined || req.maxRedirects === 0)
        return res;
      if (hop === req.maxRedirects)
        throw new HttpError(
          "HTTP_TOO_MANY_REDIRECTS",
          describeRequest(req.method, req.url),
          "too many redirects",
        );
      current = next;
    }
  }

  private async once(req: HttpRequest): Promise<HttpResponse> {
    const what = describeRequest(req.method, req.url);
    const deadline = new Deadline(req.timeoutMs, req.signal);
    const timeouts = { connectMs: this.connectMs, idleMs: req.idleTimeoutMs ?? DEFAULT_IDLE_MS };
    try {
      const res = await this.send(req, deadline.signal);
      const declared = Number(res.headers["content-length"] ?? 0);
      if (req.method !== "HEAD" && declared > req.maxBytes) {
        discard(res.body);
        throw tooLarge(what, req.maxBytes);
      }
      const body = await readCapped(res.body, req.maxBytes, () => tooLarge(what, req.maxBytes));
      return { status: res.statusCode, headers: res.headers, body, url: req.url };
    } catch (error) {
      throw deadline.failure(error, what, timeouts);
    } finally {
      deadline.clear();
    }
  }

  /**
   * Opens an exchange whose body the caller reads as it comes. `timeoutMs` bounds the wait
   * for the headers; after them only `idleTimeoutMs` and `signal` end the stream.
   */
  async stream(req: Omit<HttpRequest, "maxBytes" | "maxRedirects">): Promise<HttpStream> {
    const what = describeRequest(req.method, req.url);
    const timeouts = { connectMs: this.connectMs, idleMs: req.idleTimeoutMs ?? DEFAULT_IDLE_MS };
    // One signal for the exchange's whole life: the caller's abort ends the body too, the
    // deadline only the wait for the headers.
    const controller = new AbortController();
    let expired = false;
    const timer =
      req.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            expired = true;
            controller.abort();
          }, req.timeoutMs);
    const abort = () => controller.abort();
    req.signal?.addEventListener("abort", abort, { once: true });
    if (req.signal?.aborted) controller.abort();
    const release = () => req.signal?.removeEventListener("abort", abort);
    const fail = (error: unknown): HttpError => {
      if (error instanceof HttpError) return error;
      if (expired)
        return new HttpError("HTTP_TIMEOUT", what, `no answer within ${req.timeoutMs} ms`, {
          cause: error,
        });
      if (req.signal?.aborted)
        return new HttpError("HTTP_ABORTED", what, "aborted", { cause: error });
      return toHttpError(error, what, timeouts);
    };
    let res: Dispatcher.ResponseData;
    try {
      res = await this.send(req, controller.signal);
    } catch (error) {
      release();
      throw fail(error);
    } finally {
      clearTimeout(timer);
    }
    const body = res.body;
    body.once("close", release);
    return {
      status: res.statusCode,
      headers: res.headers,
      url: req.url,
      chunks: () => readChunks(body, fail),
      lines: (max) =>
        readLines(body, max, fail, () => tooLarge(what, max, "a line of the answer is")),
      cancel: () => discard(body),
    };
  }

  private dispatch(req: Omit<HttpRequest, "maxBytes">, signal: AbortSignal | undefined) {
    const what = describeRequest(req.method, req.url);
    // A closed client starts nothing: a retry scheduled before close() would otherwise open
    // a new connection and keep a finished process alive.
    if (this.closed) throw new HttpError("HTTP_UNREACHABLE", what, "client closed");
    if (req.url.protocol === "http:" && this.options.allowPlainHttp !== true)
      throw new HttpError("HTTP_INSECURE_TRANSPORT", what, "plain HTTP refused");
    if (req.url.protocol !== "https:" && req.url.protocol !== "http:")
      throw new HttpError("HTTP_UNREACHABLE", what, `unsupported protocol ${req.url.protocol}`);
    const idle = req.idleTimeoutMs ?? DEFAULT_IDLE_MS;
    return this.agent.request({
      origin: req.url.origin,
      path: `${req.url.pathname}${req.url.search}`,
      method: req.method as Dispatcher.HttpMethod,
      // undici sends a list value as the header repeated; its types want a mutable list.
      headers: (req.headers ?? {}) as Record<string, string | string[]>,
      body: req.body ?? null,
      signal: signal ?? null,
      headersTimeout: idle,
      bodyTimeout: idle,
    });
  }

  /** Ends every connection at once and refuses new exchanges, so that a process can exit. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.agent.destroy().catch(() => undefined);
    // undici's destroy leaves a connection being opened to finish (or time out) on its own,
    // which would keep a finished process alive that long.
    for (const socket of this.connecting) socket.destroy();
    this.connecting.clear();
  }
}

function originKey(protocol: string, hostname: string, port: string): string {
  return `${protocol}//${hostname}:${port}`;
}

function tooLarge(what: string, max: number, subject = "answer"): HttpError {
  return new HttpError("RESPONSE_TOO_LARGE", what, `${subject} larger than ${max} bytes`);
}

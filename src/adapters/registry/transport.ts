import {
  describeRequest,
  HttpClient,
  type HttpError,
  type HttpHeaders,
  isHttpError,
  redirectTarget,
} from "../http/index.js";
import { budgetLeft } from "./budget.js";
import { RegistryError } from "./errors.js";

/**
 * Which TLS to expect from whom. Verification is always on, with Node's roots plus the CAs
 * given here; only a host listed in `insecureHosts` (as `host:port`, or a bare host for every
 * port) goes unverified, and only such a host may be spoken to in plain HTTP.
 */
export interface TlsPolicy {
  /** PEM CA certificates trusted for every host, in addition to Node's roots. */
  readonly ca?: readonly string[];
  /** PEM CA certificates trusted for one host (`host:port` or bare host) only. */
  readonly caByHost?: ReadonlyMap<string, readonly string[]>;
  readonly insecureHosts?: ReadonlySet<string>;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: HttpHeaders;
  readonly body: Buffer;
  /** Where the answer came from, after redirects (pagination links resolve against it). */
  readonly url: URL;
}

export interface HttpRequest {
  readonly method: "GET" | "HEAD";
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  /** Larger bodies are refused: a manifest is small, a config's size is known beforehand. */
  readonly maxBytes: number;
}

const MAX_REDIRECTS = 5;
/** Connections per registry host: enough for a webhook resolving many images at once. */
const CONNECTIONS = 32;
const transient = new WeakSet<RegistryError>();

/** A network failure worth another attempt (a reset keep-alive socket, say). */
export function isTransient(error: unknown): boolean {
  return error instanceof RegistryError && transient.has(error);
}

function lookup<T>(map: ReadonlyMap<string, T> | ReadonlySet<string> | undefined, url: URL) {
  const host = url.host.toLowerCase();
  const bare = url.hostname.toLowerCase();
  if (map instanceof Map) return map.get(host) ?? map.get(bare);
  return map?.has(host) || map?.has(bare) ? true : undefined;
}

function where(req: { method: string; url: URL }): string {
  return describeRequest(req.method, req.url);
}

/** The HTTP client's failure in the registry's codes; the same words as ever, the cause kept. */
function toRegistryError(error: HttpError, req: HttpRequest): RegistryError {
  const message = `${where(req)}: ${error.reason}`;
  const cause = { cause: error };
  switch (error.code) {
    case "HTTP_TLS_FAILED":
      return new RegistryError("REGISTRY_TLS_FAILED", message, undefined, cause);
    case "HTTP_TIMEOUT":
      return new RegistryError("REGISTRY_TIMEOUT", message, undefined, cause);
    case "HTTP_INSECURE_TRANSPORT":
      return new RegistryError(
        "REGISTRY_INSECURE_TRANSPORT",
        `${where(req)}: plain HTTP is only used for hosts marked insecure`,
        undefined,
        cause,
      );
    case "RESPONSE_TOO_LARGE":
      return new RegistryError("RESPONSE_TOO_LARGE", message, undefined, cause);
    default: {
      const mapped = new RegistryError("REGISTRY_UNREACHABLE", message, undefined, cause);
      if (error.transient) transient.add(mapped);
      return mapped;
    }
  }
}

/** One HTTP exchange at a time, no retries: retry.ts and auth.ts decide what to repeat. */
export class Transport {
  /** One HTTP client per kind of trust: default, a host's own CA, a host marked insecure. */
  private readonly clients = new Map<string, HttpClient>();
  /** Insecure hosts found to speak plain HTTP, so later requests go there directly. */
  private readonly plainHosts = new Set<string>();
  private closed = false;

  constructor(
    private readonly tls: TlsPolicy,
    private readonly timeoutMs: number,
  ) {}

  isInsecure(url: URL): boolean {
    return lookup(this.tls.insecureHosts, url) === true;
  }

  /** Sends `req`, following redirects; Authorization is dropped when the origin changes. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    let current = req;
    for (let hop = 0; ; hop++) {
      const res = await this.once(current);
      // Each hop picks its own client: storage elsewhere has its own trust.
      const next = redirectTarget(res.status, res.headers, current);
      if (next === undefined) return res;
      if (hop === MAX_REDIRECTS) {
        throw new RegistryError("REGISTRY_ERROR", `${where(req)}: too many redirects`);
      }
      current = next as HttpRequest;
    }
  }

  private async once(req: HttpRequest): Promise<HttpResponse> {
    const insecure = this.isInsecure(req.url);
    if (req.url.protocol === "http:" && !insecure) {
      throw new RegistryError(
        "REGISTRY_INSECURE_TRANSPORT",
        `${where(req)}: plain HTTP is only used for hosts marked insecure`,
      );
    }
    if (insecure && req.url.protocol === "https:" && this.plainHosts.has(req.url.host)) {
      return this.exchange({ ...req, url: withProtocol(req.url, "http:") });
    }
    try {
      return await this.exchange(req);
    } catch (error) {
      // An insecure host may not speak TLS at all (docker's insecure-registries rule).
      if (insecure && req.url.protocol === "https:" && isTlsFailure(error)) {
        const res = await this.exchange({ ...req, url: withProtocol(req.url, "http:") });
        this.plainHosts.add(req.url.host);
        return res;
      }
      throw error;
    }
  }

  private clientFor(url: URL): HttpClient {
    const insecure = this.isInsecure(url);
    const own = lookup(this.tls.caByHost, url) as readonly string[] | undefined;
    const key = insecure ? `insecure ${url.host}` : own ? `ca ${url.host}` : "default";
    let client = this.clients.get(key);
    if (client === undefined) {
      client = new HttpClient({
        ca: [...(this.tls.ca ?? []), ...(own ?? [])],
        // Only for a host the user named insecure; plain HTTP for the same hosts only
        // (once() refuses it for the others before any client is asked).
        insecureSkipVerify: insecure,
        allowPlainHttp: insecure,
        connections: CONNECTIONS,
        // The exchange's deadline bounds the connection too, as it always has.
        connectTimeoutMs: this.timeoutMs,
      });
      this.clients.set(key, client);
    }
    return client;
  }

  private async exchange(req: HttpRequest): Promise<HttpResponse> {
    if (this.closed) {
      throw new RegistryError("REGISTRY_UNREACHABLE", `${where(req)}: client closed`);
    }
    // The caller's budget (withTimeBudget) bounds the exchange as much as our own timeout.
    const left = budgetLeft();
    const timeoutMs = Math.min(this.timeoutMs, Math.max(0, left));
    const timedOut = (cause?: unknown) =>
      new RegistryError(
        "REGISTRY_TIMEOUT",
        timeoutMs < this.timeoutMs
          ? `${where(req)}: no complete answer within the time budget (${Math.round(timeoutMs)} ms left)`
          : `${where(req)}: no complete answer within ${this.timeoutMs} ms`,
        undefined,
        cause === undefined ? undefined : { cause },
      );
    if (timeoutMs <= 0) throw timedOut();
    try {
      const res = await this.clientFor(req.url).request({
        method: req.method,
        url: req.url,
        headers: req.headers,
        maxBytes: req.maxBytes,
        timeoutMs,
      });
      return res;
    } catch (error) {
      if (!isHttpError(error)) throw error;
      if (error.code === "HTTP_TIMEOUT") throw timedOut(error);
      throw toRegistryError(error, req);
    }
  }

  /** Frees keep-alive connections and refuses new exchanges, so that a CLI process can exit. */
  close(): void {
    this.closed = true;
    for (const client of this.clients.values()) client.close();
  }
}

function isTlsFailure(error: unknown): boolean {
  return error instanceof RegistryError && error.code === "REGISTRY_TLS_FAILED";
}

function withProtocol(url: URL, protocol: "http:"): URL {
  const copy = new URL(url);
  copy.protocol = protocol;
  return copy;
}

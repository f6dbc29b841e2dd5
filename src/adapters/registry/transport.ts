import type { IncomingHttpHeaders } from "node:http";
import * as http from "node:http";
import * as https from "node:https";
import { rootCertificates } from "node:tls";
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
  readonly headers: IncomingHttpHeaders;
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
const TLS_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_|^ERR_TLS|^ERR_SSL|^EPROTO$/;
const TRANSIENT = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED"]);
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
  // Origin and path only: a query may carry scopes or pagination state, never worth printing.
  return `${req.method} ${req.url.origin}${req.url.pathname}`;
}

function toRegistryError(err: NodeJS.ErrnoException, req: HttpRequest): RegistryError {
  if (err instanceof RegistryError) return err;
  const code = err.code ?? "";
  if (TLS_ERROR.test(code)) {
    return new RegistryError("REGISTRY_TLS_FAILED", `${where(req)}: TLS failed (${code})`);
  }
  const error = new RegistryError("REGISTRY_UNREACHABLE", `${where(req)}: ${code || err.message}`);
  if (TRANSIENT.has(code) || err.message === "socket hang up") transient.add(error);
  return error;
}

/** One HTTP exchange at a time, no retries: retry.ts and auth.ts decide what to repeat. */
export class Transport {
  private readonly agents = new Map<string, https.Agent>();
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 32 });
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
      const location = res.headers.location;
      if (![301, 302, 303, 307, 308].includes(res.status) || location === undefined) return res;
      if (hop === MAX_REDIRECTS) {
        throw new RegistryError("REGISTRY_ERROR", `${where(req)}: too many redirects`);
      }
      const next = new URL(location, current.url);
      const headers: Record<string, string> = { ...current.headers };
      // Blob downloads redirect to storage elsewhere: credentials stay with the registry.
      if (next.origin !== current.url.origin) delete headers.authorization;
      current = { ...current, url: next, headers };
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

  private agentFor(url: URL): http.Agent {
    if (url.protocol === "http:") return this.httpAgent;
    const insecure = this.isInsecure(url);
    const own = lookup(this.tls.caByHost, url) as readonly string[] | undefined;
    const key = insecure ? `insecure ${url.host}` : own ? `ca ${url.host}` : "default";
    let agent = this.agents.get(key);
    if (agent === undefined) {
      const extra = [...(this.tls.ca ?? []), ...(own ?? [])];
      agent = new https.Agent({
        keepAlive: true,
        maxSockets: 32,
        rejectUnauthorized: !insecure,
        ...(extra.length > 0 ? { ca: [...rootCertificates, ...extra] } : {}),
      });
      this.agents.set(key, agent);
    }
    return agent;
  }

  private exchange(req: HttpRequest): Promise<HttpResponse> {
    const client = req.url.protocol === "http:" ? http : https;
    // A closed client starts nothing: a retry scheduled before close() would otherwise open
    // a new socket and keep a finished CLI process alive until its timeout.
    if (this.closed) {
      return Promise.reject(
        new RegistryError("REGISTRY_UNREACHABLE", `${where(req)}: client closed`),
      );
    }
    // The caller's budget (withTimeBudget) bounds the exchange as much as our own timeout.
    const left = budgetLeft();
    const timeoutMs = Math.min(this.timeoutMs, Math.max(0, left));
    const timedOut = () =>
      new RegistryError(
        "REGISTRY_TIMEOUT",
        timeoutMs < this.timeoutMs
          ? `${where(req)}: no complete answer within the time budget (${Math.round(timeoutMs)} ms left)`
          : `${where(req)}: no complete answer within ${this.timeoutMs} ms`,
      );
    if (timeoutMs <= 0) return Promise.reject(timedOut());
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (error: RegistryError | undefined, res?: HttpResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error !== undefined) {
          request.destroy();
          reject(error);
        } else resolve(res as HttpResponse);
      };
      const request = client.request(
        req.url,
        { method: req.method, headers: req.headers, agent: this.agentFor(req.url) },
        (res) => {
          const declared = Number(res.headers["content-length"] ?? 0);
          const chunks: Buffer[] = [];
          let size = 0;
          const tooLarge = () =>
            new RegistryError(
              "RESPONSE_TOO_LARGE",
              `${where(req)}: answer larger than ${req.maxBytes} bytes`,
            );
          if (req.method === "GET" && declared > req.maxBytes) return settle(tooLarge());
          res.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > req.maxBytes) settle(tooLarge());
            else chunks.push(chunk);
          });
          res.on("error", (err) => settle(toRegistryError(err, req)));
          res.on("end", () =>
            settle(undefined, {
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks),
              url: req.url,
            }),
          );
        },
      );
      const timer = setTimeout(() => settle(timedOut()), timeoutMs);
      request.on("error", (err) => settle(toRegistryError(err, req)));
      request.end();
    });
  }

  /** Frees keep-alive sockets and refuses new exchanges, so that a CLI process can exit. */
  close(): void {
    this.closed = true;
    for (const agent of this.agents.values()) agent.destroy();
    this.httpAgent.destroy();
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

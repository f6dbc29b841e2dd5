import { Agent, request } from "node:https";
import { createInterface } from "node:readline";
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

export class KubeError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** A minimal Kubernetes API client: list and watch, JSON, TLS always verified. */
export class KubeClient {
  private readonly agent: Agent;
  private readonly credentials: CredentialSource;

  /** `tokenSource`, when given, is asked for the bearer token of each request instead. */
  constructor(
    private readonly connection: KubeConnection,
    tokenSource?: () => string | undefined,
  ) {
    // No client certificate here: it comes with each request's credentials (an exec plugin
    // may rotate it), and an Agent's own options would override a request's.
    this.agent = new Agent({ keepAlive: true, ca: connection.ca });
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

  private open(
    path: string,
    timeoutMs: number,
    credentials: KubeCredentials,
    method = "GET",
    hasBody = false,
  ) {
    const url = new URL(this.connection.server + path);
    return request(url, {
      method,
      agent: this.agent,
      headers: {
        accept: "application/json",
        ...(hasBody ? { "content-type": "application/json" } : {}),
        ...credentials.headers,
      },
      ...(credentials.cert ? { cert: credentials.cert, key: credentials.key } : {}),
      ...(this.connection.tlsServerName ? { servername: this.connection.tlsServerName } : {}),
      timeout: timeoutMs,
    });
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

  private textWith(
    credentials: KubeCredentials,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<string> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<string>((resolve, reject) => {
      const req = this.open(path, 30_000, credentials, method, payload !== undefined);
      req.on("response", (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          if ((res.statusCode ?? 0) >= 300)
            reject(
              new KubeError(
                `${method} ${path}: ${res.statusCode} ${text.slice(0, 300)}`,
                res.statusCode ?? 0,
              ),
            );
          else resolve(text);
        });
      });
      req.on("timeout", () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on("error", reject);
      req.end(payload);
    });
  }

  /**
   * Watches from a resourceVersion; resolves when the server ends the stream (watches time
   * out by design), rejects on errors. `onEvent` gets each event as it arrives.
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

  private watchWith(
    credentials: KubeCredentials,
    path: string,
    resourceVersion: string,
    onEvent: (e: WatchEvent) => void,
    signal: AbortSignal,
  ): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    const sep = path.includes("?") ? "&" : "?";
    const full = `${path}${sep}watch=1&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(resourceVersion)}&timeoutSeconds=300`;
    return new Promise((resolve, reject) => {
      const req = this.open(full, 330_000, credentials);
      const abort = () => req.destroy();
      signal.addEventListener("abort", abort, { once: true });
      req.on("response", (res) => {
        if ((res.statusCode ?? 0) >= 300) {
          reject(new KubeError(`watch ${path}: ${res.statusCode}`, res.statusCode ?? 0));
          res.resume();
          return;
        }
        const lines = createInterface({ input: res, crlfDelay: Number.POSITIVE_INFINITY });
        lines.on("line", (line) => {
          if (line.trim() === "") return;
          try {
            onEvent(JSON.parse(line) as WatchEvent);
          } catch (e) {
            req.destroy(e as Error);
          }
        });
        res.on("end", () => resolve());
        // readline re-emits the response's errors (e.g. "aborted" when stop() cuts the
        // stream): without a listener on it too, that would be an uncaught exception.
        const failed = (e: Error) => (signal.aborted ? resolve() : reject(e));
        res.on("error", failed);
        lines.on("error", failed);
      });
      req.on("timeout", () => req.destroy(new Error(`watch ${path}: timed out`)));
      req.on("error", (e) => (signal.aborted ? resolve() : reject(e)));
      req.on("close", () => signal.removeEventListener("abort", abort));
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

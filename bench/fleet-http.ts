/**
 * What the fleet benchmark's processes share: a small JSON-over-HTTPS client on a keep-alive
 * agent (node:https, as the rest of Customs), percentiles, and a bounded worker pool.
 */
import { Agent, request } from "node:https";

export interface Reply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
  /** Milliseconds from sending to the end of the body. */
  readonly ms: number;
}

export interface Client {
  readonly base: URL;
  readonly ca: string;
  readonly token: string;
  readonly agent: Agent;
}

/** A client with its own keep-alive connections (`sockets` at most). */
export function newClient(base: string, ca: string, token: string, sockets: number): Client {
  return {
    base: new URL(base),
    ca,
    token,
    agent: new Agent({ keepAlive: true, maxSockets: sockets, ca }),
  };
}

export function call(
  client: Client,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<Reply> {
  const started = performance.now();
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: client.base.hostname,
        port: client.base.port,
        method,
        path,
        agent: client.agent,
        ca: client.ca,
        servername: client.base.hostname === "127.0.0.1" ? "localhost" : client.base.hostname,
        headers: {
          authorization: `Bearer ${client.token}`,
          accept: "application/json",
          ...(payload === undefined ? {} : { "content-type": "application/json" }),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString("utf8"),
            ms: performance.now() - started,
          }),
        );
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on("error", reject);
    req.end(payload);
  });
}

/** Like call(), but throws unless the status is one of `ok`. */
export async function expectCall(
  client: Client,
  method: string,
  path: string,
  body?: unknown,
  ok: readonly number[] = [200, 201],
  headers: Record<string, string> = {},
): Promise<Reply> {
  const reply = await call(client, method, path, body, headers);
  if (!ok.includes(reply.status)) {
    throw new Error(`${method} ${path}: ${reply.status} ${reply.text.slice(0, 400)}`);
  }
  return reply;
}

/** The q-quantile (0..1) of values, nearest rank; NaN for none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

/** Runs `work` over items with at most `limit` in flight; rejects on the first failure. */
export async function pool<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index] as T, index);
    }
  });
  await Promise.all(runners);
}

export const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes. */
export const now = (): number => performance.timeOrigin + performance.now();

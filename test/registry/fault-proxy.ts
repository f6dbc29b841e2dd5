import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { createServer, request } from "node:https";
import type { AddressInfo } from "node:net";
import type { PemPair } from "../../src/adapters/pki/index.js";

/**
 * An HTTPS proxy in front of a real registry that misbehaves on chosen requests: answers
 * 429 or 5xx itself, rewrites a body or a header on the way back, or never answers. Every
 * request is logged, so tests can count what the client sent.
 */
export type Fault =
  | {
      readonly kind: "status";
      readonly status: number;
      readonly headers?: Record<string, string>;
      readonly body?: Buffer;
    }
  | { readonly kind: "hang" }
  | {
      readonly kind: "rewrite";
      readonly body?: (body: Buffer) => Buffer;
      /** Gets the upstream's headers and body (before `body` rewrote it). */
      readonly headers?: (headers: IncomingHttpHeaders, body: Buffer) => IncomingHttpHeaders;
    };

export interface Seen {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** Whether the request carried an Authorization header. */
  readonly authorized: boolean;
}

export interface FaultProxy {
  readonly host: string;
  /** Decides per request; undefined passes it through untouched. */
  fault: (req: { method: string; path: string }) => Fault | undefined;
  readonly log: Seen[];
  stop(): Promise<void>;
}

export async function startFaultProxy(
  tls: PemPair,
  upstream: string,
  upstreamCa: string,
): Promise<FaultProxy> {
  const proxy: FaultProxy = {
    host: "",
    fault: () => undefined,
    log: [],
    stop: async () => {},
  };
  const server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    const method = req.method ?? "GET";
    const path = req.url ?? "/";
    const fault = proxy.fault({ method, path });
    const authorized = req.headers.authorization !== undefined;
    if (fault?.kind === "hang") {
      proxy.log.push({ method, path, status: 0, authorized });
      return; // Never answers; stop() cuts the connection.
    }
    if (fault?.kind === "status") {
      proxy.log.push({ method, path, status: fault.status, authorized });
      res.writeHead(fault.status, { "content-type": "application/json", ...fault.headers });
      res.end(fault.body ?? '{"errors":[{"code":"TOOMANYREQUESTS","message":"injected"}]}');
      return;
    }
    forward(req, new URL(path, upstream), upstreamCa).then(
      ({ status, headers, body }) => {
        proxy.log.push({ method, path, status, authorized });
        const rewrite = fault?.kind === "rewrite" ? fault : undefined;
        let outBody = body;
        let outHeaders = { ...headers };
        try {
          if (rewrite?.body) outBody = rewrite.body(body);
          if (rewrite?.headers) outHeaders = rewrite.headers(outHeaders, body);
        } catch (error) {
          res.writeHead(500).end(String(error));
          return;
        }
        // The body is re-sent whole, with its own length.
        delete outHeaders["transfer-encoding"];
        delete outHeaders.connection;
        if (method !== "HEAD") outHeaders["content-length"] = String(outBody.length);
        res.writeHead(status, outHeaders);
        res.end(method === "HEAD" ? undefined : outBody);
      },
      () => {
        proxy.log.push({ method, path, status: 502, authorized });
        res.writeHead(502).end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  Object.assign(proxy, {
    host: `127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return proxy;
}

function forward(req: IncomingMessage, url: URL, ca: string) {
  return new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>(
    (resolve, reject) => {
      const headers = { ...req.headers, host: url.host };
      const out = request(url, { method: req.method, headers, ca }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
        res.on("error", reject);
      });
      out.on("error", reject);
      req.pipe(out);
    },
  );
}

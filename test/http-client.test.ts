import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:https";
import { createServer as createTcpServer, type Socket, type Server as TcpServer } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { HttpClient, type HttpError } from "../src/adapters/http/index.js";
import { createCertificateAuthority, issueServerCertificate } from "../src/adapters/pki/index.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A real HTTPS server on 127.0.0.1 whose answers each test chooses. */
interface TestServer {
  handler: Handler;
  seen: IncomingHttpHeaders[];
  url(path: string, host?: string): URL;
  close(): Promise<void>;
}

async function listen(server: Server, handlerOf: () => Handler, seen: IncomingHttpHeaders[]) {
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    seen.push(req.headers);
    handlerOf()(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return port;
}

async function startServer(tls: { certPem: string; keyPem: string } | undefined) {
  const server: Server = tls
    ? (createServer({ cert: tls.certPem, key: tls.keyPem }) as unknown as Server)
    : createHttpServer();
  const state: TestServer = {
    handler: (_req, res) => res.end("ok"),
    seen: [],
    url: () => new URL("about:blank"),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  const port = await listen(server, () => state.handler, state.seen);
  const scheme = tls ? "https" : "http";
  state.url = (path, host = "127.0.0.1") => new URL(`${scheme}://${host}:${port}${path}`);
  return state;
}

const code = (promise: Promise<unknown>) =>
  promise.then(
    () => "resolved",
    (e: HttpError) => e.code,
  );

describe("the HTTP client (undici) against real local servers", () => {
  let ca: string;
  let otherCa: string;
  let server: TestServer;
  let other: TestServer;
  let plain: TestServer;
  const clients: HttpClient[] = [];
  const client = (options: ConstructorParameters<typeof HttpClient>[0] = { ca }) => {
    const c = new HttpClient(options);
    clients.push(c);
    return c;
  };
  const get = (url: URL, extra: Partial<Parameters<HttpClient["request"]>[0]> = {}) => ({
    method: "GET",
    url,
    maxBytes: 1 << 20,
    ...extra,
  });

  beforeAll(async () => {
    const authority = await createCertificateAuthority("http client test CA");
    const stranger = await createCertificateAuthority("another CA");
    ca = authority.certPem;
    otherCa = stranger.certPem;
    const cert = await issueServerCertificate(authority, {
      dns: ["localhost"],
      ip: ["127.0.0.1"],
    });
    server = await startServer(cert);
    other = await startServer(cert);
    plain = await startServer(undefined);
  });
  afterAll(async () => {
    await Promise.all([server?.close(), other?.close(), plain?.close()]);
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
    for (const s of [server, other, plain]) {
      s.handler = (_req, res) => res.end("ok");
      s.seen.length = 0;
    }
  });

  describe("trust", () => {
    it("verifies the server against the CA it is given", async () => {
      const res = await client().request(get(server.url("/hello")));
      expect(res.status).toBe(200);
      expect(res.body.toString()).toBe("ok");
      expect(res.url.pathname).toBe("/hello");
    });

    it("refuses a server whose CA it does not trust, with the TLS error as the cause", async () => {
      for (const options of [{}, { ca: otherCa }, { ca: otherCa, caOnly: true }]) {
        const error = (await client(options)
          .request(get(server.url("/")))
          .catch((e) => e)) as HttpError;
        expect(error.code).toBe("HTTP_TLS_FAILED");
        expect(error.message).toMatch(/^GET https:\/\/127\.0\.0\.1:\d+\/: TLS failed \(/);
        expect(error.cause).toBeInstanceOf(Error);
      }
    });

    it("checks the certificate's name: one for localhost does not serve another name", async () => {
      const c = client({ ca, servername: "elsewhere.example" });
      expect(await code(c.request(get(server.url("/"))))).toBe("HTTP_TLS_FAILED");
    });

    it("speaks plain HTTP only when allowed to", async () => {
      expect(await code(client().request(get(plain.url("/"))))).toBe("HTTP_INSECURE_TRANSPORT");
      expect(plain.seen).toHaveLength(0);
      const res = await client({ allowPlainHttp: true }).request(get(plain.url("/")));
      expect(res.body.toString()).toBe("ok");
    });
  });

  describe("size caps", () => {
    it("stops reading at the first byte over the cap, though the answer never ends", async () => {
      server.handler = (_req, res) => {
        res.writeHead(200, { "content-type": "application/octet-stream" });
        // Chunked, no length announced; the answer is never finished.
        res.write(Buffer.alloc(64 * 1024));
      };
      const error = (await client()
        .request(get(server.url("/big"), { maxBytes: 1000 }))
        .catch((e) => e)) as HttpError;
      expect(error.code).toBe("RESPONSE_TOO_LARGE");
      expect(error.reason).toBe("answer larger than 1000 bytes");
    });

    it("refuses an announced length over the cap before reading", async () => {
      server.handler = (_req, res) => {
        res.writeHead(200, { "content-length": "5000000" });
        res.write("x");
      };
      const c = client();
      expect(await code(c.request(get(server.url("/"), { maxBytes: 1000 })))).toBe(
        "RESPONSE_TOO_LARGE",
      );
    });

    it("gives an answer of exactly the cap", async () => {
      server.handler = (_req, res) => res.end(Buffer.alloc(1000, 1));
      const res = await client().request(get(server.url("/"), { maxBytes: 1000 }));
      expect(res.body.length).toBe(1000);
    });
  });

  describe("timeouts", () => {
    let silent: TcpServer;
    let silentPort: number;
    const sockets: Socket[] = [];
    beforeAll(async () => {
      // Accepts connections and never says a word: no TLS handshake, no answer.
      // Reads (so that the client's close is seen) and never writes.
      silent = createTcpServer((socket) => {
        sockets.push(socket);
        socket.resume();
      });
      await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
      silentPort = (silent.address() as { port: number }).port;
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    });

    it("ends an exchange at its deadline when the server never answers", async () => {
      server.handler = () => undefined;
      const error = (await client()
        .request(get(server.url("/"), { timeoutMs: 150 }))
        .catch((e) => e)) as HttpError;
      expect(error.code).toBe("HTTP_TIMEOUT");
      expect(error.reason).toBe("no complete answer within 150 ms");
    });

    it("ends an exchange whose body stalls, by its deadline or its idle limit", async () => {
      server.handler = (_req, res) => {
        res.writeHead(200);
        res.write("start");
      };
      const c = client();
      expect(await code(c.request(get(server.url("/"), { timeoutMs: 150 })))).toBe("HTTP_TIMEOUT");
      expect(await code(c.request(get(server.url("/"), { idleTimeoutMs: 150 })))).toBe(
        "HTTP_TIMEOUT",
      );
    });

    it("gives up on a connection whose TLS handshake never completes", async () => {
      const c = client({ ca, connectTimeoutMs: 150 });
      const error = (await c
        .request(get(new URL(`https://127.0.0.1:${silentPort}/`)))
        .catch((e) => e)) as HttpError;
      expect(error.code).toBe("HTTP_TIMEOUT");
    });

    it("closes a connection still being opened when the deadline ends or the client closes", async () => {
      const url = new URL(`https://127.0.0.1:${silentPort}/`);
      /** The server's side of the next connection, once it is accepted. */
      const nextSocket = () =>
        new Promise<Socket>((resolve) => silent.once("connection", (socket) => resolve(socket)));
      const closed = (socket: Socket) =>
        new Promise<void>((resolve) =>
          socket.destroyed ? resolve() : socket.once("close", () => resolve()),
        );
      // The connect timeout is far off: only the deadline, then close(), can end these.
      const c = client({ ca, connectTimeoutMs: 600_000 });
      let accepted = nextSocket();
      expect(await code(c.request(get(url, { timeoutMs: 100 })))).toBe("HTTP_TIMEOUT");
      await closed(await accepted);
      accepted = nextSocket();
      const pending = code(c.request(get(url)));
      const socket = await accepted;
      c.close();
      await closed(socket);
      expect(await pending).toBe("HTTP_UNREACHABLE");
    });

    it("tells the caller's own abort from a timeout", async () => {
      server.handler = () => undefined;
      const controller = new AbortController();
      const pending = code(
        client().request(get(server.url("/"), { timeoutMs: 60_000, signal: controller.signal })),
      );
      // Abort once the server holds the request, not after some guessed delay.
      await new Promise<void>((resolve) => {
        server.handler = () => resolve();
      });
      controller.abort();
      expect(await pending).toBe("HTTP_ABORTED");
    });
  });

  describe("redirects", () => {
    it("keeps Authorization on the same origin and drops it for another host", async () => {
      // 127.0.0.1 and localhost are two origins, as a registry and its blob storage are.
      other.handler = (req, res) => res.end(`stored ${req.url}`);
      server.handler = (req, res) => {
        if (req.url === "/first") {
          res.writeHead(307, { location: "/second" });
          res.end();
        } else {
          res.writeHead(302, { location: other.url("/blob?sig=1", "localhost").href });
          res.end();
        }
      };
      const res = await client().request(
        get(server.url("/first"), {
          headers: { Authorization: "Bearer secret", accept: "*/*" },
          maxRedirects: 5,
        }),
      );
      expect(res.body.toString()).toBe("stored /blob?sig=1");
      expect(res.url.host).toMatch(/^localhost:/);
      expect(server.seen.map((h) => h.authorization)).toEqual(["Bearer secret", "Bearer secret"]);
      expect(other.seen).toHaveLength(1);
      expect(other.seen[0]?.authorization).toBeUndefined();
      expect(other.seen[0]?.accept).toBe("*/*");
    });

    it("returns a redirect as it is unless asked to follow, and stops a loop", async () => {
      server.handler = (_req, res) => {
        res.writeHead(302, { location: "/again" });
        res.end();
      };
      const c = client();
      expect((await c.request(get(server.url("/")))).status).toBe(302);
      expect(await code(c.request(get(server.url("/"), { maxRedirects: 2 })))).toBe(
        "HTTP_TOO_MANY_REDIRECTS",
      );
      expect(server.seen).toHaveLength(4);
    });
  });

  describe("streams", () => {
    it("splits a body into lines however it is cut, \\n or \\r\\n", async () => {
      server.handler = (_req, res) => {
        res.writeHead(200);
        res.write('{"a":');
        res.write("1}\r\n\n{");
        res.write('"b":"é"}\n{"c":3}');
        res.end();
      };
      const stream = await client().stream({ method: "GET", url: server.url("/watch") });
      const lines: string[] = [];
      for await (const line of stream.lines(1024)) lines.push(line);
      expect(lines).toEqual(['{"a":1}', "", '{"b":"é"}', '{"c":3}']);
    });

    it("ends a line that never ends at its cap", async () => {
      server.handler = (_req, res) => {
        res.writeHead(200);
        res.write("x".repeat(4096));
      };
      const stream = await client().stream({ method: "GET", url: server.url("/") });
      const read = async () => {
        for await (const _ of stream.lines(1024));
      };
      expect(await code(read())).toBe("RESPONSE_TOO_LARGE");
    });

    it("ends the body when the caller aborts, as HTTP_ABORTED", async () => {
      server.handler = (_req, res) => {
        res.writeHead(200);
        res.write("first\n");
      };
      const controller = new AbortController();
      const stream = await client().stream({
        method: "GET",
        url: server.url("/"),
        signal: controller.signal,
      });
      const read = async () => {
        for await (const line of stream.lines(1024)) if (line === "first") controller.abort();
      };
      expect(await code(read())).toBe("HTTP_ABORTED");
    });
  });

  it("refuses new exchanges once closed", async () => {
    const c = client();
    c.close();
    const error = (await c.request(get(server.url("/"))).catch((e) => e)) as HttpError;
    expect(error).toMatchObject({ code: "HTTP_UNREACHABLE", reason: "client closed" });
  });

  it("sends a body, and keeps connections alive for the exchanges that follow", async () => {
    const ports = new Set<number>();
    server.handler = (req, res) => {
      ports.add(req.socket.remotePort ?? 0);
      let text = "";
      req.on("data", (c: Buffer) => {
        text += c.toString();
      });
      req.on("end", () => res.end(`${req.method} ${text}`));
    };
    const c = client();
    for (let i = 0; i < 6; i++) {
      const res = await c.request({
        method: "POST",
        url: server.url("/"),
        body: `{"n":${i}}`,
        maxBytes: 100,
      });
      expect(res.body.toString()).toBe(`POST {"n":${i}}`);
    }
    // undici checks an idle connection before reusing it (a reset may be on its way), and
    // opens a second one for a request that comes meanwhile: two at most, not one each.
    expect(ports.size).toBeLessThanOrEqual(2);
  });
});

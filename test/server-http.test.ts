/**
 * The one server helper (src/server/http) under the webhook, the control plane and the token
 * service: the error shape, body limits, drain and certificate reload. Every wait is on an
 * event (a request arriving, a reply, a close), never on time.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { request } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  isBodyError,
  type Listener,
  readBody,
  readTlsFiles,
  sendError,
  sendJson,
  startListener,
  toBodyWireError,
} from "../src/server/http/index.js";
import { type TestPki, testPki } from "./support/tls.js";

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

function call(
  port: number,
  ca: string,
  path: string,
  options: { method?: string; body?: string; chunked?: boolean } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path,
        ca,
        servername: "localhost",
        agent: false,
        method: options.method ?? "GET",
        ...(options.chunked ? { headers: { "transfer-encoding": "chunked" } } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    if (options.chunked && options.body !== undefined) {
      // Two writes: no Content-Length, the limit is found while counting.
      req.write(options.body.slice(0, options.body.length / 2));
      req.end(options.body.slice(options.body.length / 2));
    } else req.end(options.body);
  });
}

/** A promise and the function that settles it: a test's event. */
function signal<T = void>(): { promise: Promise<T>; fire: (value: T) => void } {
  let fire: (value: T) => void = () => {};
  const promise = new Promise<T>((resolve) => {
    fire = resolve;
  });
  return { promise, fire };
}

describe("the server helper", () => {
  let pki: TestPki;
  let listener: Listener;
  const arrived = signal();
  const release = signal();

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? "/";
    if (path === "/echo") {
      readBody(req, 16).then(
        (text) => sendJson(res, 200, { text }),
        (e: unknown) => {
          if (!isBodyError(e)) throw e;
          const { status, code } = toBodyWireError(e.code);
          sendError(res, status, code, e.message);
        },
      );
      return;
    }
    if (path === "/slow") {
      arrived.fire();
      release.promise.then(() => sendJson(res, 200, { done: true }));
      return;
    }
    if (path === "/invalid")
      return sendError(res, 422, "INVALID", "two problems", {
        details: [{ path: "spec.rules[0]", message: "is empty" }],
      });
    sendError(res, 404, "NOT_FOUND", `no route ${path}`);
  };

  beforeAll(async () => {
    pki = await testPki();
    listener = await startListener({
      host: "127.0.0.1",
      port: 0,
      tls: readTlsFiles({ cert: pki.certFile, key: pki.keyFile }),
      requestTimeoutMs: 10_000,
      headersTimeoutMs: 10_000,
      keepAliveTimeoutMs: 5_000,
      handler,
    });
  });
  afterAll(async () => {
    release.fire();
    await listener.drain(0);
    pki.cleanup();
  });

  it("answers every error as {error:{code,message,details?}} with its length", async () => {
    const missing = await call(listener.port, pki.caPem, "/nope");
    expect(missing.status).toBe(404);
    expect(missing.headers["content-type"]).toBe("application/json");
    expect(Number(missing.headers["content-length"])).toBe(Buffer.byteLength(missing.text));
    expect(JSON.parse(missing.text)).toEqual({
      error: { code: "NOT_FOUND", message: "no route /nope" },
    });
    const invalid = await call(listener.port, pki.caPem, "/invalid");
    expect(JSON.parse(invalid.text)).toEqual({
      error: {
        code: "INVALID",
        message: "two problems",
        details: [{ path: "spec.rules[0]", message: "is empty" }],
      },
    });
  });

  it("reads a body within the limit, refuses one over it with 413 BODY_TOO_LARGE", async () => {
    const small = await call(listener.port, pki.caPem, "/echo", { method: "POST", body: "hi" });
    expect(JSON.parse(small.text)).toEqual({ text: "hi" });
    for (const chunked of [false, true]) {
      const big = await call(listener.port, pki.caPem, "/echo", {
        method: "POST",
        body: "x".repeat(64),
        chunked,
      });
      expect(big.status, `chunked: ${chunked}`).toBe(413);
      expect(JSON.parse(big.text)).toEqual({
        error: { code: "BODY_TOO_LARGE", message: "the body is larger than 16 bytes" },
      });
    }
  });

  it("reloads its certificate: new connections get the new one", async () => {
    const oldCa = pki.caPem;
    await pki.rotate();
    listener.reloadTls(readTlsFiles({ cert: pki.certFile, key: pki.keyFile }));
    expect((await call(listener.port, pki.caPem, "/nope")).status).toBe(404);
    await expect(call(listener.port, oldCa, "/nope")).rejects.toThrow();
  });

  it("drains: refuses new connections, lets the in-flight request finish, then closes", async () => {
    const inFlight = call(listener.port, pki.caPem, "/slow");
    await arrived.promise;
    let drained = false;
    const draining = listener.drain(60_000).then(() => {
      drained = true;
    });
    expect(listener.draining).toBe(true);
    await expect(call(listener.port, pki.caPem, "/nope")).rejects.toThrow(/ECONNREFUSED/);
    expect(drained).toBe(false);
    release.fire();
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.headers.connection).toBe("close");
    await draining;
    expect(listener.server.listening).toBe(false);
  });
});

describe("a drain past its grace period", () => {
  it("closes the connections still busy", async () => {
    const pki = await testPki();
    const arrived = signal();
    const listener = await startListener({
      host: "127.0.0.1",
      port: 0,
      tls: readTlsFiles({ cert: pki.certFile, key: pki.keyFile }),
      requestTimeoutMs: 10_000,
      headersTimeoutMs: 10_000,
      keepAliveTimeoutMs: 5_000,
      // Never answers.
      handler: () => arrived.fire(),
    });
    try {
      const stuck = call(listener.port, pki.caPem, "/stuck");
      await arrived.promise;
      await listener.drain(0);
      await expect(stuck).rejects.toThrow(/socket hang up|ECONNRESET/);
    } finally {
      pki.cleanup();
    }
  });
});

/**
 * The Kubernetes client's transport against a real local HTTPS server that answers as an API
 * server does: lists, a 404, errors with their status, and a watch whose events arrive in
 * pieces. The cluster's CA alone is trusted; a client certificate is presented when given.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { TLSSocket } from "node:tls";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { KubeClient, KubeError, type WatchEvent } from "../src/adapters/kube/index.js";
import {
  createCertificateAuthority,
  issueClientCertificate,
  issueServerCertificate,
} from "../src/adapters/pki/index.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

describe("KubeClient over HTTPS", () => {
  let server: Server;
  let base: string;
  let ca: string;
  let clientPair: { certPem: string; keyPem: string };
  let handler: Handler;
  const seen: { url: string; authorization?: string; peer?: string }[] = [];
  const clients: KubeClient[] = [];
  const connect = (extra: { token?: string; cert?: string; key?: string; ca?: string } = {}) => {
    const c = new KubeClient({
      server: base,
      ca: extra.ca ?? ca,
      token: extra.token,
      cert: extra.cert,
      key: extra.key,
    });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    const authority = await createCertificateAuthority("kube test CA");
    ca = authority.certPem;
    const cert = await issueServerCertificate(authority, { dns: ["localhost"], ip: ["127.0.0.1"] });
    clientPair = await issueClientCertificate(authority, "system:admin");
    server = createServer({
      cert: cert.certPem,
      key: cert.keyPem,
      ca,
      requestCert: true,
      rejectUnauthorized: false,
    });
    server.on("request", (req: IncomingMessage, res: ServerResponse) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      seen.push({
        url: req.url ?? "",
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        ...(typeof peer?.subject?.CN === "string" ? { peer: peer.subject.CN } : {}),
      });
      handler(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
    seen.length = 0;
  });

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };

  it("lists with the bearer token, and reads one object", async () => {
    handler = (req, res) =>
      req.url?.startsWith("/api/v1/namespaces?")
        ? json(res, 200, {
            items: [{ metadata: { name: "a" } }],
            metadata: { resourceVersion: "7", continue: "next" },
          })
        : json(res, 200, { metadata: { name: "one" } });
    const c = connect({ token: "t0ken" });
    expect(await c.list("/api/v1/namespaces?limit=1")).toEqual({
      items: [{ metadata: { name: "a" } }],
      resourceVersion: "7",
      continue: "next",
    });
    expect(await c.get("/api/v1/namespaces/one")).toEqual({ metadata: { name: "one" } });
    expect(seen.map((s) => s.authorization)).toEqual(["Bearer t0ken", "Bearer t0ken"]);
  });

  it("presents the client certificate", async () => {
    handler = (_req, res) => json(res, 200, { metadata: { name: "me" } });
    await connect({ cert: clientPair.certPem, key: clientPair.keyPem }).get("/x");
    expect(seen[0]?.peer).toBe("system:admin");
  });

  it("is undefined on 404, and a KubeError with the status otherwise", async () => {
    handler = (req, res) =>
      req.url === "/missing"
        ? json(res, 404, { kind: "Status", code: 404 })
        : json(res, 409, { kind: "Status", reason: "AlreadyExists" });
    const c = connect();
    expect(await c.get("/missing")).toBeUndefined();
    const error = (await c.send("POST", "/things", { a: 1 }).catch((e) => e)) as KubeError;
    expect(error).toBeInstanceOf(KubeError);
    expect(error).toMatchObject({ code: "KUBE_API_ERROR", status: 409 });
    expect(error.message).toMatch(/^POST \/things: 409 \{"kind":"Status"/);
  });

  it("trusts the cluster's CA only", async () => {
    const other = await createCertificateAuthority("not the cluster's");
    handler = (_req, res) => json(res, 200, {});
    const error = (await connect({ ca: other.certPem })
      .get("/x")
      .catch((e) => e)) as KubeError;
    expect(error).toMatchObject({ code: "KUBE_TLS_FAILED", status: 0 });
    expect(error.cause).toBeDefined();
  });

  it("watches: events split across pieces, then the server ends the stream", async () => {
    handler = (req, res) => {
      expect(req.url).toContain("watch=1&allowWatchBookmarks=true&resourceVersion=5");
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"type":"ADDED","object":{"metadata":{"name":"a"}}}\n{"type":"MOD');
      res.write('IFIED","object":{"metadata":{"name":"a","resourceVersion":"6"}}}\n\n');
      res.end('{"type":"BOOKMARK","object":{"metadata":{"name":"","resourceVersion":"9"}}}\n');
    };
    const events: WatchEvent[] = [];
    await connect().watch("/api/v1/pods", "5", (e) => events.push(e), new AbortController().signal);
    expect(events.map((e) => e.type)).toEqual(["ADDED", "MODIFIED", "BOOKMARK"]);
  });

  it("ends a watch quietly when stopped, and rejects on an error status", async () => {
    const controller = new AbortController();
    handler = (_req, res) => {
      res.writeHead(200);
      res.write('{"type":"ADDED","object":{"metadata":{"name":"a"}}}\n');
    };
    const c = connect();
    await c.watch("/api/v1/pods", "1", () => controller.abort(), controller.signal);
    handler = (_req, res) => json(res, 403, { kind: "Status" });
    const error = await c
      .watch("/api/v1/pods", "1", () => undefined, new AbortController().signal)
      .catch((e) => e);
    expect(error).toMatchObject({ code: "KUBE_API_ERROR", status: 403 });
  });
});

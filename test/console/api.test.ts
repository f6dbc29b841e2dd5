import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiError, createClient, toQuery } from "../../console/src/lib/api.js";
import { createApi, toWhoami } from "../../console/src/lib/resources.js";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

/** A real HTTP server on 127.0.0.1 answering each path as the table below says. */
const answers: Record<string, { status: number; body: string; headers?: Record<string, string> }> =
  {
    "/api/v1/ok": {
      status: 200,
      body: '{"a":1}',
      headers: { etag: '"42"', warning: '299 - "lint"' },
    },
    "/api/v1/warned": { status: 200, body: '{"warnings":[{"message":"w1"},"w2"]}' },
    "/api/v1/empty": { status: 204, body: "" },
    "/api/v1/invalid": {
      status: 422,
      body: JSON.stringify({
        error: {
          code: "POLICY_INVALID",
          message: "policy is invalid",
          details: [{ path: "spec.action", message: "expected deny" }],
        },
      }),
    },
    "/api/v1/conflict": {
      status: 409,
      body: JSON.stringify({ error: { code: "CONFLICT", message: "stale", resourceVersion: "9" } }),
    },
    "/api/v1/unauth": {
      status: 401,
      body: JSON.stringify({ error: { code: "UNAUTHENTICATED", message: "unknown token" } }),
    },
    "/api/v1/limited": {
      status: 429,
      body: JSON.stringify({ error: { code: "RATE_LIMITED", message: "too many failures" } }),
      headers: { "retry-after": "30" },
    },
    "/api/v1/proxy": { status: 502, body: "<html>Bad Gateway</html>" },
    "/api/v1/garbled": { status: 200, body: "{not json" },
    "/api/v1/export": {
      status: 200,
      body: "cluster,failing\r\nprod,1\r\n",
      headers: { "content-type": "text/csv; charset=utf-8" },
    },
  };

let server: Server;
let base: string;
const seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += String(c);
    });
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      const path = (req.url ?? "").split("?")[0] ?? "";
      const a = answers[path] ?? {
        status: 200,
        body: JSON.stringify({ items: [], path: req.url }),
      };
      res.writeHead(a.status, { "content-type": "application/json", ...a.headers });
      res.end(a.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function failure(path: string, onUnauth?: () => void): Promise<ApiError> {
  const client = createClient(base, "cst_a_b", undefined, onUnauth);
  const e = await client.request(path).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(ApiError);
  return e as ApiError;
}

describe("API client", () => {
  it("sends the bearer token, JSON and If-Match; returns body, ETag and warnings", async () => {
    const client = createClient(base, "cst_a_b");
    const r = await client.request<{ a: number }>("/ok", {
      method: "PUT",
      body: { x: 1 },
      ifMatch: "41",
    });
    expect(r).toEqual({ body: { a: 1 }, etag: "42", warnings: ['299 - "lint"'] });
    const last = seen.at(-1);
    expect(last?.method).toBe("PUT");
    expect(last?.headers.authorization).toBe("Bearer cst_a_b");
    expect(last?.headers["if-match"]).toBe('"41"');
    expect(last?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(last?.body ?? "")).toEqual({ x: 1 });
  });

  it("reads warnings from the body and empty answers", async () => {
    const client = createClient(base, "t");
    expect((await client.request("/warned")).warnings).toEqual(["w1", "w2"]);
    expect((await client.request("/empty")).body).toBeUndefined();
  });

  it.each([
    [
      "/invalid",
      422,
      "POLICY_INVALID",
      "policy is invalid",
      [{ path: "spec.action", message: "expected deny" }],
    ],
    ["/conflict", 409, "CONFLICT", "stale", []],
    ["/limited", 429, "RATE_LIMITED", "too many failures Try again in 30 s.", []],
    ["/proxy", 502, "HTTP_502", "The server answered 502 Bad Gateway.", []],
    ["/garbled", 200, "BAD_RESPONSE", "The server's answer is not JSON.", []],
  ])("%s → %i %s", async (path, status, code, message, details) => {
    const e = await failure(path);
    expect({ status: e.status, code: e.code, message: e.message, details: e.details }).toEqual({
      status,
      code,
      message,
      details,
    });
  });

  it("answers a CSV export as text, asking for CSV", async () => {
    const client = createClient(base, "tok");
    const r = await client.request<string>("/export", { as: "text" });
    expect(r.body).toBe("cluster,failing\r\nprod,1\r\n");
    expect(seen.at(-1)?.headers.accept).toContain("text/csv");
    expect(seen.at(-1)?.headers.authorization).toBe("Bearer tok");
    // The same answer read as JSON is refused, as any answer that is not JSON.
    await expect(client.request("/export")).rejects.toMatchObject({ code: "BAD_RESPONSE" });
  });

  it("a 401 tells the console to sign out", async () => {
    let signedOut = 0;
    const e = await failure("/unauth", () => signedOut++);
    expect([e.code, e.message, signedOut]).toEqual(["UNAUTHENTICATED", "unknown token", 1]);
  });

  it("an unreachable control plane is a NETWORK error, not a crash", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const e = await createClient(`http://127.0.0.1:${port}`, "t")
      .request("/ok")
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).code).toBe("NETWORK");
  });

  it("an aborted request rejects with the abort, not an ApiError", async () => {
    const controller = new AbortController();
    controller.abort();
    const e = await createClient(base, "t")
      .request("/ok", { signal: controller.signal })
      .catch((x: unknown) => x);
    expect(e).not.toBeInstanceOf(ApiError);
    expect((e as Error).name).toBe("AbortError");
  });

  it("encodes path segments and query values", async () => {
    const api = createApi(createClient(base, "t"), "my org");
    await api.violations({ cluster: "a&b", namespace: "", image: "x/y:1" });
    expect(seen.at(-1)?.url).toBe(
      "/api/v1/organizations/my%20org/insights/violations?cluster=a%26b&image=x%2Fy%3A1&limit=100",
    );
    expect(toQuery({ a: undefined, b: "" })).toBe("");
  });

  it("follows continue tokens through every page", async () => {
    let n = 0;
    const pages = createServer((req, res) => {
      n++;
      const next = new URL(req.url ?? "", "http://x").searchParams.get("continue");
      const body =
        next === null
          ? { items: [{ metadata: { name: "a" } }], continue: "t1" }
          : { items: [{ metadata: { name: next } }] };
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => pages.listen(0, "127.0.0.1", resolve));
    const api = createApi(
      createClient(`http://127.0.0.1:${(pages.address() as AddressInfo).port}`, "t"),
      "o",
    );
    const names = (await api.workspaces()).map((w) => w.metadata.name);
    await new Promise<void>((resolve) => pages.close(() => resolve()));
    expect([names, n]).toEqual([["a", "t1"], 2]);
  });
});

describe("whoami", () => {
  it.each([
    [
      { name: "admin", role: "admin" },
      { name: "admin", role: "admin", organization: undefined, workspaces: [] },
    ],
    [
      {
        token: { name: "ops", role: "workspace-admin", organization: "acme" },
        role: "workspace-admin",
        workspaces: ["w"],
      },
      { name: "ops", role: "workspace-admin", organization: "acme", workspaces: ["w"] },
    ],
    ["nonsense", { name: "", role: "", organization: undefined, workspaces: [] }],
  ])("%j", (body, expected) => {
    expect(toWhoami(body)).toEqual(expected);
  });
});

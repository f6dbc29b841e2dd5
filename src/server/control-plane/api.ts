import type { IncomingMessage, ServerResponse } from "node:http";
import type { FleetContext } from "../../app/fleet/index.js";
import {
  type AuthContext,
  authenticate,
  checkCsrf,
  liveSession,
  parseJsonBody,
  principalOf,
} from "../../app/fleet/index.js";
import { isCustomsError } from "../../core/errors.js";
import { ApiError, toWireError } from "../../core/fleet/api-error.js";
import type { Principal } from "../../core/fleet/authorize.js";
import { errorBody, isBodyError, readBody, sendJson, toBodyWireError } from "../http/index.js";
import { clientAddress, type TrustedProxies } from "./client-address.js";
import { cookieOf, SESSION_COOKIE } from "./cookies.js";
import type { ControlPlaneMetrics } from "./metrics.js";
import type { Reply, Route, Router } from "./router.js";
import { csrfHeaders } from "./routes-auth.js";

export const MAX_BODY_BYTES = 1024 * 1024;

const ANONYMOUS: Principal = {
  token: "",
  role: "viewer",
  organization: undefined,
  workspaces: [],
  cluster: undefined,
};

export interface ApiDeps {
  readonly router: Router;
  readonly ctx: FleetContext;
  readonly auth: AuthContext;
  readonly metrics: ControlPlaneMetrics;
  readonly onInternalError: (e: unknown, route: string) => void;
  /** Called for each authenticated agent request (connected-agents metric). */
  readonly onAgent: (p: Principal) => void;
  /** Proxies whose X-Forwarded-For names the client (none: the peer is the client). */
  readonly trustedProxies?: TrustedProxies | undefined;
  /** `--external-url`'s origin: where browsers reach the control plane besides its Host. */
  readonly externalOrigin?: string | undefined;
  /** The listener speaks TLS itself (else a TLS proxy in front does). */
  readonly tls: boolean;
}

const SAFE_METHODS = ["GET", "HEAD"];

/** The origins a browser may write from: the Host it asked, and the external URL's. */
function originsOf(deps: ApiDeps, req: IncomingMessage): string[] {
  const host = req.headers.host;
  const own =
    host === undefined ? [] : [`https://${host}`, ...(deps.tls ? [] : [`http://${host}`])];
  return deps.externalOrigin === undefined ? own : [...own, deps.externalOrigin];
}

/**
 * The caller: `Authorization: Bearer` always wins (automation, and the console signed in with
 * a token); without one, the console's session cookie when sign-in with OpenID Connect is
 * configured, and then every write must pass the CSRF check (docs/sso.md).
 */
async function callerOf(
  deps: ApiDeps,
  req: IncomingMessage,
  address: string,
  origins: readonly string[],
): Promise<Principal> {
  const sso = deps.ctx.sso;
  const id =
    req.headers.authorization === undefined && sso !== undefined
      ? cookieOf(req.headers.cookie, SESSION_COOKIE)
      : undefined;
  if (sso === undefined || id === undefined)
    return authenticate(deps.auth, req.headers.authorization, address);
  const session = await liveSession(sso, id);
  if (!SAFE_METHODS.includes(req.method ?? "")) checkCsrf(session, csrfHeaders(req), origins);
  return principalOf(sso, session);
}

/** `{error:{code, message, details?}}` with its status; unknown errors are 500 and logged. */
export function toErrorReply(e: unknown): Reply {
  if (isBodyError(e)) {
    const { status, code } = toBodyWireError(e.code);
    return { status, body: errorBody(code, e.message) };
  }
  if (!isCustomsError(e)) return { status: 500, body: errorBody("INTERNAL", "internal error") };
  const { status, code } = toWireError(e.code);
  const details = e instanceof ApiError ? e.details : undefined;
  const retry = e instanceof ApiError ? e.retryAfterSeconds : undefined;
  const message = status === 500 ? "internal error" : e.message;
  return {
    status,
    body: errorBody(code, message, details),
    headers: {
      ...(retry === undefined ? {} : { "retry-after": String(retry) }),
      ...(status === 503 && retry === undefined ? { "retry-after": "1" } : {}),
    },
  };
}

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { "cache-control": "no-store", ...reply.headers };
  if (reply.text !== undefined) {
    res.writeHead(reply.status, {
      "content-type": "text/plain; charset=utf-8",
      ...headers,
      "content-length": String(Buffer.byteLength(reply.text)),
    });
    res.end(reply.text);
    return;
  }
  if (reply.body === undefined || reply.status === 304 || reply.status === 204) {
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  sendJson(res, reply.status, reply.body, headers);
}

/** ETag of one object: its resourceVersion; a matching If-None-Match is a 304. */
function withEtag(route: Route, req: IncomingMessage, reply: Reply): Reply {
  if (!route.etag || reply.status !== 200) return reply;
  const meta = (reply.body as { metadata?: { resourceVersion?: unknown } }).metadata;
  if (typeof meta?.resourceVersion !== "string") return reply;
  const etag = `"${meta.resourceVersion}"`;
  if (req.headers["if-none-match"] === etag) return { status: 304, headers: { etag } };
  return { ...reply, headers: { ...reply.headers, etag } };
}

async function run(
  deps: ApiDeps,
  route: Route,
  params: Record<string, string>,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
) {
  const gone = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) gone.abort();
  });
  const address = clientAddress(
    req.socket.remoteAddress ?? "",
    req.headers["x-forwarded-for"],
    deps.trustedProxies,
  );
  for (const [key, value] of url.searchParams) {
    if (value.includes("\u0000") || key.includes("\u0000")) {
      throw new ApiError(
        "API_BAD_REQUEST",
        `the query parameter ${JSON.stringify(key)} holds a NUL character`,
      );
    }
  }
  const origins = originsOf(deps, req);
  const principal = route.public ? ANONYMOUS : await callerOf(deps, req, address, origins);
  if (principal.role === "cluster-agent") deps.onAgent(principal);
  let body: Promise<Record<string, unknown>> | undefined;
  const reply = await route.handler({
    params,
    query: url.searchParams,
    headers: req.headers,
    principal,
    ctx: deps.ctx,
    origins,
    signal: gone.signal,
    body: () => {
      body ??= readBody(req, route.maxBodyBytes ?? MAX_BODY_BYTES).then((text) =>
        parseJsonBody(text, route.checkedByRecord === true),
      );
      return body;
    },
  });
  return withEtag(route, req, reply);
}

/** Answers one request under /api/: route, authenticate, run, map errors, count. */
export async function handleApi(
  deps: ApiDeps,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const started = process.hrtime.bigint();
  const match = deps.router.match(req.method ?? "", url.pathname);
  let label = "unmatched";
  let reply: Reply;
  if (match === undefined) {
    reply = toErrorReply(new ApiError("API_NOT_FOUND", `no route ${url.pathname}`));
  } else if (match === "method") {
    const message = `${req.method} is not allowed on ${url.pathname}`;
    reply = { status: 405, body: errorBody("METHOD_NOT_ALLOWED", message) };
  } else {
    label = match.route.path;
    try {
      reply = await run(deps, match.route, match.params, req, res, url);
    } catch (e) {
      reply = toErrorReply(e);
      if (reply.status === 500) deps.onInternalError(e, label);
      if (reply.status === 401) deps.metrics.authFailures.inc();
    }
  }
  // The body is not read on early refusals; drain it so the connection can be reused.
  if (!req.readableEnded) req.resume();
  send(res, reply);
  const method = req.method ?? "";
  deps.metrics.requests.inc({ route: label, method, code: String(reply.status) });
  if (label !== "/api/v1/agent/policies") {
    deps.metrics.latency.observe(
      { route: label, method },
      Number(process.hrtime.bigint() - started) / 1e9,
    );
  }
}

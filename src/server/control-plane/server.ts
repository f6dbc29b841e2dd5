import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AgentInstallContext, FleetContext, SsoContext } from "../../app/fleet/index.js";
import {
  BundleSigner,
  CONNECTED_WITHIN_MS,
  DeliveryHub,
  ensureBundleKey,
  FailureLimiter,
} from "../../app/fleet/index.js";
import type { Principal } from "../../core/fleet/authorize.js";
import type { FleetStore } from "../../core/fleet/store.js";
import { sendError, sendText, startListener } from "../http/index.js";
import { handleApi } from "./api.js";
import { parseTrustedProxies } from "./client-address.js";
import { createControlPlaneMetrics } from "./metrics.js";
import { withOpenApi } from "./openapi.js";
import { Router } from "./router.js";
import { allRoutes } from "./routes.js";
import { serveConsole } from "./static.js";

/** The smallest logger the server needs (pino fits). */
export interface ServerLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ControlPlaneOptions {
  readonly store: FleetStore;
  readonly host: string;
  readonly port: number;
  /** PEM certificate and key; without them the listener is plain HTTP (loopback only, checked by the CLI). */
  readonly tls: { readonly cert: string | Buffer; readonly key: string | Buffer } | undefined;
  readonly consoleDir?: string;
  readonly logger?: ServerLogger;
  readonly now?: () => Date;
  /**
   * Send Strict-Transport-Security: only for a certificate of the user's. A browser would
   * otherwise pin HTTPS on `localhost` for a year for every other local server too.
   */
  readonly hsts?: boolean;
  /** The product's version, for the OpenAPI document. */
  readonly version?: string;
  /** The external URL, CA and image agents get in "Add cluster" manifests. */
  readonly agentInstall?: AgentInstallContext;
  /** How often other replicas' changes are looked for (ms). */
  readonly pollMs?: number;
  /**
   * `--metrics-token-file`: when set, `/metrics` answers only `Authorization: Bearer <it>`
   * (the request counts by route and code tell an outsider what the fleet is doing).
   */
  readonly metricsToken?: string;
  /** `--trusted-proxy`: peers whose X-Forwarded-For gives the client's address. */
  readonly trustedProxies?: readonly string[];
  /** `--oidc-config`: sign-in with OpenID Connect (docs/sso.md). */
  readonly oidc?: Pick<SsoContext, "config" | "provider">;
}

export interface ControlPlaneServer {
  readonly url: string;
  readonly port: number;
  readonly hub: DeliveryHub;
  /** Stops accepting, answers waiting long polls, waits for in-flight requests (up to graceMs). */
  close(graceMs?: number): Promise<void>;
}

const SILENT: ServerLogger = { info() {}, warn() {}, error() {} };

/** Content-Security-Policy for the console: its own scripts and styles, nothing else. */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

function securityHeaders(res: ServerResponse, hsts: boolean): void {
  res.setHeader("x-content-type-options", "nosniff");
  res.setHeader("referrer-policy", "no-referrer");
  res.setHeader("x-frame-options", "DENY");
  res.setHeader("content-security-policy", CSP);
  if (hsts) res.setHeader("strict-transport-security", "max-age=31536000");
}

const NO_STORE = { "cache-control": "no-store" } as const;

function plain(
  res: ServerResponse,
  status: number,
  text: string,
  type = "text/plain; charset=utf-8",
) {
  sendText(res, status, text, type, NO_STORE);
}

/** No token configured: open. Else the bearer must match it, compared in constant time. */
function isMetricsReader(token: string | undefined, authorization: string | undefined): boolean {
  if (token === undefined) return true;
  const given = /^Bearer (\S+)$/i.exec(authorization ?? "")?.[1] ?? "";
  const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();
  return timingSafeEqual(digest(given), digest(token));
}

/** The control plane's listener: API, OpenAPI, health, metrics and the console. Thin. */
export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlaneServer> {
  const logger = options.logger ?? SILENT;
  const now = options.now ?? (() => new Date());
  // Before the listener: no bundle may ever be delivered unsigned.
  await ensureBundleKey(options.store, now());
  const hub = new DeliveryHub(options.store, options.pollMs ?? 1000, (e) =>
    logger.warn({ err: e }, "delivery refresh failed"),
  );
  const sso: SsoContext | undefined =
    options.oidc === undefined
      ? undefined
      : {
          ...options.oidc,
          store: options.store,
          now,
          onFailure: (code, message) => logger.warn({ code, reason: message }, "sign-in failed"),
        };
  const ctx: FleetContext = {
    store: options.store,
    hub,
    signer: new BundleSigner(options.store),
    now,
    ...(options.agentInstall === undefined ? {} : { agentInstall: options.agentInstall }),
    ...(sso === undefined ? {} : { sso }),
  };
  const agents = new Map<string, number>();
  const connected = () => {
    const t = now().getTime();
    let n = 0;
    for (const [key, seen] of agents) {
      if (t - seen < CONNECTED_WITHIN_MS) n++;
      else agents.delete(key);
    }
    return n;
  };
  const metrics = createControlPlaneMetrics(connected, () => hub.waiting());
  const router = new Router(withOpenApi(allRoutes, options.version));
  const limiter = new FailureLimiter(() => now().getTime());
  const deps = {
    trustedProxies:
      options.trustedProxies === undefined || options.trustedProxies.length === 0
        ? undefined
        : parseTrustedProxies(options.trustedProxies),
    router,
    ctx,
    metrics,
    tls: options.tls !== undefined,
    externalOrigin:
      options.agentInstall === undefined
        ? undefined
        : new URL(options.agentInstall.externalUrl).origin,
    auth: {
      store: options.store,
      limiter,
      now,
      onFailure: (address: string, tokenId: string | undefined, reason: string) =>
        logger.warn({ address, tokenId, reason }, "authentication failed"),
    },
    onInternalError: (e: unknown, route: string) =>
      logger.error({ err: e, route }, "internal error"),
    onAgent: (p: Principal) => agents.set(`${p.organization}/${p.cluster}`, now().getTime()),
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    securityHeaders(res, options.tls !== undefined && options.hsts === true);
    const url = new URL(req.url ?? "/", "http://control-plane");
    const path = url.pathname;
    // While draining, the listener asks every reply to close its connection.
    if (path === "/api" || path.startsWith("/api/")) return handleApi(deps, req, res, url);
    if (path === "/healthz") return plain(res, 200, "ok\n");
    if (path === "/readyz") {
      if (listener.draining) return plain(res, 503, "shutting down\n");
      try {
        await options.store.revisions();
        return plain(res, 200, "ok\n");
      } catch {
        return plain(res, 503, "database unreachable\n");
      }
    }
    if (path === "/metrics") {
      if (!isMetricsReader(options.metricsToken, req.headers.authorization)) {
        return sendError(res, 401, "UNAUTHENTICATED", "a metrics token is needed", {
          headers: { ...NO_STORE, "www-authenticate": 'Bearer realm="metrics"' },
        });
      }
      return plain(res, 200, await metrics.registry.metrics(), metrics.registry.contentType);
    }
    if (req.method !== "GET" && req.method !== "HEAD")
      return sendError(res, 405, "METHOD_NOT_ALLOWED", `${req.method} is not allowed on ${path}`, {
        headers: NO_STORE,
      });
    if (options.consoleDir === undefined)
      return sendError(res, 404, "NOT_FOUND", "no console is served", { headers: NO_STORE });
    return serveConsole(options.consoleDir, path, res, req.method === "HEAD");
  };
  const listener = await startListener({
    host: options.host,
    port: options.port,
    tls: options.tls,
    // Long polls hold a response up to 60 s; only slow request *headers/bodies* are cut off.
    requestTimeoutMs: 30_000,
    headersTimeoutMs: 10_000,
    keepAliveTimeoutMs: 75_000,
    handler: (req, res) => {
      handle(req, res).catch((e) => {
        logger.error({ err: e }, "request failed");
        if (!res.headersSent)
          sendError(res, 500, "INTERNAL", "internal error", { headers: NO_STORE });
        else res.destroy();
      });
    },
  });
  hub.start();
  const { port } = listener;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `${options.tls === undefined ? "http" : "https"}://${host}:${port}`,
    port,
    hub,
    async close(graceMs = 10_000) {
      const drained = listener.drain(graceMs);
      // After the drain began: the long polls it answers carry `connection: close`.
      hub.stop();
      await drained;
    },
  };
}

import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { watchFiles } from "../adapters/files/index.js";
import { createLoginLimiter } from "../adapters/registry-token/index.js";
import type { TokenRequest } from "../app/registry/index.js";
import {
  loadAccounts,
  loadTokenConfig,
  loadTokenKeys,
  TokenService,
  type TokenState,
} from "../app/registry/index.js";
import { toAccountDirectory } from "../core/registry-token/index.js";
import {
  isBodyError,
  readBody,
  readTlsFiles,
  sendError,
  sendJson,
  sendText,
  startListener,
  toBodyWireError,
} from "./http/index.js";

export interface RunningTokenServer {
  readonly port: number;
  /** Reads every file again; on any error keeps the previous state and rethrows. */
  reload(): void;
  stop(): Promise<void>;
}

/** A token form is a few hundred bytes; anything past this is not one. */
const MAX_BODY = 64 * 1024;

function loadState(configPath: string): TokenState {
  const config = loadTokenConfig(configPath);
  return {
    config,
    keys: loadTokenKeys(config),
    directory: toAccountDirectory(loadAccounts(config.accountsFile)),
  };
}

/**
 * A body the listener refused (too large, broken off). Only `POST /token` has a body, and
 * that is OAuth2's flow, so the refusal is in OAuth2's error shape (RFC 6749, 5.2).
 */
function sendBodyRefusal(
  res: ServerResponse,
  e: { code: "BODY_TOO_LARGE" | "BODY_UNREADABLE"; message: string },
) {
  const { status } = toBodyWireError(e.code);
  sendJson(res, status, { error: "invalid_request", error_description: e.message });
}

async function toRequest(req: IncomingMessage, url: URL): Promise<TokenRequest> {
  const post = req.method === "POST";
  return {
    method: post ? "POST" : "GET",
    query: url.searchParams,
    form: post ? new URLSearchParams(await readBody(req, MAX_BODY)) : undefined,
    authorization: req.headers.authorization,
    // The socket's address: forwarded headers are not trusted (docs/registry-access.md).
    client: req.socket.remoteAddress ?? "unknown",
  };
}

/**
 * `customs registry token-server`: HTTPS, `GET|POST /token`, `/healthz`. Thin: the protocol
 * is TokenService's (app); this only reads requests, writes replies and reloads files.
 */
export async function startTokenServer(
  configPath: string,
  logger: Logger,
  options: { pollMs?: number } = {},
): Promise<RunningTokenServer> {
  let state = loadState(configPath);
  const tlsOf = (s: TokenState) =>
    readTlsFiles({ cert: s.config.tls.certificate, key: s.config.tls.key });
  const service = new TokenService(
    state,
    createLoginLimiter(state.config.rateLimit),
    (level, fields, msg) => logger[level](fields, msg),
  );
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "https://token.invalid");
    if (url.pathname === "/healthz" && req.method === "GET") return sendText(res, 200, "ok\n");
    // The token protocol covers /token only; every other refusal is the listeners' shape.
    if (url.pathname !== "/token" || (req.method !== "GET" && req.method !== "POST"))
      return sendError(res, 404, "NOT_FOUND", `no route ${req.method} ${url.pathname}`);
    toRequest(req, url)
      .then((r) => service.handle(r))
      .then(
        (reply) => sendJson(res, reply.status, reply.body, reply.headers),
        (e: unknown) => {
          if (res.headersSent) return;
          if (isBodyError(e)) {
            if (e.code === "BODY_TOO_LARGE") res.setHeader("connection", "close");
            return sendBodyRefusal(res, e);
          }
          logger.error({ err: e }, "token request failed");
          sendError(res, 500, "INTERNAL", "internal error");
        },
      );
  };
  const listener = await startListener({
    host: state.config.listen.host,
    port: state.config.listen.port,
    tls: tlsOf(state),
    requestTimeoutMs: 10_000,
    headersTimeoutMs: 10_000,
    keepAliveTimeoutMs: 5_000,
    handler: handle,
  });
  const { port } = listener;
  logger.info(
    { host: state.config.listen.host, port, service: state.config.service },
    "token service listening",
  );

  const reload = () => {
    const next = loadState(configPath);
    listener.reloadTls(tlsOf(next));
    service.replace(next);
    state = next;
    logger.info({ accounts: next.directory.accounts.size }, "configuration reloaded");
  };
  const paths = () => [
    configPath,
    state.config.accountsFile,
    state.config.signing.certificate,
    state.config.signing.key,
    state.config.tls.certificate,
    state.config.tls.key,
    ...state.config.trustedCertificates,
  ];
  const watcher = watchFiles(
    paths(),
    options.pollMs ?? 2000,
    async () => reload(),
    (e) => logger.error({ err: e }, "reload failed; keeping the previous configuration"),
  );
  return {
    port,
    reload,
    stop: () => {
      watcher.stop();
      // Token requests are short and clients retry: no grace period.
      return listener.drain(0);
    },
  };
}

import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
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
import { readBody } from "./read-body.js";

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

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: unknown) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, {
    "content-type": typeof body === "string" ? "text/plain" : "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
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
  const tlsOf = (s: TokenState) => ({
    cert: readFileSync(s.config.tls.certificate),
    key: readFileSync(s.config.tls.key),
    minVersion: "TLSv1.2" as const,
  });
  const service = new TokenService(
    state,
    createLoginLimiter(state.config.rateLimit),
    (level, fields, msg) => logger[level](fields, msg),
  );
  const server = createServer(tlsOf(state), (req, res) => {
    const url = new URL(req.url ?? "/", "https://token.invalid");
    if (url.pathname === "/healthz" && req.method === "GET") return send(res, 200, {}, "ok\n");
    if (url.pathname !== "/token" || (req.method !== "GET" && req.method !== "POST"))
      return send(res, 404, {}, { errors: [{ code: "NOT_FOUND", message: "not found" }] });
    toRequest(req, url)
      .then((r) => service.handle(r))
      .then(
        (reply) => send(res, reply.status, reply.headers, reply.body),
        (e: unknown) => {
          logger.error({ err: e }, "token request failed");
          if (!res.headersSent)
            send(res, 400, {}, { errors: [{ code: "INVALID_REQUEST", message: "bad request" }] });
        },
      );
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;
  server.on("tlsClientError", () => {});
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(state.config.listen.port, state.config.listen.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  logger.info(
    { host: state.config.listen.host, port, service: state.config.service },
    "token service listening",
  );

  const reload = () => {
    const next = loadState(configPath);
    server.setSecureContext(tlsOf(next));
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
    stop: () =>
      new Promise((resolve) => {
        watcher.stop();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

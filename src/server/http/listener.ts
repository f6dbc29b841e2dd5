import { readFileSync } from "node:fs";
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import type { AddressInfo } from "node:net";

/** Paths of a serving certificate, its key and, for client certificates, their CA. */
export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
  readonly ca?: string | undefined;
}

/** PEM contents of the same. */
export interface TlsMaterial {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  readonly ca?: string | Buffer | undefined;
}

export function readTlsFiles(files: TlsFiles): TlsMaterial {
  return {
    cert: readFileSync(files.cert),
    key: readFileSync(files.key),
    ...(files.ca === undefined ? {} : { ca: readFileSync(files.ca) }),
  };
}

/** TLS 1.0 and 1.1 are refused everywhere: nothing that calls us needs them. */
const MIN_TLS = "TLSv1.2" as const;

function secureOptions(material: TlsMaterial) {
  return {
    cert: material.cert,
    key: material.key,
    ...(material.ca === undefined ? {} : { ca: material.ca }),
    minVersion: MIN_TLS,
  };
}

export interface ListenerOptions {
  readonly host: string;
  readonly port: number;
  /** Serving certificate; undefined only for the control plane's loopback `--plain-http`. */
  readonly tls: TlsMaterial | undefined;
  /**
   * Ask for a client certificate but let the handshake finish without one: probes and
   * metrics come without; the handler decides who needs one (`socket.authorized`).
   */
  readonly requestClientCert?: boolean;
  /** A slow client gets this long for its whole request (headers and body). */
  readonly requestTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  /** How often Node looks for requests past requestTimeoutMs (its default, 30 s, is coarse). */
  readonly connectionsCheckingIntervalMs?: number;
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
}

export interface Listener {
  readonly server: Server;
  readonly port: number;
  /** True from the start of drain(): readiness turns false, replies close their connection. */
  readonly draining: boolean;
  /** New connections use this certificate; open ones keep theirs. */
  reloadTls(material: TlsMaterial): void;
  /**
   * Stops accepting, lets in-flight requests finish, and closes every connection left after
   * graceMs. Resolves once the listener is closed.
   */
  drain(graceMs: number): Promise<void>;
}

/** Creates the server, listens, and resolves once it accepts connections. */
export async function startListener(options: ListenerOptions): Promise<Listener> {
  let draining = false;
  const { handler } = options;
  // A keep-alive connection asked to close after its reply: during a drain no new request
  // should arrive on it, and the client reconnects to a replica that is not stopping.
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    if (draining) res.setHeader("connection", "close");
    handler(req, res);
  };
  const serverOptions =
    options.connectionsCheckingIntervalMs === undefined
      ? {}
      : { connectionsCheckingInterval: options.connectionsCheckingIntervalMs };
  const secure: HttpsServer | undefined =
    options.tls === undefined
      ? undefined
      : createHttpsServer(
          {
            ...secureOptions(options.tls),
            ...(options.requestClientCert === true
              ? { requestCert: true, rejectUnauthorized: false }
              : {}),
            ...serverOptions,
          },
          onRequest,
        );
  const server: Server = secure ?? createHttpServer(serverOptions, onRequest);
  server.requestTimeout = options.requestTimeoutMs;
  server.headersTimeout = options.headersTimeoutMs;
  server.keepAliveTimeout = options.keepAliveTimeoutMs;
  // A client that fails the handshake (wrong CA, plain HTTP) is not our error to log loudly.
  server.on("tlsClientError", () => {});

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    server,
    port,
    get draining() {
      return draining;
    },
    reloadTls(material) {
      // A plain-HTTP listener has no certificate to replace.
      secure?.setSecureContext(secureOptions(material));
    },
    drain(graceMs) {
      draining = true;
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        // Idle keep-alive connections would hold close() open; busy ones finish first.
        server.closeIdleConnections();
      });
    },
  };
}

import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import type { Logger } from "pino";
import type { SupplyContext } from "../app/supply/index.js";
import type { AdmissionOutcome, NamespaceDirectory } from "../app/webhook/index.js";
import {
  admitRequestWithSupply,
  admitWithSupply,
  outcomeText,
  policyAdmission,
  readReview,
} from "../app/webhook/index.js";
import type { Evaluator } from "../core/evaluate/index.js";
import {
  isBodyError,
  readBodyThen,
  readTlsFiles,
  sendError,
  sendJson,
  sendJsonText,
  sendText,
  startListener,
  type TlsFiles,
  toBodyWireError,
} from "./http/index.js";
import type { WebhookMetrics } from "./metrics.js";
import { countersOf } from "./webhook-counters.js";

export interface WebhookOptions {
  readonly host: string;
  readonly port: number;
  readonly tlsCert: string;
  readonly tlsKey: string;
  /**
   * `--client-ca-file`: reviews (`/validate`, `/mutate`) are answered only to callers whose
   * client certificate this CA signed, the API server configured through an
   * AdmissionConfiguration kubeconfig (docs/webhook.md). Probes and metrics stay open:
   * kubelet's HTTPS probes present no certificate.
   */
  readonly clientCaFile?: string;
  /** Kubernetes sends at most a few MiB; anything larger is refused with 413. */
  readonly maxBodyBytes: number;
  /** A slow client gets this long for its whole request. */
  readonly requestTimeoutMs: number;
  readonly logger: Logger;
  readonly metrics: WebhookMetrics;
  readonly namespaces: NamespaceDirectory;
  /**
   * Fetching facts for supply-chain policies (signatures, image config, reports), within the
   * budget derived from the webhook's timeoutSeconds. Without it those policies fail closed.
   */
  readonly supply?: SupplyContext;
  /** `POST /mutate` (digest pinning), when enabled. */
  readonly mutate?: (text: string, evaluator: Evaluator) => Promise<AdmissionOutcome>;
  /** The current evaluator; swapped by policy reloads without stopping the server. */
  evaluator(): Evaluator | undefined;
  /**
   * Called with each decided `/validate` review after its response is sent (the agent
   * reports violations from here). It must not throw; a throw is logged and ignored.
   */
  readonly onDecision?: (outcome: AdmissionOutcome) => void;
  /** Lines `/readyz` adds as warnings (policies left out), without turning not-ready. */
  readonly readinessWarnings?: () => readonly string[];
}

export interface WebhookServer {
  readonly port: number;
  readonly server: Server;
  /** Reads the certificate files again; new connections use them, open ones keep theirs. */
  reloadTls(): void;
  /** Stops accepting, reports not ready, lets in-flight requests finish (up to graceMs). */
  drain(graceMs: number): Promise<void>;
}

function tlsFilesOf(options: WebhookOptions): TlsFiles {
  return { cert: options.tlsCert, key: options.tlsKey, ca: options.clientCaFile };
}

/** Did the TLS handshake verify a client certificate against --client-ca-file? */
function isAuthenticatedClient(req: IncomingMessage): boolean {
  return (req.socket as TLSSocket).authorized === true;
}

/**
 * The admission webhook's HTTPS listener. Thin: routing, body limits, metrics and logs; every
 * decision is made by handleAdmission (app) and reviewAdmission (core).
 */
export async function startWebhook(options: WebhookOptions): Promise<WebhookServer> {
  const { logger, metrics } = options;
  const clientCerts = options.clientCaFile !== undefined;
  type Handler = (
    text: string,
    evaluator: Evaluator,
  ) => AdmissionOutcome | Promise<AdmissionOutcome>;
  const count = countersOf(metrics);

  /** Metrics, the log line, the reply and the decision hook of one decided review. */
  const answer = (
    route: string,
    outcome: AdmissionOutcome,
    started: number,
    res: ServerResponse,
  ) => {
    const seconds = (performance.now() - started) / 1e3;
    const response = outcome.response;
    if (response === undefined) {
      count.latency(route, seconds);
      count.request(route, outcome.status);
      const { error } = outcome.body as { error: { code: string; message: string } };
      logger.warn(
        { status: outcome.status, code: error.code, error: error.message },
        "bad admission request",
      );
      sendJson(res, outcome.status, outcome.body);
      return;
    }
    // The answer leaves first: counting and logging it are the webhook's own business, and
    // the API server (and its timeout) need not wait for them. Only the response is
    // serialized, never the request (megabytes at worst) again.
    sendJsonText(res, outcome.status, outcomeText(outcome));
    count.latency(route, seconds);
    count.request(route, outcome.status);
    const verdict = !response.allowed
      ? "deny"
      : response.patch
        ? "patch"
        : response.warnings
          ? "warn"
          : "allow";
    const validating = route === "/validate";
    if (validating) count.decision(verdict);
    const { violations, exempted } = outcome;
    if (violations !== undefined) {
      for (const v of violations) count.violation(v.policy, v.action, v.code);
    }
    if (exempted !== undefined) {
      for (const e of exempted) count.exemption(e.policy, e.exception);
    }
    // A plain allow, the bulk of a cluster's reviews, is logged at debug: it is counted in
    // the metrics and recorded, with its audit annotations, in the API server's audit log,
    // and a line for each cost the hot path more than deciding it. Denials, warnings and
    // patches are logged at info, each one.
    const level = verdict === "allow" ? "debug" : "info";
    if (logger.isLevelEnabled(level)) {
      const r = outcome.request;
      logger[level](
        {
          kind: r?.kind,
          namespace: r?.namespace,
          name: r?.name,
          operation: r?.operation,
          uid: response.uid,
          verdict,
          ms: Math.round(seconds * 1e6) / 1e3,
        },
        validating ? "admission" : "mutation",
      );
    }
    if (validating && options.onDecision !== undefined) {
      try {
        options.onDecision(outcome);
      } catch (e) {
        logger.error({ err: e }, "decision hook failed");
      }
    }
  };

  const failed = (e: unknown, path: string, res: ServerResponse) => {
    logger.error({ err: e, path }, "admission failed");
    if (!res.headersSent) sendError(res, 500, "INTERNAL", "internal error");
  };

  const unavailable = (route: string, res: ServerResponse) => {
    // No valid policy set yet: refuse rather than allow (failurePolicy Fail applies).
    count.request(route, 503);
    sendError(res, 503, "UNAVAILABLE", "no policies loaded");
  };

  /**
   * One review, from its body to its answer: the body is parsed once, and the answer is
   * synchronous (no promise, no microtask) unless facts have to be fetched.
   */
  const decide = (route: string, handler: Handler, text: string, res: ServerResponse) => {
    const evaluator = options.evaluator();
    const started = performance.now();
    let outcome: AdmissionOutcome | Promise<AdmissionOutcome>;
    if (route === "/validate") {
      const read = readReview(text);
      // Reviews of ImagePolicies and Workspaces need no policy set: they are answered even
      // before one is loaded, or a cluster with a broken first policy could never fix it.
      const policyReview =
        "request" in read ? policyAdmission(read.request, Date.now()) : undefined;
      if (policyReview !== undefined) return answer(route, policyReview, started, res);
      if (evaluator === undefined) return unavailable(route, res);
      outcome =
        "bad" in read
          ? read.bad
          : admitRequestWithSupply(read.request, evaluator, options.namespaces, options.supply);
    } else {
      if (evaluator === undefined) return unavailable(route, res);
      outcome = handler(text, evaluator);
    }
    if (outcome instanceof Promise) {
      outcome.then(
        (o) => answer(route, o, started, res),
        (e) => failed(e, route, res),
      );
    } else {
      answer(route, outcome, started, res);
    }
  };

  const admit = (route: string, handler: Handler, req: IncomingMessage, res: ServerResponse) =>
    readBodyThen(
      req,
      options.maxBodyBytes,
      (text) => {
        try {
          decide(route, handler, text, res);
        } catch (e) {
          failed(e, route, res);
        }
      },
      (e) => {
        if (!isBodyError(e)) return failed(e, route, res);
        const { status, code } = toBodyWireError(e.code);
        count.request(route, status);
        if (!res.headersSent && !res.destroyed) sendError(res, status, code, e.message);
        // The rest of an oversized body is not read: the connection cannot be reused.
        if (e.code === "BODY_TOO_LARGE") req.socket.destroy();
      },
    );

  // /validate is decided in `decide` on the review it reads; this is only its route's mark.
  const validate: Handler = (text, evaluator) =>
    admitWithSupply(text, evaluator, options.namespaces, options.supply);

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? "/";
    const query = url.indexOf("?");
    const path = query < 0 ? url : url.slice(0, query);
    const handler: Handler | undefined =
      path === "/validate" ? validate : path === "/mutate" ? options.mutate : undefined;
    if (req.method === "POST" && handler !== undefined) {
      if (clientCerts && !isAuthenticatedClient(req)) {
        // Not the API server: nothing is decided, so nothing reaches onDecision (the agent's
        // violation records) and no policy is revealed to whoever can reach the Service.
        count.request(path, 401);
        logger.warn(
          { code: "WEBHOOK_CLIENT_UNAUTHENTICATED", address: req.socket.remoteAddress, path },
          "review refused: no client certificate of --client-ca-file",
        );
        req.resume();
        sendError(
          res,
          401,
          "WEBHOOK_CLIENT_UNAUTHENTICATED",
          "a client certificate signed by --client-ca-file is required",
        );
        return;
      }
      admit(path, handler, req, res);
      return;
    }
    if (req.method === "GET" && path === "/healthz") return sendText(res, 200, "ok\n");
    if (req.method === "GET" && path === "/readyz") {
      const ready = !listener.draining && options.evaluator() !== undefined;
      if (!ready) return sendText(res, 503, "not ready\n");
      // Invalid policies are reported, never a reason to be not ready: a webhook out of its
      // Service with failurePolicy Fail would refuse every workload in the cluster, and anyone
      // allowed to write one bad policy could take admission down.
      const warnings = options.readinessWarnings?.() ?? [];
      return sendText(res, 200, `ok\n${warnings.map((w) => `warning: ${w}\n`).join("")}`);
    }
    if (req.method === "GET" && path === "/metrics") {
      count.flush();
      metrics.registry.metrics().then(
        (text) => sendText(res, 200, text, metrics.registry.contentType),
        () => sendText(res, 500, "metrics failed\n"),
      );
      return;
    }
    count.request("other", 404);
    sendError(res, 404, "NOT_FOUND", `no route ${req.method} ${path}`);
  };

  const listener = await startListener({
    host: options.host,
    port: options.port,
    tls: readTlsFiles(tlsFilesOf(options)),
    // Asked for, not required at the handshake: probes and /metrics come without one; the
    // review routes refuse an unverified caller above.
    requestClientCert: clientCerts,
    requestTimeoutMs: options.requestTimeoutMs,
    headersTimeoutMs: Math.min(options.requestTimeoutMs, 10_000),
    keepAliveTimeoutMs: 30_000,
    connectionsCheckingIntervalMs: Math.max(50, Math.min(1_000, options.requestTimeoutMs / 4)),
    handler: handle,
  });
  const { port } = listener;
  logger.info({ host: options.host, port }, "webhook listening");

  return {
    port,
    server: listener.server,
    reloadTls() {
      listener.reloadTls(readTlsFiles(tlsFilesOf(options)));
      metrics.reloads.inc({ what: "tls", result: "ok" });
      logger.info("certificates reloaded");
    },
    drain: (graceMs) => listener.drain(graceMs),
  };
}

import type { Logger } from "pino";
import type { Counter, Gauge } from "prom-client";
import { readInputs, watchFiles, watchStableInputs } from "../../adapters/files/index.js";
import {
  KubeClient,
  type KubeConnection,
  serviceAccountTokenSource,
} from "../../adapters/kube/index.js";
import { isPrimaryProcess, superviseWorkers } from "../../adapters/process/index.js";
import { createEvaluator, type Evaluator } from "../../core/evaluate/index.js";
import { type AuditLease, Auditor, auditLeaderElection } from "../audit/index.js";
import { loadPolicySet } from "../documents/index.js";
import { cachedSupplyFor, type SupplyContext } from "../supply/index.js";
import { startClusterSource } from "./cluster-source.js";
import { NamespaceCache } from "./namespaces.js";

/** What the runtime needs of its listener (src/server/webhook.ts, wired by the CLI). */
export interface ServedWebhook {
  readonly port: number;
  /** Reads the certificate files again. */
  reloadTls(): void;
  drain(graceMs: number): Promise<void>;
}

/** What the listener gets from the runtime: the policies and namespaces of now. */
export interface WebhookHooks {
  readonly namespaces: NamespaceCache;
  evaluator(): Evaluator | undefined;
  readinessWarnings(): readonly string[];
}

export interface WebhookRuntimeMetrics {
  readonly reloads: Counter<"what" | "result">;
  readonly policiesInvalid: Gauge;
}

export interface WebhookRuntimeOptions {
  /** `-p`: policy files and folders, reloaded when they change. Absent with --from-cluster. */
  readonly policyPaths: readonly string[] | undefined;
  /** The cluster's API server: namespaces always, policies too with `fromCluster`. */
  readonly connection: KubeConnection | undefined;
  readonly fromCluster: boolean;
  /** This cluster's name, for CLUSTER/NAMESPACE workspace entries. */
  readonly clusterName: string | undefined;
  /** How often policy and certificate files are looked at. */
  readonly reloadIntervalMs: number;
  /** Certificate, key and client CA files: a change reloads the listener's TLS. */
  readonly tlsFiles: readonly string[];
  readonly logger: Logger;
  readonly metrics: WebhookRuntimeMetrics;
  readonly startServer: (hooks: WebhookHooks) => Promise<ServedWebhook>;
  /**
   * The background audit (with `fromCluster` only): PolicyReports of every workload against
   * the cluster's policies (docs/audit.md). Absent: no audit.
   */
  readonly audit?: {
    readonly intervalMs: number;
    readonly qps: number;
    readonly policyReports: boolean;
    /** Evaluations between two yields to the event loop (`--audit-batch`). */
    readonly batch?: number;
    /** Only the holder of the `customs-audit` Lease audits; absent: every replica does. */
    readonly lease?: AuditLease;
  };
  /** The supply-chain context of /validate: the audit reads its fact cache (never fetches). */
  readonly supply?: SupplyContext;
}

export interface RunningWebhook {
  readonly port: number;
  /** Stops watching, reports not ready, lets in-flight reviews finish (up to drainMs). */
  stop(drainMs: number): Promise<void>;
}

function invalidWarning(names: readonly string[]): readonly string[] {
  if (names.length === 0) return [];
  const noun = names.length === 1 ? "policy" : "policies";
  return [`${names.length} invalid ${noun} left out (see status.conditions): ${names.join(", ")}`];
}

/**
 * `customs serve webhook` in one process: the policies (files or the cluster's CRDs), the
 * namespaces, the listener, and the reloads of policies and certificates.
 */
export async function startWebhookRuntime(o: WebhookRuntimeOptions): Promise<RunningWebhook> {
  const { logger, metrics } = o;
  const namespaces = new NamespaceCache(o.clusterName);
  // Fail fast on a bad policy set at start; later bad edits keep the previous set.
  const initialTexts = o.policyPaths === undefined ? [] : await readInputs(o.policyPaths);
  let invalidPolicies: readonly string[] = [];
  let evaluator: Evaluator | undefined =
    o.policyPaths === undefined
      ? undefined
      : createEvaluator(loadPolicySet(initialTexts).set, undefined, { now: Date.now });
  const source =
    o.connection === undefined
      ? undefined
      : startClusterSource(
          o.connection,
          namespaces,
          {
            onPolicies(next, count) {
              evaluator = next;
              auditor?.policiesChanged();
              invalidPolicies = count.invalid;
              metrics.policiesInvalid.set(count.invalid.length);
              metrics.reloads.inc({ what: "policies", result: "ok" });
              logger.info(count, "policies loaded from the cluster");
            },
            onInvalid(name, issues) {
              metrics.reloads.inc({ what: "policies", result: "invalid" });
              logger.error(
                { policy: name, issues: issues.filter((i) => i.severity === "error") },
                "invalid policy in the cluster left out",
              );
            },
            onError(e) {
              logger.warn({ err: e }, "cluster watch error; retrying");
            },
          },
          o.fromCluster,
          // The webhook has RBAC for imagepolicies/status; the agent does not write it.
          { writeStatus: o.fromCluster },
        );
  const auditor = auditorOf(o, namespaces, () => evaluator);
  let server: ServedWebhook;
  try {
    server = await o.startServer({
      namespaces,
      evaluator: () => evaluator,
      readinessWarnings: () => invalidWarning(invalidPolicies),
    });
  } catch (e) {
    source?.stop();
    await auditor?.stop();
    throw e;
  }
  void auditor?.start();
  // Only a whole file is applied: see watchStableInputs (docs/cli.md, serve).
  const policies = watchStableInputs({
    paths: o.policyPaths ?? [],
    intervalMs: o.reloadIntervalMs,
    quietMs: o.reloadIntervalMs,
    initial: initialTexts,
    apply: (texts) => {
      evaluator = createEvaluator(loadPolicySet(texts).set, undefined, { now: Date.now });
      metrics.reloads.inc({ what: "policies", result: "ok" });
      logger.info("policies reloaded");
    },
    onError: (e) => {
      metrics.reloads.inc({ what: "policies", result: "error" });
      logger.error({ err: e }, "policy reload failed; keeping the previous policies");
    },
  });
  const certs = watchFiles(
    o.tlsFiles,
    o.reloadIntervalMs,
    async () => server.reloadTls(),
    (e) => {
      metrics.reloads.inc({ what: "tls", result: "error" });
      logger.error({ err: e }, "certificate reload failed; keeping the previous ones");
    },
  );
  return {
    port: server.port,
    async stop(drainMs) {
      policies.stop();
      certs.stop();
      source?.stop();
      await Promise.all([server.drain(drainMs), auditor?.stop()]);
    },
  };
}

interface RunningAudit {
  start(): Promise<void>;
  stop(): Promise<void>;
  policiesChanged(): void;
}

/** The webhook's audit: PolicyReports only (no control plane to send an inventory to). */
function auditorOf(
  o: WebhookRuntimeOptions,
  namespaces: NamespaceCache,
  evaluator: () => Evaluator | undefined,
): RunningAudit | undefined {
  if (o.audit === undefined || !o.fromCluster || o.connection === undefined) return undefined;
  const { connection, logger } = o;
  const kube = new KubeClient(
    connection,
    connection.token && !connection.cert ? serviceAccountTokenSource(connection.token) : undefined,
  );
  let auditor: Auditor | undefined;
  const lease = o.audit.lease;
  const election =
    lease === undefined
      ? undefined
      : auditLeaderElection(kube, lease, logger, () => auditor?.changed());
  auditor = new Auditor({
    kube,
    namespaces,
    ...(election === undefined ? {} : { leader: election }),
    policies: () => {
      const e = evaluator();
      if (e === undefined) return undefined;
      const supply = o.supply;
      return {
        evaluator: e,
        revision: 0,
        ...(supply === undefined
          ? {}
          : { supplyFor: (ns, now) => cachedSupplyFor(supply, e, ns, now) }),
      };
    },
    policyReports: o.audit.policyReports,
    intervalMs: o.audit.intervalMs,
    qps: o.audit.qps,
    ...(o.audit.batch === undefined ? {} : { chunk: o.audit.batch }),
    onPass: (pass) =>
      logger.info(
        {
          workloads: pass.workloads,
          ...(pass.reports === undefined
            ? {}
            : {
                reportsCreated: pass.reports.created,
                reportsUpdated: pass.reports.updated,
                reportsDeleted: pass.reports.deleted,
                reportsFailed: pass.reports.failed.length,
              }),
        },
        "audit pass",
      ),
    onError: (e) => logger.warn({ err: e }, "audit error; retrying"),
  });
  const audit = auditor;
  return {
    start: () => {
      election?.start();
      return audit.start();
    },
    stop: async () => {
      // The audit's last write is done before the Lease is given up to the next leader.
      await audit.stop();
      await election?.stop();
    },
    policiesChanged: () => audit.policiesChanged(),
  };
}

export interface RunWebhookOptions {
  /** Processes sharing the port; above 1 this process only supervises them. */
  readonly workers: number;
  /** How long SIGTERM waits for in-flight reviews. */
  readonly drainMs: number;
  /** Everything a worker needs; built only where a worker runs. */
  readonly runtime: () => Promise<WebhookRuntimeOptions>;
}

/** Runs the webhook until SIGTERM or SIGINT, then drains and exits. */
export async function runWebhook(o: RunWebhookOptions): Promise<void> {
  if (o.workers > 1 && isPrimaryProcess()) {
    superviseWorkers(o.workers);
    return;
  }
  const options = await o.runtime();
  const running = await startWebhookRuntime(options);
  const stop = async (signal: string) => {
    options.logger.info({ signal }, "draining");
    await running.stop(o.drainMs);
    options.logger.info("stopped");
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
}

import type { Logger } from "pino";
import { Counter, type Registry } from "prom-client";
import { type ControlPlaneClient, sleep } from "../../adapters/control-plane/index.js";
import type { KubeConnection } from "../../adapters/kube/index.js";
import { isCustomsError } from "../../core/errors.js";
import type { Evaluator } from "../../core/evaluate/index.js";
import { INVENTORY_LIMITS, type InventoryReport } from "../../core/fleet/inventory.js";
import { type AuditLease, Auditor, type AuditPass, auditLeaderElection } from "../audit/index.js";
import { cachedSupplyFor, type SupplyContext } from "../supply/index.js";
import type { AdmissionOutcome, NamespaceDirectory } from "../webhook/index.js";
import { startClusterSource } from "../webhook/index.js";
import { listPullSecrets } from "./audit.js";
import { Backoff } from "./backoff.js";
import type { AppliedBundle } from "./bundle.js";
import { followPolicies } from "./follower.js";
import { AgentNamespaces, Debouncer } from "./namespaces.js";
import { refusedBy } from "./refused.js";
import { kubeClient, register, why } from "./register.js";
import { admissionReports, ViolationReporter } from "./reports.js";
import { loadState, savedClusterName, saveState } from "./state.js";
import { fetchKeys, firstPins, type KeyPins, loadPins, savePins } from "./trust.js";
import { VapSync } from "./vap-sync.js";

/** What the agent needs of its admission webhook (src/server/webhook.ts, wired by the CLI). */
export interface AgentWebhook {
  readonly port: number;
  drain(graceMs: number): Promise<void>;
}

export interface AgentWebhookHooks {
  readonly namespaces: NamespaceDirectory;
  evaluator(): Evaluator | undefined;
  onDecision(outcome: AdmissionOutcome): void;
}

export interface AgentMetrics {
  readonly registry: Registry;
  readonly reloads: Counter<"what" | "result">;
}

export interface AgentOptions {
  readonly client: ControlPlaneClient;
  /** The cluster's API server; without it no namespaces, audit or VAP (webhook only). */
  readonly kube: KubeConnection | undefined;
  /** Projected service account token: re-read per request (it rotates). */
  readonly inCluster: boolean;
  /** Starts the webhook listener with the agent's hooks (fail closed without an evaluator). */
  readonly startWebhook: (hooks: AgentWebhookHooks) => Promise<AgentWebhook>;
  readonly stateDir: string;
  readonly vap: boolean;
  /** Namespaces the generated native policies' bindings leave out (--exempt-namespace). */
  readonly exemptNamespaces?: readonly string[];
  /** The background audit runs this often (and on every change); undefined: no audit. */
  readonly auditIntervalMs: number | undefined;
  /** API requests a second the audit makes at most (`--audit-qps`, default 5). */
  readonly auditQps?: number;
  /** Evaluations between two yields to the event loop (`--audit-batch`, default 100). */
  readonly auditBatch?: number;
  /** Only the holder of the `customs-audit` Lease audits; absent: every replica does. */
  readonly auditLease?: AuditLease;
  /** The audit writes PolicyReports (`--policy-reports`, the default). */
  readonly policyReports?: boolean;
  /** The inventory is sent again after this long even when unchanged (10 minutes). */
  readonly inventoryHeartbeatMs?: number;
  /** The webhook's supply-chain context: the audit reads its fact cache (never fetches). */
  readonly supply?: SupplyContext;
  /** The audit reads pull Secrets (require-pull-secret then checks their registries). */
  readonly readPullSecrets?: boolean;
  readonly waitSeconds: number;
  readonly clusterNameCheck: boolean;
  readonly agentVersion: string;
  readonly logger: Logger;
  readonly metrics: AgentMetrics;
  /** How often violations and namespace changes are sent at most (2 s by the contract). */
  readonly reportIntervalMs?: number;
  readonly queueCapacity?: number;
}

export interface RunningAgent {
  readonly port: number;
  /** The bundle enforced now, if any. */
  current(): AppliedBundle | undefined;
  /** The registered cluster's name, once known. */
  cluster(): string | undefined;
  /** Rejects on a fatal error (e.g. --cluster-name-check failed). */
  readonly failed: Promise<never>;
  /** Stops polling, drains the webhook, sends what is queued. */
  stop(drainMs: number): Promise<void>;
}

/** `customs agent`: see docs/agent.md. */
export async function startAgent(o: AgentOptions): Promise<RunningAgent> {
  const { logger, metrics, client } = o;
  const interval = o.reportIntervalMs ?? 2_000;
  const controller = new AbortController();
  const { signal } = controller;
  let fail: (e: unknown) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  failed.catch(() => controller.abort());

  const refused = new Counter({
    name: "customs_agent_bundles_refused_total",
    help: "Policy bundles refused because their signature did not verify, by where they came from (state: the saved copy at start; delivery: the control plane's answer).",
    labelNames: ["where", "code"],
    registers: [metrics.registry],
  });
  const secret = client.sealingSecret;
  let pins: KeyPins | undefined;
  try {
    pins = await loadPins(o.stateDir, secret);
  } catch (e) {
    logger.error(why(e), "pinned keys ignored; they are fetched again from the control plane");
  }
  let current: AppliedBundle | undefined;
  try {
    current = await loadState(o.stateDir, pins);
    if (current !== undefined)
      logger.warn(
        {
          revision: current.bundle.revision,
          cluster: current.bundle.cluster,
          policies: current.policies.length,
        },
        "enforcing the saved policies until the control plane sends newer ones",
      );
  } catch (e) {
    // Fail closed: without a usable saved set the webhook denies until a bundle arrives. An
    // altered file is not enforced in part either: what was removed or weakened is unknown.
    const code = isCustomsError(e) ? e.code : "AGENT_STATE_UNREADABLE";
    if (code === "AGENT_STATE_UNVERIFIED") refused.inc({ where: "state", code });
    logger.error({ code, err: e }, "saved policies ignored");
  }
  const kube = o.kube === undefined ? undefined : kubeClient(o.kube, o.inCluster);
  const dropped = new Counter({
    name: "customs_agent_reports_dropped_total",
    help: "Violation records dropped because the report queue was full or the control plane refused them.",
    registers: [metrics.registry],
  });
  const reporter = new ViolationReporter({
    client,
    intervalMs: interval,
    capacity: o.queueCapacity ?? 100_000,
    dropped,
    onError: (e) => logger.warn(why(e), "reports not sent; retrying"),
    onSent: (sent) => logger.debug(sent, "reports sent"),
  });
  let registered = false;
  const namespaceReports = new Debouncer(
    async () => {
      const res = await client.call("PUT", "/api/v1/agent/namespaces", {
        body: { namespaces: namespaces.snapshot() },
        timeoutMs: 15_000,
      });
      if (res.status >= 300) throw refusedBy("PUT /api/v1/agent/namespaces", res.status, res.body);
      logger.info({ namespaces: namespaces.snapshot().length }, "namespaces reported");
    },
    interval,
    undefined,
    (e) => logger.warn(why(e), "namespaces not reported; retrying"),
  );
  const namespaces = new AgentNamespaces(() => {
    if (registered) namespaceReports.changed();
  });
  if (current !== undefined) namespaces.setCluster(current.bundle.cluster);
  const vapSync =
    o.vap && kube !== undefined ? new VapSync(kube, logger, o.exemptNamespaces) : undefined;
  if (current !== undefined) {
    reporter.setAppliedRevision(current.bundle.revision, current.signature?.etag);
    vapSync?.update(current);
  }

  const server = await o.startWebhook({
    namespaces,
    evaluator: () => current?.evaluator,
    onDecision: (outcome) => reporter.add(admissionReports(outcome, new Date())),
  });
  reporter.start();

  const source =
    o.kube === undefined
      ? undefined
      : startClusterSource(
          o.kube,
          namespaces,
          {
            onPolicies() {},
            onInvalid() {},
            onError: (e) => logger.warn(why(e), "namespace watch error; retrying"),
          },
          false,
        );

  // Assigned once the agent is wired (below); a bundle may arrive before.
  let auditor: Auditor | undefined;
  const onBundle = async (applied: AppliedBundle) => {
    current = applied;
    namespaces.setCluster(applied.bundle.cluster);
    metrics.reloads.inc({ what: "policies", result: "ok" });
    logger.info(
      {
        revision: applied.bundle.revision,
        policies: applied.policies.length,
        workspaces: applied.workspaces.length,
      },
      "policies applied",
    );
    reporter.setAppliedRevision(applied.bundle.revision, applied.signature?.etag);
    vapSync?.update(applied);
    auditor?.policiesChanged();
    try {
      await saveState(o.stateDir, applied);
      logger.debug({ revision: applied.bundle.revision }, "policies saved to the state dir");
    } catch (e) {
      logger.error({ err: e, dir: o.stateDir }, "policies not saved to the state dir");
    }
  };

  const background = (async () => {
    const me = await register({
      client,
      kube,
      agentVersion: o.agentVersion,
      // An unverified file still tells which cluster it was for (the pins are sealed with
      // the token, so another cluster's token cannot verify it).
      savedCluster: current?.bundle.cluster ?? (await savedClusterName(o.stateDir)),
      clusterNameCheck: o.clusterNameCheck,
      logger,
      signal,
    });
    if (me === undefined) return;
    namespaces.setCluster(me.cluster);
    registered = true;
    // The inventory waits for registration: a pass now sends it without waiting an interval.
    auditor?.changed();
    const trusted = pins ?? (await pinOnFirstUse(client, o.stateDir, logger, signal));
    if (trusted === undefined) return;
    void source?.synced.then(() => namespaceReports.changed());
    await followPolicies({
      client,
      waitSeconds: o.waitSeconds,
      etag: current?.etag,
      signedBy: current?.signature?.keyId,
      pins: trusted,
      organization: me.organization,
      cluster: me.cluster,
      signal,
      events: {
        onBundle,
        onUnverified(error) {
          refused.inc({ where: "delivery", code: error.code });
          logger.error(
            { code: error.code, err: error },
            "policy bundle refused: its signature does not verify; keeping the previous policies",
          );
        },
        async onPins(next) {
          logger.info(
            { keys: next.keys.map((k) => k.id) },
            "bundle signing keys updated through their endorsement",
          );
          await savePins(o.stateDir, secret, next).catch((e) =>
            logger.error(why(e), "pinned keys not saved to the state dir"),
          );
        },
        onInvalid(error, revision) {
          metrics.reloads.inc({ what: "policies", result: "invalid" });
          logger.error(
            { code: error.code, revision, err: error },
            "policy bundle refused; keeping the previous policies",
          );
        },
        onError: (e) => logger.warn(why(e), "policy poll failed; retrying"),
      },
    });
  })();
  background.catch(fail);

  // The inventory is a snapshot of the whole cluster: sent after a pass whose content
  // changed, and at least every heartbeat so that the control plane knows it is current.
  const heartbeatMs = o.inventoryHeartbeatMs ?? 600_000;
  let inventorySentAt: number | undefined;
  const sendInventory = async (inventory: InventoryReport) => {
    const res = await client.call("PUT", "/api/v1/agent/inventory", {
      body: inventory,
      timeoutMs: 60_000,
    });
    if (res.status >= 300) throw refusedBy("PUT /api/v1/agent/inventory", res.status, res.body);
  };
  const onPass = async (pass: AuditPass) => {
    logger.info(
      {
        workloads: pass.workloads,
        revision: pass.inventory.revision,
        ...(pass.reports === undefined
          ? {}
          : {
              reportsCreated: pass.reports.created,
              reportsUpdated: pass.reports.updated,
              reportsDeleted: pass.reports.deleted,
            }),
      },
      "audit pass",
    );
    for (const f of pass.reports?.failed ?? [])
      logger.warn({ report: f.key, ...why(f.error) }, "PolicyReport not written");
    const now = Date.now();
    const due =
      pass.changed || inventorySentAt === undefined || now - inventorySentAt >= heartbeatMs;
    if (!registered || !due) return;
    if (pass.inventory.workloads.length > INVENTORY_LIMITS.maxWorkloads) {
      // The control plane refuses a larger snapshot whole: say so instead of retrying it.
      logger.error(
        { workloads: pass.inventory.workloads.length, max: INVENTORY_LIMITS.maxWorkloads },
        "inventory not sent: more workloads than the control plane accepts",
      );
      return;
    }
    try {
      await sendInventory(pass.inventory);
      inventorySentAt = now;
    } catch (e) {
      // Not sent: the next pass sends its own snapshot (the heartbeat makes it due).
      inventorySentAt = undefined;
      logger.warn(why(e), "inventory not sent; sent again after the next audit pass");
    }
  };
  const lease = o.auditLease;
  const election =
    lease === undefined || kube === undefined || o.auditIntervalMs === undefined
      ? undefined
      : auditLeaderElection(kube, lease, logger, () => auditor?.changed());
  auditor =
    o.auditIntervalMs === undefined || kube === undefined
      ? undefined
      : new Auditor({
          kube,
          namespaces,
          policies: () => {
            if (current === undefined) return undefined;
            const { evaluator } = current;
            const supply = o.supply;
            return {
              evaluator,
              revision: revisionNumber(current.bundle.revision),
              ...(supply === undefined
                ? {}
                : { supplyFor: (ns, now) => cachedSupplyFor(supply, evaluator, ns, now) }),
            };
          },
          policyReports: o.policyReports !== false,
          intervalMs: o.auditIntervalMs,
          ...(o.auditQps === undefined ? {} : { qps: o.auditQps }),
          ...(o.auditBatch === undefined ? {} : { chunk: o.auditBatch }),
          ...(o.readPullSecrets === true
            ? {
                pullSecrets: async (limited) => {
                  const index = await listPullSecrets(limited);
                  return (w) => index.factsFor(w);
                },
              }
            : {}),
          ...(election === undefined ? {} : { leader: election }),
          onPass,
          onError: (e) => logger.warn(why(e), "audit error; retrying"),
        });
  if (auditor !== undefined) election?.start();
  void auditor?.start();

  return {
    port: server.port,
    current: () => current,
    cluster: () => namespaces.currentCluster,
    failed,
    async stop(drainMs) {
      controller.abort();
      namespaceReports.stop();
      source?.stop();
      vapSync?.stop();
      await server.drain(drainMs);
      // The audit's last write is done before the Lease is given up to the next leader.
      await Promise.allSettled([background, auditor?.stop().then(() => election?.stop())]);
      await reporter.stop();
      kube?.close();
      client.close();
    },
  };
}

/** The inventory's revision is a number; a bundle's may be written as a string of digits. */
function revisionNumber(revision: string | number): number {
  const n = typeof revision === "number" ? revision : Number(revision);
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

/**
 * The first registration pins the control plane's signing keys, fetched over the connection
 * the install trusts (its CA, its token). Retried with backoff; undefined when stopped.
 */
async function pinOnFirstUse(
  client: ControlPlaneClient,
  stateDir: string,
  logger: Logger,
  signal: AbortSignal,
): Promise<KeyPins | undefined> {
  const backoff = new Backoff();
  while (!signal.aborted) {
    try {
      const pins = firstPins(await fetchKeys(client, signal), new Date());
      logger.info({ keys: pins.keys.map((k) => k.id) }, "bundle signing keys pinned");
      await savePins(stateDir, client.sealingSecret, pins).catch((e) =>
        logger.error(why(e), "pinned keys not saved to the state dir"),
      );
      return pins;
    } catch (e) {
      if (signal.aborted) return undefined;
      logger.warn(why(e), "bundle signing keys not fetched; retrying");
      await sleep(backoff.fail(e), signal);
    }
  }
  return undefined;
}

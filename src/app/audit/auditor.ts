import {
  type Informer,
  type KubeObject,
  namespacedKey,
  startInformer,
} from "../../adapters/kube/index.js";
import {
  type AuditedWorkload,
  buildPolicyReport,
  type CachedSupply,
  inventoryContainers,
  judgeWorkload,
  type PolicyReport,
  toInventoryResult,
} from "../../core/audit/index.js";
import type { Evaluator, NamespaceFacts, PullSecretFacts } from "../../core/evaluate/index.js";
import type { InventoryReport, InventoryWorkload } from "../../core/fleet/inventory.js";
import {
  controllerOf,
  extractResources,
  type OwnedObject,
  resolveOwner,
  type Workload,
} from "../../core/workload/index.js";
import type { NamespaceDirectory } from "../webhook/index.js";
import { type AuditKube, type Clock, rateLimited, realClock, TokenBucket } from "./rate.js";
import { PolicyReportWriter, type SyncResult } from "./writer.js";

/** The resources the audit watches, in the order owners come before what they own. */
export const AUDITED_RESOURCES = [
  { kind: "Deployment", apiVersion: "apps/v1", path: "/apis/apps/v1/deployments" },
  { kind: "StatefulSet", apiVersion: "apps/v1", path: "/apis/apps/v1/statefulsets" },
  { kind: "DaemonSet", apiVersion: "apps/v1", path: "/apis/apps/v1/daemonsets" },
  { kind: "CronJob", apiVersion: "batch/v1", path: "/apis/batch/v1/cronjobs" },
  { kind: "Job", apiVersion: "batch/v1", path: "/apis/batch/v1/jobs" },
  { kind: "ReplicaSet", apiVersion: "apps/v1", path: "/apis/apps/v1/replicasets" },
  { kind: "Pod", apiVersion: "v1", path: "/api/v1/pods" },
] as const;

export const AUDIT_DEFAULTS = {
  intervalMs: 600_000,
  qps: 5,
  burst: 10,
  /** Evaluations between two yields to the event loop (admission requests go first). */
  chunk: 100,
  /** A workload or policy change waits this long for others before a pass. */
  debounceMs: 5_000,
} as const;

/** The policies a pass decides with. */
export interface AuditPolicies {
  readonly evaluator: Evaluator;
  /** The bundle revision (0 outside a fleet). */
  readonly revision: number;
  /** Supply-chain facts already cached, if the caller keeps any. */
  readonly supply?: CachedSupply;
  /**
   * Supply-chain facts already cached, per namespace (the facts a namespace's policies need
   * are keyed by their authorities). Asked once per namespace and pass; `supply` wins.
   */
  supplyFor?(ns: NamespaceFacts, now: number): CachedSupply | undefined;
}

export interface AuditPass {
  readonly workloads: number;
  readonly reports?: SyncResult;
  readonly inventory: InventoryReport;
  /** Whether the inventory differs from the previous pass's (generatedAt aside). */
  readonly changed: boolean;
}

export interface AuditorOptions {
  readonly kube: AuditKube;
  readonly namespaces: NamespaceDirectory;
  /** The policies enforced now; undefined: nothing to audit with yet (no pass runs). */
  policies(): AuditPolicies | undefined;
  /** Write PolicyReports (`--policy-reports`, the default). */
  readonly policyReports: boolean;
  readonly intervalMs?: number;
  readonly qps?: number;
  readonly burst?: number;
  readonly chunk?: number;
  readonly debounceMs?: number;
  readonly clock?: Clock;
  /** Yields to the event loop between chunks of evaluations. */
  readonly yieldNow?: () => Promise<void>;
  /**
   * Read once per pass: the pull Secrets the audit knows (`--read-pull-secrets`), for
   * require-pull-secret's registry check.
   */
  pullSecrets?(kube: AuditKube): Promise<(w: Workload & { namespace: string }) => PullSecretFacts>;
  /**
   * With several replicas: only the leader audits (LeaderElection over the `customs-audit`
   * Lease). A replica that is not leading runs no pass and writes nothing; one that stops
   * leading mid-pass has its next write refused.
   */
  readonly leader?: { isLeader(): boolean };
  onPass?(pass: AuditPass): void | Promise<void>;
  onError?(e: unknown): void;
}

/** A write refused because another replica leads the audit now. */
export class NotLeader extends Error {
  override readonly name = "NotLeader";
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Candidate {
  readonly kind: string;
  readonly apiVersion: string;
  readonly object: KubeObject;
  /** The identity reported: the object itself, or (a Pod of an unwatched owner) its owner. */
  readonly owner: { kind: InventoryWorkload["kind"]; name: string };
}

function metaOf(o: KubeObject) {
  return o.metadata as KubeObject["metadata"] & {
    namespace?: string;
    uid?: string;
    ownerReferences?: OwnedObject["ownerReferences"];
  };
}

function owned(kind: string, o: KubeObject): OwnedObject {
  const m = metaOf(o);
  return {
    kind,
    name: m.name,
    ...(m.labels !== undefined ? { labels: m.labels } : {}),
    ...(m.ownerReferences !== undefined ? { ownerReferences: m.ownerReferences } : {}),
  };
}

/**
 * The workloads to judge, each once, by its top owner: Deployments, StatefulSets,
 * DaemonSets and CronJobs by their templates; a Job or ReplicaSet only when no watched owner
 * has it; a Pod only when bare, or when its owner is of a kind the audit does not watch
 * (a ReplicationController: the Pod's spec, reported under its owner, once per owner).
 */
export function auditCandidates(objects: ReadonlyMap<string, readonly KubeObject[]>): Candidate[] {
  const present = new Set<string>();
  for (const [kind, items] of objects)
    for (const o of items) present.add(`${kind}/${metaOf(o).namespace ?? ""}/${o.metadata.name}`);
  const cronJobOf = new Map<string, string>();
  for (const job of objects.get("Job") ?? []) {
    const owner = resolveOwner(owned("Job", job));
    if (owner.kind === "CronJob")
      cronJobOf.set(`${metaOf(job).namespace ?? ""}/${job.metadata.name}`, owner.name);
  }
  const out: Candidate[] = [];
  const seen = new Set<string>();
  for (const r of AUDITED_RESOURCES) {
    for (const o of objects.get(r.kind) ?? []) {
      const ns = metaOf(o).namespace ?? "";
      const owner = resolveOwner(owned(r.kind, o), (job) => cronJobOf.get(`${ns}/${job}`));
      // Judged through a watched owner that exists: that owner's template decides.
      if (
        (owner.kind !== r.kind || owner.name !== o.metadata.name) &&
        present.has(`${owner.kind}/${ns}/${owner.name}`)
      )
        continue;
      // A Pod whose own controller (a Job, a ReplicaSet) exists is judged through it, even when
      // that controller's owner is gone (an orphaned Job of a deleted CronJob).
      const controller = controllerOf(owned(r.kind, o));
      if (
        r.kind === "Pod" &&
        controller !== undefined &&
        present.has(`${controller.kind}/${ns}/${controller.name}`)
      )
        continue;
      const identity = r.kind === "Pod" ? owner : { kind: r.kind, name: o.metadata.name };
      const key = `${identity.kind}/${ns}/${identity.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ kind: r.kind, apiVersion: r.apiVersion, object: o, owner: identity });
    }
  }
  return out;
}

/**
 * The background audit (docs/audit.md): watches the cluster's workloads and judges each top
 * owner against the policies enforced now — when the policies change, when workloads change
 * (debounced), and every `intervalMs` — then keeps the PolicyReports current and hands the
 * inventory to `onPass`. Every API request takes a token (`qps`); evaluations yield to the
 * event loop every `chunk` workloads so that admission requests are served first.
 */
export class Auditor {
  private readonly controller = new AbortController();
  private readonly informers = new Map<string, Informer>();
  private readonly clock: Clock;
  private readonly kube: AuditKube;
  private readonly writer: PolicyReportWriter;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private lastInventory: string | undefined;
  private started = false;
  private synced = false;
  private lastPass = 0;
  private loop: Promise<void> | undefined;

  constructor(private readonly o: AuditorOptions) {
    this.clock = o.clock ?? realClock;
    const bucket = new TokenBucket(
      o.qps ?? AUDIT_DEFAULTS.qps,
      o.burst ?? AUDIT_DEFAULTS.burst,
      this.clock,
    );
    this.kube = rateLimited(o.kube, bucket, this.controller.signal);
    const leader = o.leader;
    const limited = this.kube;
    this.writer = new PolicyReportWriter(
      leader === undefined
        ? limited
        : {
            ...limited,
            list: (...a) => limited.list(...a),
            get: (...a) => limited.get(...a),
            watch: (...a) => limited.watch(...a),
            send: (method, path, body) => {
              if (!leader.isLeader())
                return Promise.reject(
                  new NotLeader(`${method} ${path}: no longer the audit's leader`),
                );
              return limited.send(method, path, body);
            },
          },
    );
  }

  /** Starts the watches; the first pass runs once they have listed. */
  start(): Promise<void> {
    if (this.started) return Promise.resolve();
    this.started = true;
    for (const r of AUDITED_RESOURCES) {
      this.informers.set(
        r.kind,
        startInformer(
          this.kube,
          r.path,
          () => this.changed(),
          (e) => this.o.onError?.(e),
          { key: namespacedKey },
        ),
      );
    }
    const synced = Promise.all([...this.informers.values()].map((i) => i.synced)).then(() => {});
    this.loop = (async () => {
      await synced;
      this.synced = true;
      const interval = this.o.intervalMs ?? AUDIT_DEFAULTS.intervalMs;
      while (!this.controller.signal.aborted) {
        this.writer.invalidate();
        await this.runNow();
        await this.clock.sleep(interval, this.controller.signal);
      }
    })();
    return synced;
  }

  /** A workload changed: a pass after the debounce delay. */
  changed(): void {
    // Before the first lists complete, the first pass (which follows them) covers it.
    if (!this.synced || this.controller.signal.aborted || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.runNow();
    }, this.o.debounceMs ?? AUDIT_DEFAULTS.debounceMs);
    this.timer.unref?.();
  }

  /** The policies changed: the same as a workload change (every result may differ). */
  policiesChanged(): void {
    this.changed();
  }

  /**
   * One pass now, or — when one is running — one more right after it (passes never
   * overlap). Resolves when the pass that covers this call has finished.
   */
  runNow(): Promise<void> {
    if (this.running !== undefined) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          try {
            await this.pass();
          } catch (e) {
            this.writer.invalidate();
            this.o.onError?.(e);
          }
        } while (this.again && !this.controller.signal.aborted);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  private snapshot(): Map<string, KubeObject[]> {
    const objects = new Map<string, KubeObject[]>();
    for (const [kind, informer] of this.informers) objects.set(kind, informer.items());
    return objects;
  }

  private async pass(): Promise<void> {
    const policies = this.o.policies();
    // Before the first lists, a pass would see no workload and delete every report.
    if (policies === undefined || this.controller.signal.aborted || !this.synced) return;
    if (this.o.leader !== undefined && !this.o.leader.isLeader()) return;
    const { evaluator, revision, supply } = policies;
    const passStart = this.clock.now();
    const supplyByNs = new Map<string, CachedSupply | undefined>();
    const supplyIn = (namespace: string, facts: NamespaceFacts) => {
      if (supply !== undefined || policies.supplyFor === undefined) return supply;
      if (!supplyByNs.has(namespace))
        supplyByNs.set(namespace, policies.supplyFor(facts, passStart));
      return supplyByNs.get(namespace);
    };
    const yieldNow = this.o.yieldNow ?? yieldToLoop;
    const chunk = this.o.chunk ?? AUDIT_DEFAULTS.chunk;
    const audited: AuditedWorkload[] = [];
    const inventory: InventoryWorkload[] = [];
    // Through the rate bound, like every other request of the audit.
    const secretsOf = await this.o.pullSecrets?.(this.kube);
    let n = 0;
    for (const c of auditCandidates(this.snapshot())) {
      if (++n % chunk === 0) await yieldNow();
      const meta = metaOf(c.object);
      const namespace = meta.namespace ?? "default";
      const extracted = extractResources({ ...c.object, apiVersion: c.apiVersion, kind: c.kind });
      const w = extracted.workloads[0];
      if (w === undefined) continue;
      const nsFacts = this.o.namespaces.facts(namespace);
      const results = judgeWorkload(
        evaluator,
        nsFacts,
        w,
        supplyIn(namespace, nsFacts),
        secretsOf?.({ ...w, namespace }),
      );
      const uid = c.owner.kind === c.kind ? meta.uid : undefined;
      audited.push({
        namespace,
        kind: c.owner.kind,
        name: c.owner.name,
        ...(uid !== undefined ? { uid } : {}),
        results,
      });
      inventory.push({
        namespace,
        kind: c.owner.kind,
        name: c.owner.name,
        containers: inventoryContainers(w),
        results: results.map(toInventoryResult),
      });
    }
    const now = this.clock.now();
    let reports: SyncResult | undefined;
    if (this.o.policyReports) {
      const desired: PolicyReport[] = audited
        .filter((w) => w.results.length > 0)
        .map((w) => buildPolicyReport(w, now));
      try {
        reports = await this.writer.sync(desired);
      } catch (e) {
        // No PolicyReport CRD, or no right to list them: the inventory is still worth sending.
        this.writer.invalidate();
        this.o.onError?.(e);
      }
    }
    // Lost the lead during the pass: the new leader sends its own results.
    if (this.o.leader !== undefined && !this.o.leader.isLeader()) return;
    const fingerprint = JSON.stringify([revision, inventory]);
    const changed = fingerprint !== this.lastInventory;
    this.lastInventory = fingerprint;
    this.lastPass = now;
    await this.o.onPass?.({
      workloads: audited.length,
      ...(reports !== undefined ? { reports } : {}),
      inventory: { revision, generatedAt: new Date(now).toISOString(), workloads: inventory },
      changed,
    });
  }

  /** When the last pass finished (ms since the epoch), 0 before the first. */
  lastPassAt(): number {
    return this.lastPass;
  }

  async stop(): Promise<void> {
    this.controller.abort();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    for (const i of this.informers.values()) i.stop();
    await Promise.allSettled([this.running, this.loop]);
  }
}

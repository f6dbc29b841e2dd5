import type { Counter } from "prom-client";
import {
  type ControlPlaneClient,
  errorText,
  type Sleep,
  sleep as systemSleep,
} from "../../adapters/control-plane/index.js";
import { CustomsError } from "../../core/errors.js";
import type { Violation } from "../../core/evaluate/index.js";
import type { ViolationOutcome, ViolationRecord } from "../../core/fleet/store.js";
import type { AdmissionOutcome } from "../webhook/index.js";
import { Backoff } from "./backoff.js";
import { BoundedQueue } from "./queue.js";
import { refusedBy } from "./refused.js";

/**
 * One record of `POST /api/v1/agent/reports` (docs/control-plane.md, step 5): what the
 * control plane stores, less what it adds itself (id, organization and cluster).
 */
export type ViolationReport = Omit<
  ViolationRecord,
  "id" | "organization" | "cluster" | "lastSeen" | "policyDeleted"
>;

export const MAX_BATCH = 1_000;
export const DEFAULT_QUEUE_CAPACITY = 100_000;

/** The records of one workload's violations. */
export function toViolationReports(
  violations: readonly Violation[],
  workload: { kind: string; namespace: string; name: string; operation?: string },
  source: "admission" | "audit",
  time: Date,
): ViolationReport[] {
  return violations.map((v) => ({
    time: time.toISOString(),
    source,
    ...(workload.operation === undefined ? {} : { operation: workload.operation }),
    namespace: workload.namespace,
    kind: workload.kind,
    name: workload.name,
    container: v.container,
    image: v.image,
    ...(v.normalizedImage === "" ? {} : { normalizedImage: v.normalizedImage }),
    policy: v.policy,
    action: v.action,
    code: v.code,
    message: v.message,
  }));
}

/**
 * What the admission did with a violation, from the response actually sent: a refused
 * request is `denied` (all its violations); an admitted one is `audited` for an audit-action
 * violation and `warned` otherwise (a warn, or a deny the UPDATE leniency let through with a
 * warning). An UPDATE admitted with a warning is thus never counted as denied.
 */
export function outcomeOf(allowed: boolean, action: Violation["action"]): ViolationOutcome {
  if (!allowed) return "denied";
  return action === "audit" ? "audited" : "warned";
}

/**
 * The violations of one decided admission review, each with its outcome and the workload's
 * top owner. Records of one key (same owner, policy, code and image) are summed into one
 * with a count: the control plane keeps one row per key and day anyway, and a Pod retried
 * 17 times in a batch is then sent once.
 */
export function admissionReports(outcome: AdmissionOutcome, time: Date): ViolationReport[] {
  const { request, violations, response } = outcome;
  if (request === undefined || violations === undefined || violations.length === 0) return [];
  if (response === undefined) return [];
  const owner = request.owner ?? { kind: request.kind, name: request.name };
  return toViolationReports(violations, request, "admission", time).map((r) => ({
    ...r,
    outcome: outcomeOf(response.allowed, r.action),
    ownerKind: owner.kind,
    ownerName: owner.name,
  }));
}

/** The dedupe key of an admission record (docs/control-plane.md, Events), without the day. */
function eventKey(r: ViolationReport): string {
  return JSON.stringify([
    r.source,
    r.outcome,
    r.namespace,
    r.ownerKind ?? r.kind,
    r.ownerName ?? r.name,
    r.policy,
    r.code,
    r.image,
    r.time.slice(0, 10),
  ]);
}

/**
 * Sums records of one key into one with a count, firstSeen and the last one's time and
 * message; the order of first appearance is kept.
 */
export function aggregateReports(reports: readonly ViolationReport[]): ViolationReport[] {
  const merged = new Map<string, ViolationReport>();
  for (const r of reports) {
    const key = eventKey(r);
    const seen = merged.get(key);
    if (seen === undefined) {
      merged.set(key, { ...r, count: r.count ?? 1, firstSeen: r.firstSeen ?? r.time });
      continue;
    }
    const later = r.time > seen.time;
    merged.set(key, {
      ...(later ? r : seen),
      count: (seen.count ?? 1) + (r.count ?? 1),
      firstSeen:
        (r.firstSeen ?? r.time) < (seen.firstSeen ?? seen.time)
          ? (r.firstSeen ?? r.time)
          : (seen.firstSeen ?? seen.time),
    });
  }
  return [...merged.values()];
}

export interface ReporterOptions {
  readonly client: ControlPlaneClient;
  readonly intervalMs: number;
  readonly capacity: number;
  /** Counts records dropped because the queue was full. */
  readonly dropped: Counter;
  readonly onError: (e: unknown) => void;
  /** Waits between sends and after failures (default: real time). */
  readonly sleep?: Sleep;
  /** A batch the control plane stored (it answers once stored). Must not throw. */
  readonly onSent?: (sent: SentReport) => void;
}

/** What one stored batch told the control plane. */
export interface SentReport {
  readonly violations: number;
  readonly appliedRevision: number | string | undefined;
  readonly appliedDigest: string | undefined;
}

/**
 * Sends violations in batches (≤ 1,000, every `intervalMs`) with the revision the agent
 * enforces. What cannot be sent waits in a bounded queue; the revision alone is sent too
 * when it changed, so the control plane learns a bundle was applied even when all is quiet.
 */
export class ViolationReporter {
  private readonly queue: BoundedQueue<ViolationReport>;
  private applied: number | string | undefined;
  private appliedDigest: string | undefined;
  private acknowledged: number | string | undefined;
  private readonly backoff = new Backoff();
  private readonly controller = new AbortController();
  private loop: Promise<void> | undefined;
  private countedDrops = 0;

  constructor(private readonly options: ReporterOptions) {
    this.queue = new BoundedQueue(options.capacity);
  }

  get pending(): number {
    return this.queue.size;
  }

  add(reports: readonly ViolationReport[]): void {
    for (const r of reports) this.queue.push(r);
    this.countDrops();
  }

  /** The revision enforced now and the digest (ETag) of the verified bundle it came in. */
  setAppliedRevision(revision: number | string, digest?: string): void {
    this.applied = revision;
    this.appliedDigest = digest;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops the loop, then tries once more to send what is queued (SIGTERM). */
  async stop(): Promise<void> {
    this.controller.abort();
    await this.loop;
    if (this.queue.size > 0 || this.applied !== this.acknowledged) {
      await this.flush().catch((e) => this.options.onError(e));
    }
  }

  private countDrops(): void {
    const dropped = this.queue.dropped - this.countedDrops;
    if (dropped > 0) this.options.dropped.inc(dropped);
    this.countedDrops = this.queue.dropped;
  }

  private async run(): Promise<void> {
    const { signal } = this.controller;
    const sleep = this.options.sleep ?? systemSleep;
    while (!signal.aborted) {
      await sleep(this.options.intervalMs, signal);
      if (signal.aborted) return;
      try {
        while (this.queue.size > 0 || this.applied !== this.acknowledged) {
          await this.flush(signal);
          if (signal.aborted) return;
        }
        this.backoff.succeed();
      } catch (e) {
        this.options.onError(e);
        await sleep(this.backoff.fail(e), signal);
      }
    }
  }

  /** Sends one batch; on failure puts it back (oldest first) and throws. */
  private async flush(signal?: AbortSignal): Promise<void> {
    const batch = this.queue.take(MAX_BATCH);
    const sent = aggregateReports(batch);
    const applied = this.applied;
    const digest = this.appliedDigest;
    let stored = false;
    try {
      const res = await this.options.client.call("POST", "/api/v1/agent/reports", {
        body: {
          ...(applied === undefined ? {} : { appliedRevision: applied }),
          ...(digest === undefined ? {} : { appliedDigest: digest }),
          violations: sent,
        },
        timeoutMs: 15_000,
        ...(signal ? { signal } : {}),
      });
      if (res.status === 400 || res.status === 413 || res.status === 422) {
        // The control plane refuses these records as they are: sending them again would
        // block every later batch. They are dropped, counted and logged.
        this.options.dropped.inc(batch.length);
        this.options.onError(
          new CustomsError(
            "AGENT_CONTROL_PLANE_REFUSED",
            `POST /api/v1/agent/reports: ${res.status} ${errorText(res.body)}; ${batch.length} records dropped`,
            undefined,
            { details: { status: res.status, dropped: batch.length } },
          ),
        );
      } else if (res.status >= 300) {
        throw refusedBy("POST /api/v1/agent/reports", res.status, res.body);
      } else {
        stored = true;
      }
      this.acknowledged = applied;
    } catch (e) {
      this.queue.requeue(batch);
      this.countDrops();
      throw e;
    }
    if (stored) {
      this.options.onSent?.({
        violations: batch.length,
        appliedRevision: applied,
        appliedDigest: digest,
      });
    }
  }
}

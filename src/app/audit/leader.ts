import type { Logger } from "pino";
import { type LeaseKube, LeaseLock } from "../../adapters/kube/index.js";
import type { Clock } from "./rate.js";
import { realClock } from "./rate.js";

export const LEADER_DEFAULTS = {
  /** The Lease's name, in the pod's namespace. */
  name: "customs-audit",
  durationSeconds: 30,
  renewMs: 10_000,
} as const;

/** Where the audit's Lease lives and who this replica is (adapters/kube podIdentity). */
export interface AuditLease {
  readonly namespace: string;
  readonly identity: string;
}

/** One try at holding the lock (LeaseLock from adapters/kube). */
export interface LeaderLock {
  tryAcquireOrRenew(): Promise<boolean>;
  /** Gives the lock up, if held (on stop: the next leader need not wait out the duration). */
  release?(): Promise<void>;
}

export interface LeaderElectionOptions {
  readonly lock: LeaderLock;
  /** Between two tries, leading or not (10 s). */
  readonly renewMs?: number;
  /** The Lease's duration (30 s): a leader that cannot renew for this less one try stops. */
  readonly durationSeconds?: number;
  readonly clock?: Clock;
  onChange?(leading: boolean): void;
  onError?(e: unknown): void;
}

/**
 * Leader election for the audit: only the holder of the Lease audits and writes. A leader
 * whose renewals fail (the API server unreachable) stops leading one renew period before the
 * Lease can expire for the others, so two writers never overlap; one that finds the Lease
 * taken (409, another holder) stops at once.
 */
export class LeaderElection {
  private leading = false;
  private lastRenew = 0;
  private readonly controller = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly clock: Clock;

  constructor(private readonly o: LeaderElectionOptions) {
    this.clock = o.clock ?? realClock;
  }

  isLeader(): boolean {
    if (!this.leading) return false;
    // Judged at each use, not only at each try: a try that hangs must not extend leadership.
    if (this.clock.now() - this.lastRenew >= this.deadlineMs()) this.set(false);
    return this.leading;
  }

  private deadlineMs(): number {
    const renewMs = this.o.renewMs ?? LEADER_DEFAULTS.renewMs;
    return (this.o.durationSeconds ?? LEADER_DEFAULTS.durationSeconds) * 1000 - renewMs;
  }

  private set(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    this.o.onChange?.(leading);
  }

  /** One try: acquire or renew. Resolves to whether this process leads after it. */
  async step(): Promise<boolean> {
    const started = this.clock.now();
    try {
      const held = await this.o.lock.tryAcquireOrRenew();
      if (held) this.lastRenew = started;
      this.set(held);
    } catch (e) {
      this.o.onError?.(e);
    }
    return this.isLeader();
  }

  start(): void {
    if (this.loop !== undefined) return;
    const renewMs = this.o.renewMs ?? LEADER_DEFAULTS.renewMs;
    this.loop = (async () => {
      while (!this.controller.signal.aborted) {
        await this.step();
        await this.clock.sleep(renewMs, this.controller.signal);
      }
    })();
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.loop;
    const wasLeading = this.leading;
    // Writes stop first; then the Lease goes, so the next leader never overlaps this one.
    this.set(false);
    if (!wasLeading) return;
    try {
      await this.o.lock.release?.();
    } catch (e) {
      // Not released: the others take it when its duration runs out.
      this.o.onError?.(e);
    }
  }
}

/**
 * The election the agent and `serve webhook --from-cluster` run for their audit: the Lease
 * `customs-audit` in `lease.namespace`, changes logged, `onLeading` called when this replica
 * starts leading (so that it audits at once instead of at the next interval).
 */
export function auditLeaderElection(
  kube: LeaseKube,
  lease: AuditLease,
  logger: Logger,
  onLeading: () => void,
): LeaderElection {
  return new LeaderElection({
    lock: new LeaseLock(kube, {
      namespace: lease.namespace,
      name: LEADER_DEFAULTS.name,
      identity: lease.identity,
      durationSeconds: LEADER_DEFAULTS.durationSeconds,
      now: Date.now,
    }),
    onChange(leading) {
      logger.info(
        { lease: `${lease.namespace}/${LEADER_DEFAULTS.name}`, identity: lease.identity },
        leading ? "leading the audit" : "no longer leading the audit",
      );
      if (leading) onLeading();
    },
    onError: (e) => logger.warn({ err: e }, "audit lease not renewed; retrying"),
  });
}

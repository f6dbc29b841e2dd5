import type { Logger } from "pino";
import { Backoff } from "./backoff.js";
import type { AppliedBundle } from "./bundle.js";
import { type Clock, SYSTEM_CLOCK } from "./namespaces.js";
import { applyVap, desiredVap, type VapClient } from "./vap.js";

/**
 * The longest delay one timer waits: Node fires a longer setTimeout at once, and an exception
 * may expire months ahead, so the wait is taken in steps.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Keeps the generated ValidatingAdmissionPolicies in step with the enforced bundle. One apply
 * runs at a time; a newer bundle arriving meanwhile replaces the pending one, and a failed
 * apply is retried with backoff until it succeeds or a newer bundle supersedes it.
 *
 * Exceptions are compiled in as they stand when applying (CEL has no clock): at the earliest
 * expiry among them (`recompileAt`) the same bundle is compiled and applied again, so a native
 * policy stops exempting when the exception does, without waiting for a new bundle.
 */
export class VapSync {
  private pending: AppliedBundle | undefined;
  private running = false;
  private stopped = false;
  private timer: unknown;
  private expiryTimer: unknown;
  private readonly backoff = new Backoff();
  /** Resolves when the last requested apply is done (for tests and shutdown). */
  idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: VapClient,
    private readonly logger: Logger,
    /** Namespaces no binding selects (the webhook configuration's exemptions). */
    private readonly exemptNamespaces: readonly string[] = [],
    private readonly clock: Clock = SYSTEM_CLOCK,
  ) {}

  update(applied: AppliedBundle): void {
    this.pending = applied;
    this.clearTimers();
    if (!this.running) this.idle = this.run();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
  }

  private clearTimers(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.expiryTimer !== undefined) this.clock.clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
  }

  /** Compiles `applied` again at `at` (a newer bundle or a retry cancels this). */
  private recompileAt(applied: AppliedBundle, at: number): void {
    if (this.stopped) return;
    const wait = Math.min(MAX_TIMER_MS, Math.max(0, at - this.clock.now()));
    this.expiryTimer = this.clock.setTimeout(() => {
      this.expiryTimer = undefined;
      if (this.pending !== undefined || this.running) return;
      // A step of a long wait, or a timer that fired early: wait on.
      if (this.clock.now() < at) this.recompileAt(applied, at);
      else {
        this.logger.info(
          { expiredAt: new Date(at).toISOString() },
          "an exception compiled into the native policies expired; compiling them again",
        );
        this.update(applied);
      }
    }, wait);
  }

  private async run(): Promise<void> {
    this.running = true;
    while (this.pending !== undefined && !this.stopped) {
      const next = this.pending;
      this.pending = undefined;
      const desired = desiredVap(
        next.policies,
        next.workspaces,
        next.bundle.cluster,
        this.exemptNamespaces,
        next.exceptions ?? [],
        this.clock.now(),
      );
      for (const s of desired.skipped)
        this.logger.info(
          { policy: s.policy, reasons: s.reasons },
          "policy enforced by the webhook only",
        );
      try {
        const { applied, removed } = await applyVap(this.client, desired);
        this.backoff.succeed();
        this.logger.info(
          { revision: next.bundle.revision, applied, removed },
          "ValidatingAdmissionPolicies applied",
        );
        if (desired.recompileAt !== undefined && this.pending === undefined) {
          this.recompileAt(next, desired.recompileAt);
        }
      } catch (e) {
        const delay = this.backoff.fail();
        this.logger.error({ err: e, retryInMs: delay }, "ValidatingAdmissionPolicies not applied");
        if (this.pending === undefined) {
          // The retry compiles again with the clock of then, so it also honours expiries.
          this.timer = this.clock.setTimeout(() => {
            this.timer = undefined;
            if (this.pending === undefined && !this.running) this.update(next);
          }, delay);
        }
      }
    }
    this.running = false;
  }
}

import type { Logger } from "pino";
import type { KubeClient } from "../../adapters/kube/index.js";
import { Backoff } from "./backoff.js";
import type { AppliedBundle } from "./bundle.js";
import { applyVap, desiredVap } from "./vap.js";

/**
 * Keeps the generated ValidatingAdmissionPolicies in step with the enforced bundle. One apply
 * runs at a time; a newer bundle arriving meanwhile replaces the pending one, and a failed
 * apply is retried with backoff until it succeeds or a newer bundle supersedes it.
 */
export class VapSync {
  private pending: AppliedBundle | undefined;
  private running = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly backoff = new Backoff();
  /** Resolves when the last requested apply is done (for tests and shutdown). */
  idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: KubeClient,
    private readonly logger: Logger,
    /** Namespaces no binding selects (the webhook configuration's exemptions). */
    private readonly exemptNamespaces: readonly string[] = [],
  ) {}

  update(applied: AppliedBundle): void {
    this.pending = applied;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.running) this.idle = this.run();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
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
        Date.now(),
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
      } catch (e) {
        const delay = this.backoff.fail();
        this.logger.error({ err: e, retryInMs: delay }, "ValidatingAdmissionPolicies not applied");
        if (this.pending === undefined) {
          this.timer = setTimeout(() => {
            this.timer = undefined;
            if (this.pending === undefined && !this.running) this.update(next);
          }, delay);
          this.timer.unref();
        }
      }
    }
    this.running = false;
  }
}

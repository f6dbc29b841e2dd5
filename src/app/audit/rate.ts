import type { KubeClient } from "../../adapters/kube/index.js";

/** What the auditor asks of the API server: the KubeClient calls it makes. */
export type AuditKube = Pick<KubeClient, "list" | "get" | "send" | "watch">;

export interface Clock {
  now(): number;
  /** Waits `ms`, or less when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted === true) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref?.();
      signal?.addEventListener("abort", done, { once: true });
    }),
};

/**
 * A token bucket: `rate` requests a second on average, at most `burst` at once. Takers are
 * served in order, one token each.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly clock: Clock,
  ) {
    this.tokens = burst;
    this.last = clock.now();
  }

  take(signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.wait(signal));
    this.queue = turn.catch(() => {});
    return turn;
  }

  private async wait(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      if (signal?.aborted === true) return;
      await this.clock.sleep(Math.ceil(((1 - this.tokens) / this.rate) * 1000), signal);
    }
  }
}

/**
 * The client with every request (a list page, a write, a watch opened) taking a token
 * first: `--audit-qps` bounds what the audit costs the API server, whatever the cluster.
 */
export function rateLimited(kube: AuditKube, bucket: TokenBucket, signal: AbortSignal): AuditKube {
  return {
    list: async (path) => {
      await bucket.take(signal);
      return kube.list(path);
    },
    get: async (path) => {
      await bucket.take(signal);
      return kube.get(path);
    },
    send: async (method, path, body) => {
      await bucket.take(signal);
      return kube.send(method, path, body);
    },
    watch: async (path, resourceVersion, onEvent, s) => {
      await bucket.take(s);
      return kube.watch(path, resourceVersion, onEvent, s);
    },
  };
}

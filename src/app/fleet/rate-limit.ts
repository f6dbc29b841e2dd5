/**
 * Failed authentications per client address (docs/control-plane.md, Authorization): after
 * `free` failures within a window, every further attempt is refused for a delay that doubles
 * with each refusal, up to a ceiling; a success forgets the address. Pure logic over an
 * injected clock, so tests need not sleep.
 */
export interface FailureLimiterOptions {
  readonly free: number;
  readonly windowMs: number;
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
  /** Addresses remembered at most (the oldest are forgotten first). */
  readonly maxAddresses: number;
}

export const DEFAULT_LIMITS: FailureLimiterOptions = {
  free: 5,
  windowMs: 60_000,
  firstDelayMs: 1_000,
  maxDelayMs: 5 * 60_000,
  maxAddresses: 10_000,
};

interface Entry {
  failures: number[];
  blockedUntil: number;
  delay: number;
}

export class FailureLimiter {
  readonly #entries = new Map<string, Entry>();

  constructor(
    private readonly now: () => number,
    private readonly options: FailureLimiterOptions = DEFAULT_LIMITS,
  ) {}

  /** Milliseconds this address must still wait, or 0 when it may try. */
  retryAfterMs(address: string): number {
    const e = this.#entries.get(address);
    if (e === undefined) return 0;
    return Math.max(0, e.blockedUntil - this.now());
  }

  /**
   * Records a failure. Past the free ones, the address is blocked for a delay that doubles
   * each time (a blocked attempt counts too, so hammering only lengthens the wait).
   */
  fail(address: string): void {
    const now = this.now();
    const e = this.#entries.get(address) ?? { failures: [], blockedUntil: 0, delay: 0 };
    this.#entries.delete(address);
    this.#entries.set(address, e);
    e.failures = e.failures.filter((t) => now - t < this.options.windowMs);
    e.failures.push(now);
    if (e.failures.length >= this.options.free || e.blockedUntil > now) {
      e.delay =
        e.delay === 0 ? this.options.firstDelayMs : Math.min(e.delay * 2, this.options.maxDelayMs);
      e.blockedUntil = now + e.delay;
    }
    this.#trim();
  }

  succeed(address: string): void {
    this.#entries.delete(address);
  }

  #trim(): void {
    while (this.#entries.size > this.options.maxAddresses) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) return;
      this.#entries.delete(oldest);
    }
  }
}

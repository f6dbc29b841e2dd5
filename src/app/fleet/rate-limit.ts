/**
 * Failed authentications, counted per key (docs/control-plane.md, Authorization). The caller
 * counts each failure under two keys: the token id it presented (`id:<id>`; a malformed token
 * has none) and the client address (`address:<ip>`). After `free` failures of a key within a
 * window, further *failures* of that key are refused for a delay; a credential that verifies
 * is never refused (the caller checks it first), so nobody's failures lock out a valid token.
 *
 * The block is not extended by attempts made while it lasts: an agent with a bad token that
 * keeps polling is let through to try again when Retry-After said. A key that fails again
 * right after its block ended is blocked again at once for twice as long (up to a ceiling);
 * a key quiet for a whole window starts over. Pure logic over an injected clock, so tests
 * need not sleep.
 */
export interface FailureLimiterOptions {
  readonly free: number;
  readonly windowMs: number;
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
  /** Keys remembered at most (the oldest are forgotten first). */
  readonly maxKeys: number;
}

export const DEFAULT_LIMITS: FailureLimiterOptions = {
  free: 5,
  windowMs: 60_000,
  firstDelayMs: 1_000,
  maxDelayMs: 5 * 60_000,
  maxKeys: 10_000,
};

interface Entry {
  failures: number[];
  blockedUntil: number;
  /** The last block's length; 0 when the key has not been blocked lately. */
  delay: number;
}

export class FailureLimiter {
  readonly #entries = new Map<string, Entry>();

  constructor(
    private readonly now: () => number,
    private readonly options: FailureLimiterOptions = DEFAULT_LIMITS,
  ) {}

  /** Milliseconds this key must still wait, or 0 when its failures are not refused. */
  retryAfterMs(key: string): number {
    const e = this.#entries.get(key);
    if (e === undefined) return 0;
    return Math.max(0, e.blockedUntil - this.now());
  }

  /**
   * Records a failure of a key that is not blocked (a failure while blocked is refused and
   * changes nothing, so hammering never pushes the end of the block further away).
   */
  fail(key: string): void {
    const now = this.now();
    const e = this.#entries.get(key) ?? { failures: [], blockedUntil: 0, delay: 0 };
    if (now < e.blockedUntil) return;
    this.#entries.delete(key);
    this.#entries.set(key, e);
    const { windowMs, free, firstDelayMs, maxDelayMs } = this.options;
    // A whole window without failures since the last block ended: the key starts over.
    if (e.delay > 0 && now - e.blockedUntil >= windowMs) e.delay = 0;
    e.failures = e.failures.filter((t) => now - t < windowMs);
    e.failures.push(now);
    if (e.delay > 0) {
      e.delay = Math.min(e.delay * 2, maxDelayMs);
      e.blockedUntil = now + e.delay;
    } else if (e.failures.length >= free) {
      e.delay = firstDelayMs;
      e.blockedUntil = now + e.delay;
    }
    this.#trim();
  }

  /** A credential verified: its own key's failures are forgotten (an address's are not). */
  succeed(key: string): void {
    this.#entries.delete(key);
  }

  #trim(): void {
    while (this.#entries.size > this.options.maxKeys) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) return;
      this.#entries.delete(oldest);
    }
  }
}

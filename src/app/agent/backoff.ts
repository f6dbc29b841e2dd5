/**
 * Capped exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff
 * and Jitter"): after failure n the delay is uniform in [0, min(cap, base * 2^n)). Jitter keeps
 * a fleet of agents that lost the control plane together from coming back in one wave.
 */
export interface BackoffOptions {
  readonly baseMs: number;
  readonly capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 30_000 };

/** The delay before attempt `failures + 1`; `random` returns a number in [0, 1). */
export function backoffDelay(
  failures: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  // 2^n overflows to Infinity past n = 1023; min() keeps the cap either way.
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.max(0, failures));
  // Never zero: a tight loop against a dead server helps nobody.
  return Math.max(1, Math.floor(random() * ceiling));
}

/** Counts consecutive failures; a success starts over. */
export class Backoff {
  private failures = 0;

  constructor(
    private readonly options: BackoffOptions = DEFAULT_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * The delay to wait after one more failure; never shorter than the Retry-After the server
   * gave with it (`cause.retryAfterMs`, up to an hour), since asking sooner is refused again.
   */
  fail(cause?: unknown): number {
    const delay = backoffDelay(this.failures, this.options, this.random);
    this.failures++;
    const asked = (cause as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
    return typeof asked === "number" && asked > 0
      ? Math.max(delay, Math.min(asked, 3_600_000))
      : delay;
  }

  succeed(): void {
    this.failures = 0;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }
}

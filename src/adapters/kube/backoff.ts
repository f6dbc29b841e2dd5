/**
 * How long an informer waits before it lists or watches again after a failure: exponential,
 * capped, with ±20 % jitter, so that the replicas of a webhook that lost the API server
 * together do not come back in one wave (client-go's reflector backs off the same way).
 */
export interface WatchBackoff {
  /** The delay after the first failure. */
  readonly baseMs: number;
  /** The most the un-jittered delay grows to. */
  readonly capMs: number;
}

export const DEFAULT_WATCH_BACKOFF: WatchBackoff = { baseMs: 800, capMs: 30_000 };

/**
 * The delay after `failures` earlier consecutive failures (0 for the first):
 * (0.8 + 0.4·random) × min(cap, base·2^failures), with `random` in [0, 1).
 */
export function watchBackoffDelay(
  failures: number,
  random: () => number = Math.random,
  backoff: WatchBackoff = DEFAULT_WATCH_BACKOFF,
): number {
  // 2^n is Infinity past n = 1023; min() keeps the cap either way.
  const ceiling = Math.min(backoff.capMs, backoff.baseMs * 2 ** Math.max(0, failures));
  return Math.max(1, Math.round(ceiling * (0.8 + 0.4 * random())));
}

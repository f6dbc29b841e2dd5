import type { RateLimitConfig } from "../../core/registry-token/index.js";

/**
 * Failed logins per (account, client address), with exponential backoff: after
 * `freeFailures` failures each further one doubles the wait, from `baseDelaySeconds` up to
 * `maxDelaySeconds`. A success clears the entry. Keyed by both so that one noisy client
 * cannot lock an account out for everyone, and one client cannot try many accounts freely
 * (each account has its own budget, but every refusal is logged).
 */
export interface LoginLimiter {
  /** Seconds to wait before this key may try again; 0 = now. */
  retryAfter(account: string, client: string): number;
  failed(account: string, client: string): void;
  succeeded(account: string, client: string): void;
}

interface Entry {
  failures: number;
  blockedUntil: number;
  lastSeen: number;
}

/** Bounded memory: beyond this many keys the least recently seen are forgotten. */
const MAX_KEYS = 10_000;

export function createLoginLimiter(
  config: RateLimitConfig,
  now: () => number = Date.now,
): LoginLimiter {
  const entries = new Map<string, Entry>();
  const key = (account: string, client: string) => `${account}\n${client}`;
  // An entry idle for twice the longest delay has served its purpose.
  const idleMs = () => 2 * config.maxDelaySeconds * 1000;
  const forgetOld = () => {
    const t = now();
    for (const [k, e] of entries) {
      if (entries.size <= MAX_KEYS && t - e.lastSeen < idleMs()) break;
      entries.delete(k);
    }
  };
  return {
    retryAfter(account, client) {
      const e = entries.get(key(account, client));
      if (e === undefined) return 0;
      return Math.max(0, Math.ceil((e.blockedUntil - now()) / 1000));
    },
    failed(account, client) {
      const k = key(account, client);
      const t = now();
      const e = entries.get(k) ?? { failures: 0, blockedUntil: 0, lastSeen: t };
      if (t - e.lastSeen >= idleMs()) e.failures = 0;
      e.failures += 1;
      e.lastSeen = t;
      const over = e.failures - config.freeFailures;
      if (over > 0) {
        const delay = Math.min(
          config.maxDelaySeconds,
          config.baseDelaySeconds * 2 ** Math.min(over - 1, 30),
        );
        e.blockedUntil = t + delay * 1000;
      }
      // Re-insert so that Map order is least recently seen first.
      entries.delete(k);
      entries.set(k, e);
      forgetOld();
    },
    succeeded(account, client) {
      entries.delete(key(account, client));
    },
  };
}

import type { Fact } from "../../core/supply/facts.js";

export interface FactCacheOptions {
  /** How long a positive answer (signed, attested, a report) is reused. */
  readonly ttlMs: number;
  /** How long a negative answer (nothing found, or the source failed) is reused: shorter. */
  readonly negativeTtlMs: number;
  /**
   * Last-known-good: while a source is unreachable, a digest whose facts were fetched within
   * this window is decided on those facts, and the decision is marked degraded. 0 disables.
   */
  readonly graceMs: number;
  readonly maxEntries?: number;
}

interface Entry {
  readonly fact: Fact<unknown>;
  readonly storedAt: number;
  readonly expiresAt: number;
}

/** Codes that mean "the source is down or busy", for which last-known-good may stand in. */
const UNAVAILABLE = new Set(["REGISTRY_UNREACHABLE", "RATE_LIMITED", "SOURCE_TIMEOUT"]);

export function isUnavailable(fact: Fact<unknown>): boolean {
  return !fact.ok && UNAVAILABLE.has(fact.code);
}

/**
 * Facts per (digest, group, policy context), with a TTL and a shorter TTL for negative
 * answers, so that a fresh signature is seen soon and a down source is not hammered. Keeps
 * the last good answer apart for the last-known-good mode. The clock is injected.
 */
export class FactCache {
  private readonly fresh = new Map<string, Entry>();
  private readonly good = new Map<string, Entry>();
  private readonly maxEntries: number;

  constructor(
    private readonly options: FactCacheOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  get(key: string): Fact<unknown> | undefined {
    const e = this.fresh.get(key);
    if (e === undefined) return undefined;
    if (e.expiresAt <= this.now()) {
      this.fresh.delete(key);
      return undefined;
    }
    return e.fact;
  }

  put(key: string, fact: Fact<unknown>, negative: boolean): void {
    const now = this.now();
    const ttl = negative ? this.options.negativeTtlMs : this.options.ttlMs;
    if (this.fresh.size >= this.maxEntries) this.fresh.clear();
    this.fresh.set(key, { fact, storedAt: now, expiresAt: now + ttl });
    if (fact.ok && this.options.graceMs > 0) {
      if (this.good.size >= this.maxEntries) this.good.clear();
      this.good.set(key, { fact, storedAt: now, expiresAt: now + this.options.graceMs });
    }
  }

  /** The last good answer fetched within the grace period, if any. */
  lastKnownGood(key: string): { fact: Fact<unknown>; storedAt: number } | undefined {
    const e = this.good.get(key);
    if (e === undefined || e.expiresAt <= this.now()) return undefined;
    return { fact: e.fact, storedAt: e.storedAt };
  }
}

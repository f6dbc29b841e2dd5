/**
 * An in-memory cache with a time to live and single flight: while a key is being loaded,
 * every caller of that key waits for the same promise, so a burst of admissions for one
 * image costs the registry one request. Failures are shared with the callers already
 * waiting but never stored: the next call tries again.
 */
export class TtlCache<T> {
  private readonly values = new Map<string, { value: T; expires: number }>();
  private readonly inFlight = new Map<string, Promise<T>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}

  async get(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.values.get(key);
    if (hit !== undefined) {
      if (hit.expires > this.now()) {
        // Re-insert: Map order is then least recently used first, which eviction relies on.
        this.values.delete(key);
        this.values.set(key, hit);
        return hit.value;
      }
      this.values.delete(key);
    }
    const pending = this.inFlight.get(key);
    if (pending !== undefined) return pending;
    const promise = load().then(
      (value) => {
        this.inFlight.delete(key);
        this.store(key, value);
        return value;
      },
      (error: unknown) => {
        this.inFlight.delete(key);
        throw error;
      },
    );
    this.inFlight.set(key, promise);
    return promise;
  }

  private store(key: string, value: T): void {
    if (this.ttlMs <= 0) return;
    this.values.delete(key);
    this.values.set(key, { value, expires: this.now() + this.ttlMs });
    for (const oldest of this.values.keys()) {
      if (this.values.size <= this.maxEntries) break;
      this.values.delete(oldest);
    }
  }

  delete(key: string): void {
    this.values.delete(key);
  }

  get size(): number {
    return this.values.size;
  }
}

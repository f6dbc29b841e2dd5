import type { OrgSnapshot } from "../../core/fleet/snapshot.js";
import type { FleetStore, NamespaceRow, PolicyRow } from "../../core/fleet/store.js";
import { type DeliveredBundle, SnapshotCache } from "./snapshots.js";

export type { DeliveredBundle } from "./snapshots.js";

interface Waiter {
  readonly cluster: string;
  readonly etag: string | undefined;
  readonly resolve: (b: DeliveredBundle | undefined) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

interface OrgState {
  readonly waiters: Set<Waiter>;
  /** A wake-up already scheduled: further changes until it runs join it. */
  wake: ReturnType<typeof setTimeout> | undefined;
}

// Clusters answered per turn of the event loop while waking, so requests are not starved.
const WAKE_SLICE = 50;

/**
 * Delivery of bundles to agents (docs/control-plane.md, Delivery). Bundles come from one
 * snapshot per organization and revision (SnapshotCache). A change through this replica calls
 * `changed(org)`; a poll of the database's revisions every `pollMs` catches changes made
 * through other replicas. Changes are coalesced: at most one wake-up per organization every
 * `coalesceMs`, which answers only the waiters whose bundle's content (ETag) differs.
 */
export class DeliveryHub {
  readonly #orgs = new Map<string, OrgState>();
  readonly #snapshots: SnapshotCache;
  #timer: ReturnType<typeof setInterval> | undefined;
  #polling = false;
  readonly #watchers = new Set<(waiting: number) => void>();

  constructor(
    private readonly store: FleetStore,
    private readonly pollMs = 1000,
    private readonly onError: (e: unknown) => void = () => {},
    private readonly coalesceMs = 50,
  ) {
    this.#snapshots = new SnapshotCache(store);
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.#poll(), this.pollMs);
    this.#timer.unref();
  }

  /** Ends polling and answers every waiter "nothing new" (their clients poll again). */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    for (const state of this.#orgs.values()) {
      if (state.wake !== undefined) clearTimeout(state.wake);
      state.wake = undefined;
      for (const w of state.waiters) this.#finish(state, w, undefined);
    }
  }

  waiting(): number {
    let n = 0;
    for (const s of this.#orgs.values()) n += s.waiters.size;
    return n;
  }

  /**
   * Calls `watcher` with `waiting()` each time a long poll starts or stops waiting, so that a
   * caller can act once a poll is held (a test, rather than sleeping). Returns the unsubscribe.
   */
  watchWaiting(watcher: (waiting: number) => void): () => void {
    this.#watchers.add(watcher);
    return () => this.#watchers.delete(watcher);
  }

  #waitingChanged(): void {
    if (this.#watchers.size === 0) return;
    const n = this.waiting();
    for (const w of [...this.#watchers]) w(n);
  }

  #state(org: string): OrgState {
    let s = this.#orgs.get(org);
    if (s === undefined) {
      s = { waiters: new Set(), wake: undefined };
      this.#orgs.set(org, s);
    }
    return s;
  }

  /** The cluster's current bundle (cached until the organization changes). */
  current(org: string, cluster: string): Promise<DeliveredBundle> {
    this.#state(org);
    return this.#snapshots.bundle(org, cluster);
  }

  /** The organization's current delivery snapshot (its attachments serve authorization). */
  snapshot(org: string): Promise<OrgSnapshot> {
    this.#state(org);
    return this.#snapshots.snapshot(org);
  }

  /**
   * Long poll: the bundle at once if its ETag differs from `etag`, else when it changes, else
   * undefined after `waitMs`.
   */
  async wait(
    org: string,
    cluster: string,
    etag: string | undefined,
    waitMs: number,
    signal?: AbortSignal,
  ): Promise<DeliveredBundle | undefined> {
    const now = await this.current(org, cluster);
    if (signal?.aborted) return undefined;
    if (now.etag !== etag || waitMs <= 0) return now.etag === etag ? undefined : now;
    const state = this.#state(org);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        cluster,
        etag,
        resolve,
        timer: setTimeout(() => this.#finish(state, waiter, undefined), waitMs),
      };
      state.waiters.add(waiter);
      this.#waitingChanged();
      // A client that hung up stops waiting (and stops counting as a waiting long poll).
      signal?.addEventListener("abort", () => this.#finish(state, waiter, undefined), {
        once: true,
      });
      // A change between the first look and now would otherwise go unnoticed until the next.
      this.current(org, cluster).then(
        (b) => {
          if (b.etag !== etag) this.#finish(state, waiter, b);
        },
        (e) => this.onError(e),
      );
    });
  }

  #finish(state: OrgState, w: Waiter, b: DeliveredBundle | undefined): void {
    if (!state.waiters.delete(w)) return;
    clearTimeout(w.timer);
    w.resolve(b);
    this.#waitingChanged();
  }

  /** Something in the organization changed (here, or seen in the revisions). */
  changed(org: string): void {
    this.#snapshots.invalidate(org);
    this.#schedule(org);
  }

  /** A cluster reported a different set of namespaces: only its own bundle can change. */
  reported(org: string, cluster: string, namespaces: readonly NamespaceRow[]): Promise<void> {
    return this.#after(org, this.#snapshots.reported(org, cluster, namespaces));
  }

  /** A policy was written here (`after` undefined: deleted). */
  policy(org: string, name: string, after: PolicyRow | undefined): Promise<void> {
    return this.#after(org, this.#snapshots.policy(org, name, after));
  }

  #after(org: string, patched: Promise<void>): Promise<void> {
    this.#schedule(org);
    return patched.catch((e) => this.onError(e));
  }

  #schedule(org: string): void {
    const state = this.#state(org);
    if (state.wake !== undefined) return;
    state.wake = setTimeout(() => {
      state.wake = undefined;
      this.#wake(org, state).catch((e) => this.onError(e));
    }, this.coalesceMs);
  }

  /** Answers the waiters whose bundle changed; bundles only for clusters with waiters. */
  async #wake(org: string, state: OrgState): Promise<void> {
    const byCluster = new Map<string, Waiter[]>();
    for (const w of state.waiters)
      byCluster.set(w.cluster, [...(byCluster.get(w.cluster) ?? []), w]);
    let n = 0;
    for (const [cluster, waiters] of byCluster) {
      const b = await this.#snapshots.bundle(org, cluster);
      for (const w of waiters) if (w.etag !== b.etag) this.#finish(state, w, b);
      if (++n % WAKE_SLICE === 0) await new Promise((r) => setImmediate(r));
    }
  }

  /** Forget an organization that no longer exists (its waiters get 304 and retry). */
  #drop(org: string): void {
    const state = this.#orgs.get(org);
    this.#snapshots.drop(org);
    if (state === undefined) return;
    if (state.wake !== undefined) clearTimeout(state.wake);
    for (const w of state.waiters) this.#finish(state, w, undefined);
    this.#orgs.delete(org);
  }

  async #poll(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    try {
      const revisions = await this.store.revisions();
      for (const org of this.#orgs.keys()) {
        const revision = revisions.get(org);
        const known = this.#snapshots.revision(org);
        if (revision === undefined) this.#drop(org);
        // A stale or missing snapshot is reloaded anyway on the next ask.
        else if (known !== undefined && known !== revision) this.changed(org);
      }
    } catch (e) {
      this.onError(e);
    } finally {
      this.#polling = false;
    }
  }
}

import { createHash } from "node:crypto";
import { type Bundle, compileBundle, toBundleContent } from "../../core/fleet/bundle.js";
import type { FleetStore } from "../../core/fleet/store.js";

export interface DeliveredBundle {
  readonly bundle: Bundle;
  /** `"<sha256 of the bundle's content>"`, quoted as an HTTP entity tag. */
  readonly etag: string;
}

interface Waiter {
  readonly cluster: string;
  readonly etag: string | undefined;
  readonly resolve: (b: DeliveredBundle | undefined) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

interface OrgState {
  /** The revision the cached bundles were built at; undefined: rebuild before use. */
  revision: number | undefined;
  readonly bundles: Map<string, Promise<DeliveredBundle>>;
  readonly waiters: Set<Waiter>;
}

/**
 * Delivery of bundles to agents (docs/control-plane.md, Delivery). Per organization it keeps
 * the revision its cached bundles belong to and the agents waiting in a long poll. A change
 * through this replica calls `changed(org)`; a poll of the database's revisions every
 * `pollMs` catches changes made through other replicas. Waiters are answered only when their
 * bundle's content (ETag) differs from theirs, so unrelated changes do not wake them.
 */
export class DeliveryHub {
  readonly #orgs = new Map<string, OrgState>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #polling = false;

  constructor(
    private readonly store: FleetStore,
    private readonly pollMs = 1000,
    private readonly onError: (e: unknown) => void = () => {},
  ) {}

  start(): void {
    this.#timer ??= setInterval(() => void this.#poll(), this.pollMs);
    this.#timer.unref();
  }

  /** Ends polling and answers every waiter "nothing new" (their clients poll again). */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    for (const state of this.#orgs.values()) {
      for (const w of state.waiters) this.#finish(state, w, undefined);
    }
  }

  waiting(): number {
    let n = 0;
    for (const s of this.#orgs.values()) n += s.waiters.size;
    return n;
  }

  #state(org: string): OrgState {
    let s = this.#orgs.get(org);
    if (s === undefined) {
      s = { revision: undefined, bundles: new Map(), waiters: new Set() };
      this.#orgs.set(org, s);
    }
    return s;
  }

  /** The cluster's current bundle (cached until the organization's revision moves). */
  current(org: string, cluster: string): Promise<DeliveredBundle> {
    const state = this.#state(org);
    let p = state.bundles.get(cluster);
    if (p === undefined) {
      p = this.#build(org, cluster);
      state.bundles.set(cluster, p);
      // A failed build is not cached.
      p.catch(() => state.bundles.delete(cluster));
    }
    return p;
  }

  async #build(org: string, cluster: string): Promise<DeliveredBundle> {
    // The revision is read first: data newer than it only makes the next rebuild a no-op.
    const { revision } = await this.store.getOrganization(org);
    const [policies, attachments, namespaces] = await Promise.all([
      this.store.allPolicies(org),
      this.store.listAttachments(org, {}),
      this.store.listNamespaces(org, cluster),
    ]);
    const state = this.#state(org);
    state.revision ??= revision;
    const bundle = compileBundle({ revision, cluster, policies, attachments, namespaces });
    const etag = `"${createHash("sha256").update(toBundleContent(bundle)).digest("base64url")}"`;
    return { bundle, etag };
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
  }

  /** Something in the organization changed (here, or seen in the revisions): rebuild, wake. */
  changed(org: string, revision?: number): void {
    const state = this.#state(org);
    state.revision = revision;
    state.bundles.clear();
    for (const w of state.waiters) {
      this.current(org, w.cluster).then(
        (b) => {
          if (b.etag !== w.etag) this.#finish(state, w, b);
        },
        (e) => this.onError(e),
      );
    }
  }

  /** Forget an organization that no longer exists (its waiters get 304 and retry). */
  #drop(org: string): void {
    const state = this.#orgs.get(org);
    if (state === undefined) return;
    for (const w of state.waiters) this.#finish(state, w, undefined);
    this.#orgs.delete(org);
  }

  async #poll(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    try {
      const revisions = await this.store.revisions();
      for (const [org, state] of this.#orgs) {
        const revision = revisions.get(org);
        if (revision === undefined) this.#drop(org);
        else if (state.revision !== revision) this.changed(org, revision);
      }
    } catch (e) {
      this.onError(e);
    } finally {
      this.#polling = false;
    }
  }
}

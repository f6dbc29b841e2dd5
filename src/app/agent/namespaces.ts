import type { NamespaceFacts } from "../../core/evaluate/index.js";
import { NamespaceCache } from "../webhook/index.js";
import { Backoff } from "./backoff.js";

export interface ReportedNamespace {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * The webhook's namespace facts and the set the agent reports, fed by the Namespace watch of
 * startClusterSource. The cluster's name is learnt after start (registration, or the saved
 * bundle), and facts depend on it (`CLUSTER/NAMESPACE` workspace entries), so the facts
 * come from an inner cache rebuilt when the name becomes known.
 */
export class AgentNamespaces extends NamespaceCache {
  private readonly labels = new Map<string, Readonly<Record<string, string>>>();
  private inner: NamespaceCache;
  private clusterName: string | undefined;

  constructor(private readonly onChange: () => void) {
    super();
    this.inner = new NamespaceCache();
  }

  get currentCluster(): string | undefined {
    return this.clusterName;
  }

  setCluster(name: string): void {
    if (name === this.clusterName) return;
    this.clusterName = name;
    const next = new NamespaceCache(name);
    for (const [ns, labels] of this.labels) next.set(ns, labels);
    this.inner = next;
  }

  override facts(name: string): NamespaceFacts {
    return this.inner.facts(name);
  }

  override set(name: string, labels: Readonly<Record<string, string>>): void {
    this.inner.set(name, labels);
    const known = this.labels.get(name);
    if (known !== undefined && sameLabels(known, labels)) return;
    this.labels.set(name, { ...labels });
    this.onChange();
  }

  override delete(name: string): void {
    this.inner.delete(name);
    if (this.labels.delete(name)) this.onChange();
  }

  /** The full set, sorted by name (the control plane replaces its copy with it). */
  snapshot(): ReportedNamespace[] {
    return [...this.labels]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, labels]) => ({ name, labels }));
  }
}

function sameLabels(
  a: Readonly<Record<string, string>>,
  b: Readonly<Record<string, string>>,
): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

export interface Clock {
  now(): number;
  setTimeout(f: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  setTimeout: (f, ms) => {
    const t = setTimeout(f, ms);
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/**
 * Runs `send` after changes, at most once per `minIntervalMs`: a burst of namespace events
 * becomes one report. A failed send is retried with backoff until one succeeds; changes made
 * meanwhile are folded into the next send (it always sends the latest full set).
 */
export class Debouncer {
  private dirty = false;
  private sending = false;
  private timer: unknown;
  private lastSent = Number.NEGATIVE_INFINITY;
  private stopped = false;
  private readonly backoff = new Backoff();

  constructor(
    private readonly send: () => Promise<void>,
    private readonly minIntervalMs: number,
    private readonly clock: Clock = SYSTEM_CLOCK,
    private readonly onError: (e: unknown) => void = () => {},
  ) {}

  changed(): void {
    this.dirty = true;
    this.schedule(Math.max(0, this.lastSent + this.minIntervalMs - this.clock.now()));
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(delay: number): void {
    if (this.stopped || this.sending || this.timer !== undefined) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delay);
  }

  private async flush(): Promise<void> {
    if (!this.dirty || this.stopped) return;
    this.dirty = false;
    this.sending = true;
    let retry: number | undefined;
    try {
      await this.send();
      this.backoff.succeed();
    } catch (e) {
      this.dirty = true;
      retry = this.backoff.fail(e);
      this.onError(e);
    } finally {
      this.lastSent = this.clock.now();
      this.sending = false;
    }
    if (this.dirty)
      this.schedule(Math.max(retry ?? 0, this.lastSent + this.minIntervalMs - this.clock.now()));
  }
}

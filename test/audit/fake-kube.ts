/**
 * An in-memory API server for the auditor: workload collections listed and watched, and
 * the wgpolicyk8s.io PolicyReports it creates, replaces, lists by label and deletes. Every
 * request is recorded with the injected clock's time, for the rate bound.
 */
import { KubeError, type KubeObject, type WatchEvent } from "../../src/adapters/kube/index.js";
import type { AuditKube, Clock } from "../../src/app/audit/index.js";

type Obj = KubeObject & { metadata: KubeObject["metadata"] & { namespace?: string } };

const REPORTS =
  /^\/apis\/wgpolicyk8s\.io\/v1alpha2\/(?:namespaces\/([^/]+)\/)?policyreports(?:\/([^/?]+))?/;

const LEASES = /^\/apis\/coordination\.k8s\.io\/v1\/namespaces\/([^/]+)\/leases(?:\/([^/?]+))?$/;

export class FakeKube implements AuditKube {
  /** coordination.k8s.io Leases by namespace/name, with resourceVersion semantics. */
  readonly leases = new Map<string, Obj>();
  readonly requests: { method: string; path: string; at: number }[] = [];
  /** Collections by list path (e.g. /apis/apps/v1/deployments), objects by namespace/name. */
  readonly collections = new Map<string, Map<string, Obj>>();
  readonly reports = new Map<string, Obj>();
  private readonly watchers = new Map<string, Set<(e: WatchEvent) => void>>();
  private version = 1;
  /** The PolicyReport CRD is not installed: its paths answer 404. */
  reportsMissing = false;

  constructor(private readonly clock: Clock) {}

  private record(method: string, path: string) {
    this.requests.push({ method, path, at: this.clock.now() });
  }

  private collection(path: string): Map<string, Obj> {
    let c = this.collections.get(path);
    if (c === undefined) {
      c = new Map();
      this.collections.set(path, c);
    }
    return c;
  }

  /** Creates or replaces a workload and tells the watchers. */
  put(path: string, object: Obj): void {
    const c = this.collection(path);
    const key = `${object.metadata.namespace ?? ""}/${object.metadata.name}`;
    const type = c.has(key) ? "MODIFIED" : "ADDED";
    const stored = {
      ...object,
      metadata: { ...object.metadata, resourceVersion: String(++this.version) },
    };
    c.set(key, stored);
    for (const w of this.watchers.get(path) ?? []) w({ type, object: stored });
  }

  remove(path: string, namespace: string, name: string): void {
    const c = this.collection(path);
    const object = c.get(`${namespace}/${name}`);
    if (object === undefined) return;
    c.delete(`${namespace}/${name}`);
    for (const w of this.watchers.get(path) ?? []) w({ type: "DELETED", object });
  }

  async list(path: string) {
    this.record("GET", path);
    const reports = REPORTS.exec(path);
    if (reports !== null) {
      if (this.reportsMissing) throw new KubeError(`GET ${path}: 404`, 404);
      const selector = decodeURIComponent(/labelSelector=([^&]+)/.exec(path)?.[1] ?? "");
      const [k, v] = selector.split("=");
      const items = [...this.reports.values()].filter(
        (r) => k === undefined || r.metadata.labels?.[k] === v,
      );
      return { items, resourceVersion: String(this.version) };
    }
    const base = path.split("?")[0] as string;
    return { items: [...this.collection(base).values()], resourceVersion: String(this.version) };
  }

  async get(path: string) {
    this.record("GET", path);
    const lease = LEASES.exec(path);
    if (lease !== null) return this.leases.get(`${lease[1]}/${lease[2]}`);
    const m = REPORTS.exec(path);
    return m === null ? undefined : this.reports.get(`${m[1]}/${m[2]}`);
  }

  async send(method: "POST" | "PUT" | "DELETE", path: string, body?: unknown) {
    this.record(method, path);
    const lease = LEASES.exec(path);
    if (lease !== null) return this.sendLease(method, lease[1] as string, lease[2], body as Obj);
    const m = REPORTS.exec(path);
    if (m === null) throw new KubeError(`${method} ${path}: 404`, 404);
    const ns = m[1] as string;
    if (method === "POST") {
      const o = body as Obj;
      const key = `${ns}/${o.metadata.name}`;
      if (this.reports.has(key)) throw new KubeError(`${method} ${path}: 409`, 409);
      const stored = {
        ...o,
        metadata: { ...o.metadata, namespace: ns, resourceVersion: String(++this.version) },
      };
      this.reports.set(key, stored);
      return stored;
    }
    const key = `${ns}/${m[2]}`;
    const existing = this.reports.get(key);
    if (existing === undefined) throw new KubeError(`${method} ${path}: 404`, 404);
    if (method === "DELETE") {
      this.reports.delete(key);
      return existing;
    }
    // As for every custom resource: a replace names the version it replaces.
    const o = body as Obj;
    if (o.metadata.resourceVersion === undefined)
      throw new KubeError(`${method} ${path}: 422 metadata.resourceVersion must be specified`, 422);
    if (o.metadata.resourceVersion !== existing.metadata.resourceVersion)
      throw new KubeError(`${method} ${path}: 409 conflict`, 409);
    const stored = { ...o, metadata: { ...o.metadata, resourceVersion: String(++this.version) } };
    this.reports.set(key, stored);
    return stored;
  }

  private sendLease(method: string, ns: string, name: string | undefined, o: Obj): Obj {
    const key = `${ns}/${name ?? o.metadata.name}`;
    const existing = this.leases.get(key);
    if (method === "POST" && existing !== undefined) throw new KubeError("POST lease: 409", 409);
    if (method === "PUT") {
      if (existing === undefined) throw new KubeError("PUT lease: 404", 404);
      if (o.metadata.resourceVersion !== existing.metadata.resourceVersion)
        throw new KubeError("PUT lease: 409 conflict", 409);
    }
    const stored = {
      ...o,
      metadata: { ...o.metadata, namespace: ns, resourceVersion: String(++this.version) },
    };
    this.leases.set(key, stored);
    return stored;
  }

  watch(
    path: string,
    _resourceVersion: string,
    onEvent: (e: WatchEvent) => void,
    signal: AbortSignal,
  ): Promise<void> {
    this.record("WATCH", path);
    let set = this.watchers.get(path);
    if (set === undefined) {
      set = new Set();
      this.watchers.set(path, set);
    }
    set.add(onEvent);
    return new Promise((resolve) => {
      const end = () => {
        set.delete(onEvent);
        resolve();
      };
      if (signal.aborted) end();
      signal.addEventListener("abort", end, { once: true });
    });
  }
}

/**
 * A clock the test owns: short waits (the token bucket's) pass at once and move time on;
 * long ones (the audit's interval) last until the auditor stops.
 */
export class SteppedClock implements Clock {
  t = 1_800_000_000_000;
  now(): number {
    return this.t;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms < 60_000) {
      this.t += ms;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      if (signal?.aborted === true) return resolve();
      signal?.addEventListener("abort", () => resolve(), { once: true });
    });
  }
}

import { createHash } from "node:crypto";
import { type Bundle, toCanonicalJson, toDeliveredDocument } from "../../core/fleet/bundle.js";
import {
  compileClusterBundle,
  compileSnapshot,
  type OrgSnapshot,
  toClusterContent,
  toClusterInputs,
  toInputsKey,
} from "../../core/fleet/snapshot.js";
import {
  type Patched,
  withClusterNamespaces,
  withPolicy,
} from "../../core/fleet/snapshot-patch.js";
import type { FleetStore, NamespaceRow, PolicyRow } from "../../core/fleet/store.js";

export interface DeliveredBundle {
  readonly bundle: Bundle;
  /** `"<sha256 of the bundle's content>"`, quoted as an HTTP entity tag. */
  readonly etag: string;
}

interface Entry {
  /** The organization's change count this snapshot is current for. */
  readonly gen: number;
  readonly promise: Promise<OrgSnapshot>;
  value?: OrgSnapshot;
  readonly bundles: Map<string, DeliveredBundle>;
}

interface OrgCache {
  /** Counts changes made through this replica; a snapshot older than it is stale. */
  gen: number;
  entry: Entry | undefined;
  /** Per cluster, the key of the inputs its last bundle was built from, for reuse. */
  readonly last: Map<string, { readonly key: string; readonly delivered: DeliveredBundle }>;
}

/**
 * One snapshot per organization and revision (docs/control-plane.md, Delivery): loaded once,
 * whoever asks (concurrent askers share one load), and each cluster's bundle computed from it
 * lazily, once. A cluster whose inputs did not change since its last bundle gets that bundle
 * again (its revision updated) without rendering and hashing.
 */
export class SnapshotCache {
  readonly #orgs = new Map<string, OrgCache>();
  /** Canonical JSON of each policy row's delivered document; rows live as long as snapshots. */
  readonly #json = new WeakMap<PolicyRow, string>();

  constructor(private readonly store: FleetStore) {}

  #org(org: string): OrgCache {
    let c = this.#orgs.get(org);
    if (c === undefined) {
      c = { gen: 0, entry: undefined, last: new Map() };
      this.#orgs.set(org, c);
    }
    return c;
  }

  /** Something changed: the next ask loads a new snapshot. */
  invalidate(org: string): void {
    this.#org(org).gen++;
  }

  drop(org: string): void {
    this.#orgs.delete(org);
  }

  /** The revision of the current snapshot; undefined while none is loaded or it is stale. */
  revision(org: string): number | undefined {
    const c = this.#orgs.get(org);
    return c?.entry?.gen === c?.gen ? c?.entry?.value?.revision : undefined;
  }

  /** The current snapshot: loaded at most once per change, however many ask at once. */
  async snapshot(org: string): Promise<OrgSnapshot> {
    return (await this.#entry(org)).promise;
  }

  async #entry(org: string): Promise<Entry> {
    const c = this.#org(org);
    for (;;) {
      const e = c.entry;
      if (e !== undefined && e.gen === c.gen) return e;
      // A stale load still running: wait for it, so loads never pile up.
      if (e !== undefined && e.value === undefined) await e.promise.catch(() => {});
      else return this.#load(org, c);
    }
  }

  #load(org: string, c: OrgCache): Entry {
    const promise = this.#read(org);
    const entry: Entry = { gen: c.gen, promise, bundles: new Map() };
    c.entry = entry;
    promise.then(
      (s) => {
        entry.value = s;
      },
      () => {
        if (c.entry === entry) c.entry = undefined;
      },
    );
    return entry;
  }

  async #read(org: string): Promise<OrgSnapshot> {
    // The revision is read first: data newer than it only makes the next rebuild a no-op.
    const { revision } = await this.store.getOrganization(org);
    const [policies, exceptions, attachments, namespaces] = await Promise.all([
      this.store.allPolicies(org),
      this.store.allExceptions(org),
      this.store.listAttachments(org, {}),
      this.store.listNamespaces(org),
    ]);
    // Exceptions are scoped like policies, so they share the snapshot's indexes.
    const rows = exceptions.length === 0 ? policies : [...policies, ...exceptions];
    return compileSnapshot({ revision, policies: rows, attachments, namespaces });
  }

  /** A cluster reported a different set of namespaces (one change in the organization). */
  reported(org: string, cluster: string, namespaces: readonly NamespaceRow[]): Promise<void> {
    return this.#patch(org, (s, revision) =>
      withClusterNamespaces(s, revision, cluster, namespaces),
    );
  }

  /** A policy was created, updated (`after` its new row) or deleted (one change). */
  policy(org: string, name: string, after: PolicyRow | undefined): Promise<void> {
    return this.#patch(org, (s, revision) => withPolicy(s, revision, name, after));
  }

  /**
   * One change was made through this replica. When the snapshot was current just before it
   * and the organization's revision moved by exactly this change, the snapshot is patched
   * instead of read again, and the bundles of clusters the change cannot alter are kept.
   */
  async #patch(org: string, apply: (s: OrgSnapshot, revision: number) => Patched) {
    const c = this.#org(org);
    const base = c.entry;
    const wasCurrent = base?.gen === c.gen;
    c.gen++;
    if (!wasCurrent || base?.value === undefined) return;
    const gen = c.gen;
    const { revision } = await this.store.getOrganization(org);
    // Anything else in between (here or on another replica) and the snapshot is read again.
    if (c.entry !== base || c.gen !== gen || revision !== base.value.revision + 1) return;
    const { snapshot, affected } = apply(base.value, revision);
    const bundles = new Map<string, DeliveredBundle>();
    if (affected !== "all") {
      for (const [cluster, { bundle, etag }] of base.bundles) {
        if (!affected.has(cluster)) bundles.set(cluster, { bundle: { ...bundle, revision }, etag });
      }
    }
    c.entry = { gen, promise: Promise.resolve(snapshot), value: snapshot, bundles };
  }

  /** The cluster's bundle at the current snapshot. */
  async bundle(org: string, cluster: string): Promise<DeliveredBundle> {
    const entry = await this.#entry(org);
    const snapshot = await entry.promise;
    const cached = entry.bundles.get(cluster);
    if (cached !== undefined) return cached;
    const delivered = this.#compile(this.#org(org), snapshot, cluster);
    entry.bundles.set(cluster, delivered);
    return delivered;
  }

  #compile(c: OrgCache, snapshot: OrgSnapshot, cluster: string): DeliveredBundle {
    const inputs = toClusterInputs(snapshot, cluster);
    const key = toInputsKey(inputs);
    const last = c.last.get(cluster);
    let delivered: DeliveredBundle;
    if (last !== undefined && last.key === key) {
      const { bundle, etag } = last.delivered;
      delivered = { bundle: { ...bundle, revision: snapshot.revision }, etag };
    } else {
      const content = toClusterContent(cluster, inputs, (p) => this.#policyJson(p));
      const etag = `"${createHash("sha256").update(content).digest("base64url")}"`;
      delivered = { bundle: compileClusterBundle(snapshot.revision, cluster, inputs), etag };
    }
    c.last.set(cluster, { key, delivered });
    return delivered;
  }

  #policyJson(row: PolicyRow): string {
    let text = this.#json.get(row);
    if (text === undefined) {
      text = toCanonicalJson(toDeliveredDocument(row.document));
      this.#json.set(row, text);
    }
    return text;
  }
}

import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { type KubeClient, KubeError, type KubeObject } from "./client.js";

/** What a Lease lock asks of the API server. */
export type LeaseKube = Pick<KubeClient, "get" | "send">;

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

type Lease = KubeObject & { spec?: LeaseSpec };

/** A coordination.k8s.io MicroTime: RFC 3339 with microseconds. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export interface LeaseLockOptions {
  readonly namespace: string;
  readonly name: string;
  /** Who holds it (the pod's name). */
  readonly identity: string;
  readonly durationSeconds: number;
  readonly now: () => number;
}

/**
 * One try at holding a coordination.k8s.io/v1 Lease, as client-go's leader election does:
 * create it when absent; take it over when its holder has not renewed it for its duration;
 * renew it when held. Every write names the resourceVersion read, so two candidates never both
 * win (the second gets 409). Expiry is judged by when this process last saw the record change,
 * not by the holder's renewTime, so clocks that disagree between nodes do not matter.
 */
export class LeaseLock {
  private observed: { record: string; at: number } | undefined;

  constructor(
    private readonly kube: LeaseKube,
    private readonly o: LeaseLockOptions,
  ) {}

  private get path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.o.namespace)}/leases`;
  }

  /** True when this process holds the Lease after the call (acquired or renewed). */
  async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.o.now();
    const { identity, durationSeconds, name, namespace } = this.o;
    const existing = (await this.kube.get(`${this.path}/${encodeURIComponent(name)}`)) as
      | Lease
      | undefined;
    const mine: LeaseSpec = {
      holderIdentity: identity,
      leaseDurationSeconds: durationSeconds,
      renewTime: microTime(now),
    };
    try {
      if (existing === undefined) {
        await this.kube.send("POST", this.path, {
          apiVersion: "coordination.k8s.io/v1",
          kind: "Lease",
          metadata: { name, namespace },
          spec: { ...mine, acquireTime: microTime(now), leaseTransitions: 0 },
        });
        this.observed = undefined;
        return true;
      }
      const spec = existing.spec ?? {};
      const holder = spec.holderIdentity ?? "";
      const record = JSON.stringify([holder, spec.renewTime, spec.leaseDurationSeconds]);
      if (this.observed?.record !== record) this.observed = { record, at: now };
      const duration = (spec.leaseDurationSeconds ?? durationSeconds) * 1000;
      const held = holder !== "" && holder !== identity;
      if (held && this.observed.at + duration > now) return false;
      const next: LeaseSpec =
        holder === identity
          ? { ...spec, ...mine }
          : {
              ...mine,
              acquireTime: microTime(now),
              leaseTransitions: (spec.leaseTransitions ?? 0) + (holder === "" ? 0 : 1),
            };
      await this.kube.send("PUT", `${this.path}/${encodeURIComponent(name)}`, {
        ...existing,
        spec: next,
      });
      return true;
    } catch (e) {
      // Another candidate wrote first (409 on create or replace): it holds the Lease.
      if (e instanceof KubeError && e.status === 409) return false;
      throw e;
    }
  }

  /**
   * Gives the Lease up when this process holds it (holder emptied, same resourceVersion
   * rule), so that another replica takes it at its next try instead of waiting out the
   * duration. A Lease held by another, or changed meanwhile (409), is left alone.
   */
  async release(): Promise<void> {
    const path = `${this.path}/${encodeURIComponent(this.o.name)}`;
    const existing = (await this.kube.get(path)) as Lease | undefined;
    if (existing?.spec?.holderIdentity !== this.o.identity) return;
    try {
      await this.kube.send("PUT", path, {
        ...existing,
        spec: { ...existing.spec, holderIdentity: "", renewTime: microTime(this.o.now()) },
      });
    } catch (e) {
      if (!(e instanceof KubeError && e.status === 409)) throw e;
    }
  }
}

export interface ReleasableLock {
  release(): Promise<void>;
}

const SERVICE_ACCOUNT_NAMESPACE_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

/**
 * Who this process is and where its Lease lives: `POD_NAME` and `POD_NAMESPACE` when the
 * downward API sets them, else the hostname (a pod's hostname is its name) and the namespace
 * of the mounted service account; `undefined` namespace outside a pod.
 */
export function podIdentity(env: NodeJS.ProcessEnv = process.env): {
  identity: string;
  namespace: string | undefined;
} {
  let namespace = env.POD_NAMESPACE;
  if (namespace === undefined || namespace === "") {
    try {
      namespace = readFileSync(SERVICE_ACCOUNT_NAMESPACE_FILE, "utf8").trim() || undefined;
    } catch {
      namespace = undefined;
    }
  }
  return { identity: env.POD_NAME || hostname(), namespace };
}

import { KubeError, type KubeObject } from "../../adapters/kube/index.js";
import {
  MANAGED_BY,
  MANAGED_BY_LABEL,
  POLICY_REPORT_API_VERSION,
  type PolicyReport,
  reportFingerprint,
  reportKey,
} from "../../core/audit/index.js";
import type { AuditKube } from "./rate.js";

const BASE = `/apis/${POLICY_REPORT_API_VERSION}`;
const PAGE = 500;
const SELECTOR = encodeURIComponent(`${MANAGED_BY_LABEL}=${MANAGED_BY}`);

function objectPath(namespace: string, name: string): string {
  return `${BASE}/namespaces/${encodeURIComponent(namespace)}/policyreports/${encodeURIComponent(name)}`;
}

/** What a report Customs wrote says now, read back from the cluster (timestamps aside). */
function fingerprintOf(o: KubeObject): string {
  const labels = o.metadata.labels ?? {};
  return reportFingerprint({
    apiVersion: POLICY_REPORT_API_VERSION,
    kind: "PolicyReport",
    metadata: {
      name: o.metadata.name,
      namespace: (o.metadata as { namespace?: string }).namespace ?? "",
      labels,
    },
    scope: o.scope as PolicyReport["scope"],
    summary: o.summary as PolicyReport["summary"],
    results: (o.results as PolicyReport["results"] | undefined) ?? [],
  });
}

/** A report in the cluster: its content (timestamps aside) and the version to replace. */
interface Known {
  readonly fingerprint: string;
  readonly resourceVersion: string | undefined;
}

export interface SyncResult {
  readonly created: number;
  readonly updated: number;
  readonly deleted: number;
  readonly unchanged: number;
  /** Reports not written, each with why (another tool's report of that name, a refusal). */
  readonly failed: readonly { readonly key: string; readonly error: unknown }[];
}

/**
 * Keeps the cluster's PolicyReports equal to the audit's: creates the missing, replaces those
 * whose content changed, deletes those whose workload is gone. It only ever lists, replaces
 * and deletes reports carrying `app.kubernetes.io/managed-by: customs`; a report of the same
 * name written by another tool is left alone (and said in `failed`).
 */
export class PolicyReportWriter {
  /** key → what the cluster holds, as far as this writer knows. */
  private known: Map<string, Known> | undefined;

  constructor(private readonly kube: AuditKube) {}

  /** Forget what the cluster holds: the next sync lists it again. */
  invalidate(): void {
    this.known = undefined;
  }

  private async list(): Promise<Map<string, Known>> {
    const known = new Map<string, Known>();
    let token: string | undefined;
    do {
      const page = await this.kube.list(
        `${BASE}/policyreports?labelSelector=${SELECTOR}&limit=${PAGE}${token === undefined ? "" : `&continue=${encodeURIComponent(token)}`}`,
      );
      for (const o of page.items)
        known.set(reportKey(o as never), {
          fingerprint: fingerprintOf(o),
          resourceVersion: o.metadata.resourceVersion,
        });
      token = page.continue;
    } while (token !== undefined);
    return known;
  }

  async sync(desired: readonly PolicyReport[]): Promise<SyncResult> {
    const known = this.known ?? (await this.list());
    this.known = known;
    let created = 0;
    let updated = 0;
    let deleted = 0;
    let unchanged = 0;
    const failed: { key: string; error: unknown }[] = [];
    const wanted = new Set<string>();
    for (const report of desired) {
      const key = reportKey(report);
      wanted.add(key);
      const fingerprint = reportFingerprint(report);
      const before = known.get(key);
      if (before?.fingerprint === fingerprint) {
        unchanged++;
        continue;
      }
      try {
        let written: KubeObject;
        if (before === undefined) {
          written = await this.create(report);
          created++;
        } else {
          written = await this.replace(report, before.resourceVersion);
          updated++;
        }
        known.set(key, { fingerprint, resourceVersion: written.metadata.resourceVersion });
      } catch (error) {
        failed.push({ key, error });
      }
    }
    for (const key of [...known.keys()]) {
      if (wanted.has(key)) continue;
      const [namespace = "", name = ""] = key.split("/");
      try {
        await this.kube.send("DELETE", objectPath(namespace, name));
        deleted++;
      } catch (error) {
        if (!(error instanceof KubeError && error.status === 404)) {
          failed.push({ key, error });
          continue;
        }
      }
      known.delete(key);
    }
    // A failed write leaves the cluster unknown: list it again next time.
    if (failed.length > 0) this.known = undefined;
    return { created, updated, deleted, unchanged, failed };
  }

  private async create(report: PolicyReport): Promise<KubeObject> {
    const { namespace } = report.metadata;
    try {
      return await this.kube.send(
        "POST",
        `${BASE}/namespaces/${encodeURIComponent(namespace)}/policyreports`,
        report,
      );
    } catch (e) {
      if (!(e instanceof KubeError && e.status === 409)) throw e;
      // A report of that name exists without our label: someone else's, never replaced.
      const existing = await this.kube.get(objectPath(namespace, report.metadata.name));
      if (existing !== undefined && existing.metadata.labels?.[MANAGED_BY_LABEL] !== MANAGED_BY)
        throw new KubeError(
          `PolicyReport ${namespace}/${report.metadata.name} exists and was not written by Customs; left alone`,
          409,
        );
      return this.replace(report, existing?.metadata.resourceVersion);
    }
  }

  /**
   * Replaces a report: the API server requires the resourceVersion for custom resources. A
   * conflict (someone changed it since) reads it again and replaces once more; a report that
   * is gone is created.
   */
  private async replace(
    report: PolicyReport,
    resourceVersion: string | undefined,
  ): Promise<KubeObject> {
    const { namespace, name } = report.metadata;
    const put = (version: string | undefined) =>
      this.kube.send("PUT", objectPath(namespace, name), {
        ...report,
        metadata: {
          ...report.metadata,
          ...(version === undefined ? {} : { resourceVersion: version }),
        },
      });
    try {
      if (resourceVersion !== undefined) {
        try {
          return await put(resourceVersion);
        } catch (e) {
          if (!(e instanceof KubeError && e.status === 409)) throw e;
        }
      }
      const current = await this.kube.get(objectPath(namespace, name));
      if (current === undefined) throw new KubeError(`PolicyReport ${namespace}/${name}: 404`, 404);
      return await put(current.metadata.resourceVersion);
    } catch (e) {
      if (!(e instanceof KubeError && e.status === 404)) throw e;
      return this.kube.send(
        "POST",
        `${BASE}/namespaces/${encodeURIComponent(namespace)}/policyreports`,
        report,
      );
    }
  }
}

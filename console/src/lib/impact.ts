/**
 * The impact preview's answer (`POST /organizations/{org}/impact`, docs/impact.md) in the
 * words the wizard shows: a headline per side and the workloads grouped by cluster and
 * namespace.
 */
import type { ImpactBucket, ImpactResponse, ImpactSide } from "./api-types.js";

export type { ImpactResponse };

const plural = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString("en")} ${n === 1 ? one : many}`;

/** "Would deny 37 workloads in 4 clusters" (or that it would deny none). */
export function denyHeadline(side: ImpactSide): string {
  const b = side.wouldDeny;
  if (b.workloads === 0)
    return `Would deny no workload (${plural(side.evaluated, "workload")} checked)`;
  return `Would deny ${plural(b.workloads, "workload")} in ${plural(b.clusters, "cluster")}`;
}

/** Deleting or relaxing: "Would allow 3 workloads denied now". */
export function allowHeadline(side: ImpactSide): string | undefined {
  const n = side.wouldAllow.workloads;
  return n === 0 ? undefined : `Would allow ${plural(n, "workload")} denied now`;
}

export interface NamespaceGroup {
  readonly key: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly workloads: readonly {
    readonly owner: string;
    readonly images: readonly string[];
    readonly policies: readonly string[];
    readonly records?: number;
  }[];
}

/** The bucket's workloads under their cluster/namespace, in the server's order. */
export function byNamespace(bucket: ImpactBucket): NamespaceGroup[] {
  const out = new Map<
    string,
    NamespaceGroup & { workloads: NamespaceGroup["workloads"][number][] }
  >();
  for (const g of bucket.groups) {
    const key = `${g.cluster}/${g.namespace}`;
    let entry = out.get(key);
    if (entry === undefined) {
      entry = { key, cluster: g.cluster, namespace: g.namespace, workloads: [] };
      out.set(key, entry);
    }
    entry.workloads.push({
      owner: `${g.owner.kind}/${g.owner.name}`,
      images: g.images,
      policies: g.policies,
      ...(g.records === undefined ? {} : { records: g.records }),
    });
  }
  return [...out.values()];
}

/** Clusters whose agents have sent no inventory yet: the answer cannot speak for them. */
export function unknownClusters(answer: ImpactResponse): string[] {
  return answer.clusters.filter((c) => c.status === "unknown").map((c) => c.cluster);
}

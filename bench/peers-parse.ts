/**
 * Reading each tool's output in bench/peers.ts into denied workloads per policy. The formats
 * are the tools' own and fixed (`customs check -o json`, Kyverno's and gator's default
 * lines), so plain string handling is enough.
 */
import { POLICIES, type PolicyKey } from "./peers-generate.js";

export type Counts = Record<PolicyKey, number> & { any: number };

/** Counts distinct workloads per policy from (policy name, workload key) pairs. */
export function countPairs(
  pairs: Iterable<[string, string]>,
  names: Record<PolicyKey, string>,
): Counts {
  const byName = new Map<string, PolicyKey>(POLICIES.map((k) => [names[k], k]));
  const sets: Record<PolicyKey, Set<string>> = {
    registries: new Set(),
    latest: new Set(),
    digest: new Set(),
  };
  const any = new Set<string>();
  for (const [policy, workload] of pairs) {
    const key = byName.get(policy);
    if (key === undefined) throw new Error(`unexpected policy in a peer's output: ${policy}`);
    sets[key].add(workload);
    any.add(workload);
  }
  return {
    registries: sets.registries.size,
    latest: sets.latest.size,
    digest: sets.digest.size,
    any: any.size,
  };
}

/** `customs check -o json`: `results[]` with `violations[].policy`. */
export function* customsPairs(out: string): Iterable<[string, string]> {
  const doc = JSON.parse(out) as {
    results: Array<{
      kind: string;
      namespace?: string;
      name: string;
      violations?: Array<{ policy: string }>;
    }>;
  };
  for (const r of doc.results)
    for (const v of r.violations ?? []) yield [v.policy, `${r.kind}/${r.namespace}/${r.name}`];
}

/**
 * `kyverno apply` (its default output, as a user runs it): for each policy and resource with
 * a failing rule, a line `policy NAME -> resource NAMESPACE/KIND/NAME failed:` followed by
 * the rules' messages.
 */
export function* kyvernoPairs(out: string): Iterable<[string, string]> {
  for (const line of out.split("\n")) {
    if (!line.startsWith("policy ") || !line.endsWith(" failed:")) continue;
    const arrow = line.indexOf(" -> resource ");
    if (arrow < 0) continue;
    const [ns, kind, name] = line.slice(arrow + 13, -" failed:".length).split("/");
    yield [line.slice("policy ".length, arrow), `${kind}/${ns}/${name}`];
  }
}

/**
 * `gator test` (its default output): one line per violation,
 * `APIVERSION/KIND NAMESPACE/NAME: ["CONSTRAINT"] Message: "…"`, naming the workload a Pod
 * was expanded from.
 */
export function* gatorPairs(out: string): Iterable<[string, string]> {
  for (const line of out.split("\n")) {
    const at = line.indexOf(': ["');
    if (at < 0) continue;
    const end = line.indexOf('"]', at);
    const [gvk, nsName] = line.slice(0, at).split(" ");
    if (gvk === undefined || nsName === undefined || end < 0) continue;
    const kind = gvk.slice(gvk.lastIndexOf("/") + 1);
    const [ns, name] = nsName.split("/");
    yield [line.slice(at + 4, end), `${kind}/${ns}/${name}`];
  }
}

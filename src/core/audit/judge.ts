/** One workload judged for the audit: its Decision turned into a result per policy. */
import {
  type Evaluator,
  imagesNeedingFacts,
  isSupplyPolicy,
  type NamespaceFacts,
  type PullSecretFacts,
} from "../evaluate/index.js";
import type { InventoryWorkload } from "../fleet/inventory.js";
import type { Workload } from "../workload/index.js";
import { type AuditResult, auditResults } from "./results.js";

/** Supply-chain facts the audit may use: only those already cached, never fetched. */
export interface CachedSupply {
  /** The evaluator wrapped with the cached facts (withSupplyFacts). */
  readonly evaluator: Evaluator;
  /** Whether the facts of this image are in the cache. */
  has(image: string): boolean;
}

export const SUPPLY_NOT_CACHED =
  "the supply-chain facts of this workload's images are not cached; the audit never fetches them (admission decides them)";

const CONTAINER_TYPE = {
  containers: "container",
  initContainers: "initContainer",
  ephemeralContainers: "ephemeralContainer",
} as const;

/** The workload's containers as the inventory lists them (those with an image). */
export function inventoryContainers(
  w: Pick<Workload, "containers">,
): InventoryWorkload["containers"] {
  return w.containers
    .filter((c) => c.image !== undefined)
    .map((c) => ({
      name: c.container,
      image: c.image as string,
      type: CONTAINER_TYPE[c.containerType],
    }));
}

/**
 * The results of `w` (a pod template or a bare Pod) in namespace `ns`: every applicable
 * policy decided on the image references and the pod spec; supply-chain policies decided on
 * cached facts when `supply` has all of them for the images they check, `skip` otherwise.
 */
export function judgeWorkload(
  evaluator: Evaluator,
  ns: NamespaceFacts,
  w: Workload,
  supply?: CachedSupply,
  pullSecrets?: PullSecretFacts,
): AuditResult[] {
  const policies = evaluator.applicable(ns);
  if (policies.length === 0) return [];
  const context = {
    kind: w.kind,
    name: w.name,
    imagePullSecrets: w.imagePullSecrets,
    ...(pullSecrets !== undefined ? { pullSecrets } : {}),
  };
  const skipped = new Map<string, string>();
  let decide = evaluator;
  if (policies.some(isSupplyPolicy)) {
    const needed = imagesNeedingFacts(evaluator, policies, w.containers);
    if (supply !== undefined && needed.every((i) => supply.has(i))) decide = supply.evaluator;
    else if (needed.length > 0) {
      for (const p of policies)
        if (isSupplyPolicy(p)) skipped.set(p.policy.name, SUPPLY_NOT_CACHED);
    }
  }
  const decision = decide.evaluate(ns, w.containers, context);
  return auditResults(
    policies.map((p) => ({ name: p.policy.name, action: p.policy.action })),
    decision,
    skipped,
  );
}

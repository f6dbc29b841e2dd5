/**
 * The top owner as the audit reports it (InventoryWorkload.kind): owner.ts's workloadOwner,
 * limited to the kinds a workload can be. Pure: the caller passes what it read of the
 * object and, for Jobs, what it knows of their owners.
 */
import { workloadOwner } from "./owner.js";

/** The kinds a workload is reported as (InventoryWorkload.kind). */
export type OwnerKind =
  | "Deployment"
  | "StatefulSet"
  | "DaemonSet"
  | "CronJob"
  | "Job"
  | "Pod"
  | "ReplicaSet"
  | "ReplicationController";

export const OWNER_KINDS: readonly OwnerKind[] = [
  "Deployment",
  "StatefulSet",
  "DaemonSet",
  "CronJob",
  "Job",
  "Pod",
  "ReplicaSet",
  "ReplicationController",
];

export interface OwnerReference {
  readonly apiVersion?: string;
  readonly kind: string;
  readonly name: string;
  readonly uid?: string;
  readonly controller?: boolean;
}

/** What owner resolution reads of an object (a Pod, a ReplicaSet, a Job, ...). */
export interface OwnedObject {
  readonly kind: string;
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly ownerReferences?: readonly OwnerReference[];
}

export interface TopOwner {
  readonly kind: OwnerKind;
  readonly name: string;
}

/** The label the Deployment controller puts on its ReplicaSets and their Pods. */
export const POD_TEMPLATE_HASH_LABEL = "pod-template-hash";

export function isOwnerKind(kind: string): kind is OwnerKind {
  return (OWNER_KINDS as readonly string[]).includes(kind);
}

/**
 * The controller ownerReference, if any. Kubernetes allows at most one; a malformed list
 * with several is read by its first, as the garbage collector does.
 */
export function controllerOf(o: OwnedObject): OwnerReference | undefined {
  return o.ownerReferences?.find(
    (r) => r.controller === true && typeof r.kind === "string" && typeof r.name === "string",
  );
}

/**
 * The top owner of `o`:
 * - controlled by ReplicaSet `<deployment>-<pod-template-hash>` (the object's
 *   `pod-template-hash` label): Deployment `<deployment>`;
 * - controlled by a Job that `cronJobOf` names a CronJob for (the Job's own controller
 *   ownerReference, which only the Job carries): that CronJob;
 * - controlled by any other kind a workload can be: that kind and name;
 * - no controller, or a controller of a kind Customs cannot read a pod template of (an
 *   operator's custom resource): the object itself, judged by its own spec.
 *
 * A ReplicaSet or Job passed itself resolves the same way through its own ownerReferences
 * (the hash label of a Deployment's ReplicaSet is on the ReplicaSet as on its Pods).
 */
export function resolveOwner(
  o: OwnedObject,
  cronJobOf: (jobName: string) => string | undefined = () => undefined,
): TopOwner {
  const self = (): TopOwner =>
    isOwnerKind(o.kind) ? { kind: o.kind, name: o.name } : { kind: "Pod", name: o.name };
  const owner = workloadOwner(
    o.kind,
    {
      metadata: { name: o.name, labels: o.labels ?? {}, ownerReferences: o.ownerReferences ?? [] },
    },
    (_namespace, job) => {
      const cronJob = cronJobOf(job);
      return cronJob === undefined ? undefined : { kind: "CronJob", name: cronJob };
    },
  );
  // A controller of a kind with no pod template Customs reads (an operator's resource), or a
  // Pod claiming to own a Pod: the object itself is judged by its own spec.
  if (owner.kind === "Pod" || !isOwnerKind(owner.kind)) return self();
  return { kind: owner.kind, name: owner.name };
}

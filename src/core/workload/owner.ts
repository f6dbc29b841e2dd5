/**
 * Which workload a running object belongs to: the top owner whose pod template an audit
 * judges and under which admission events are grouped. Pure: the caller passes what it read
 * of the object and, for Jobs, what it knows of their owners.
 */

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

export interface WorkloadOwner {
  readonly kind: OwnerKind;
  readonly name: string;
}

/** The label the Deployment controller puts on its ReplicaSets and their Pods. */
export const POD_TEMPLATE_HASH_LABEL = "pod-template-hash";

function isOwnerKind(kind: string): kind is OwnerKind {
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
 * The Deployment a ReplicaSet name stands for: `<deployment>-<pod-template-hash>`. Only when
 * the hash is known (the Pod's or ReplicaSet's label) and the name ends with it, so a
 * ReplicaSet that merely has a dash in its name is never taken for a Deployment's.
 */
function deploymentOfReplicaSet(rsName: string, hash: string | undefined): string | undefined {
  if (hash === undefined || hash === "") return undefined;
  const suffix = `-${hash}`;
  if (!rsName.endsWith(suffix) || rsName.length === suffix.length) return undefined;
  return rsName.slice(0, -suffix.length);
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
): WorkloadOwner {
  const self = (): WorkloadOwner =>
    isOwnerKind(o.kind) ? { kind: o.kind, name: o.name } : { kind: "Pod", name: o.name };
  const controller = controllerOf(o);
  if (controller === undefined) return self();
  const { kind, name } = controller;
  if (kind === "ReplicaSet") {
    const deployment = deploymentOfReplicaSet(name, o.labels?.[POD_TEMPLATE_HASH_LABEL]);
    return deployment === undefined
      ? { kind: "ReplicaSet", name }
      : { kind: "Deployment", name: deployment };
  }
  if (kind === "Job") {
    const cronJob = cronJobOf(name);
    return cronJob === undefined ? { kind: "Job", name } : { kind: "CronJob", name: cronJob };
  }
  if (kind === "Pod" || !isOwnerKind(kind)) return self();
  return { kind, name };
}

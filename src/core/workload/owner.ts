/**
 * The workload a running object belongs to, as people name it: the Deployment, not the
 * ReplicaSet or the Pod (docs/control-plane.md, Events). Both the background audit and
 * admission events group by it, so one `kubectl scale` is one workload, not one per Pod.
 */
import { field, isRecord } from "./read.js";

export interface WorkloadOwner {
  readonly kind: string;
  readonly name: string;
}

/** The controller ownerReference of an object's metadata, when it has one. */
function controllerOf(metadata: Record<string, unknown>): WorkloadOwner | undefined {
  const refs = field(metadata, "ownerReferences");
  if (!Array.isArray(refs)) return undefined;
  for (const ref of refs) {
    if (!isRecord(ref) || field(ref, "controller") !== true) continue;
    const kind = field(ref, "kind");
    const name = field(ref, "name");
    if (typeof kind === "string" && kind !== "" && typeof name === "string" && name !== "") {
      return { kind, name };
    }
  }
  return undefined;
}

/**
 * The top owner of an object (a Pod, a ReplicaSet, a Job…) of kind `kind`:
 * - a Pod whose controller is ReplicaSet `<deployment>-<hash>`, where `<hash>` is the Pod's
 *   `pod-template-hash` label, belongs to Deployment `<deployment>`;
 * - a Job that a CronJob controls belongs to it; a Pod whose controller is a Job belongs to
 *   that Job's CronJob when `jobOwner` knows it (the audit reads Jobs; an admission review
 *   has only the Pod, so there the Job is the owner);
 * - otherwise the controller ownerReference's kind and name;
 * - with no controller, the object itself (`name` falls back to metadata.generateName).
 * A ReplicaSet a Deployment controls is thereby the Deployment.
 */
export function workloadOwner(
  kind: string,
  object: unknown,
  jobOwner?: (namespace: string, job: string) => WorkloadOwner | undefined,
): WorkloadOwner {
  const metadata = isRecord(object) ? field(object, "metadata") : undefined;
  const meta = isRecord(metadata) ? metadata : {};
  const own = field(meta, "name");
  const generate = field(meta, "generateName");
  const self = {
    kind,
    name:
      typeof own === "string" && own !== "" ? own : typeof generate === "string" ? generate : "",
  };
  const controller = controllerOf(meta);
  if (controller === undefined) return self;
  if (kind === "Pod" && controller.kind === "ReplicaSet") {
    const labels = field(meta, "labels");
    const hash = isRecord(labels) ? field(labels, "pod-template-hash") : undefined;
    const suffix = typeof hash === "string" && hash !== "" ? `-${hash}` : undefined;
    if (
      suffix !== undefined &&
      controller.name.length > suffix.length &&
      controller.name.endsWith(suffix)
    ) {
      return { kind: "Deployment", name: controller.name.slice(0, -suffix.length) };
    }
  }
  if (controller.kind === "Job" && jobOwner !== undefined) {
    const namespace = field(meta, "namespace");
    const cron = jobOwner(typeof namespace === "string" ? namespace : "", controller.name);
    if (cron !== undefined && cron.kind === "CronJob") return cron;
  }
  return controller;
}

/**
 * The kinds that run pods, and where each keeps its pod spec (spec: Decisions). apiVersion is
 * not judged: `extensions/v1beta1` Deployments and `batch/v1beta1` CronJobs keep their pod
 * specs in the same places, and a workload that the API server would refuse harms no one.
 */
import { toJsonPointer } from "./pointer.js";

const POD_SPEC_PATHS: ReadonlyMap<string, readonly string[]> = new Map([
  ["Pod", ["spec"]],
  ["Deployment", ["spec", "template", "spec"]],
  ["ReplicaSet", ["spec", "template", "spec"]],
  ["StatefulSet", ["spec", "template", "spec"]],
  ["DaemonSet", ["spec", "template", "spec"]],
  ["Job", ["spec", "template", "spec"]],
  ["ReplicationController", ["spec", "template", "spec"]],
  ["CronJob", ["spec", "jobTemplate", "spec", "template", "spec"]],
  ["PodTemplate", ["template", "spec"]],
]);

const POD_SPEC_POINTERS: ReadonlyMap<string, string> = new Map(
  [...POD_SPEC_PATHS].map(([kind, path]) => [kind, toJsonPointer(path)]),
);

/** The workload kinds, in the order the docs list them. */
export const WORKLOAD_KINDS: readonly string[] = [...POD_SPEC_PATHS.keys()];

/** Field names from the resource to its pod spec, or undefined for a kind that runs no pods. */
export function podSpecPathOf(kind: string): readonly string[] | undefined {
  return POD_SPEC_PATHS.get(kind);
}

/** Where a kind keeps its pod spec, e.g. "/spec/template/spec"; undefined for other kinds. */
export function podSpecPointerOf(kind: string): string | undefined {
  return POD_SPEC_POINTERS.get(kind);
}

/**
 * `List` and typed lists (`DeploymentList`, what the API returns for a collection) hold
 * resources in `items`. Typed lists from the API omit each item's kind: it is the list's
 * kind without `List`.
 */
export function isListKind(kind: string): boolean {
  return kind.endsWith("List");
}

export function itemKindOf(listKind: string): string | undefined {
  return listKind === "List" ? undefined : listKind.slice(0, -"List".length);
}

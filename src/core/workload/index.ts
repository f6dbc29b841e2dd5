/**
 * Workloads out of Kubernetes manifests: every kind that runs pods, every container list, and
 * a JSON pointer to each image, so that results and SARIF can name the exact field.
 */
export { extractResources, MAX_LIST_DEPTH, MAX_RESOURCES } from "./extract.js";
export { podSpecPointerOf, WORKLOAD_KINDS } from "./kinds.js";
export { type WorkloadOwner, workloadOwner } from "./owner.js";
export { CONTAINER_TYPES } from "./pod-spec.js";
export { escapePointerSegment, parseJsonPointer, toJsonPointer } from "./pointer.js";
export {
  type PullSecretDoc,
  readPullSecret,
  readServiceAccount,
  type ServiceAccountDoc,
} from "./pull-secrets.js";
export { MAX_PROBLEMS } from "./read.js";
export type {
  ContainerImage,
  ContainerType,
  ExtractedResources,
  ManifestProblem,
  NamespaceInfo,
  Workload,
} from "./types.js";

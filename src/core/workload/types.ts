import type { PullSecretDoc, ServiceAccountDoc } from "./pull-secrets.js";

/** Where a container sits in its pod spec (spec: Decisions, "every container in its pod template"). */
export type ContainerType = "containers" | "initContainers" | "ephemeralContainers";

/** One container image of a workload, with the JSON pointer that names it in its document. */
export interface ContainerImage {
  /** The container's name; "" when the manifest gives none. */
  container: string;
  containerType: ContainerType;
  /** The image as written; undefined when the container has no `image` (legal in templates). */
  image: string | undefined;
  /** RFC 6901 pointer from the document root to the `image` field, present or not. */
  pointer: string;
  /** `imagePullPolicy` as written; undefined when absent (the API server then defaults it). */
  imagePullPolicy?: string;
}

/** A resource that runs pods, reduced to what an image policy looks at. */
export interface Workload {
  apiVersion: string;
  kind: string;
  name: string;
  /** metadata.namespace as written; the caller decides the default (`default`). */
  namespace: string | undefined;
  /** Pointer of this resource in its document: "" at the top, "/items/0" inside a List. */
  pointer: string;
  /** Pointer of its pod spec, e.g. "/spec/template/spec". */
  podSpecPointer: string;
  /** In order: containers, initContainers, ephemeralContainers. */
  containers: ContainerImage[];
  /** The names in the pod spec's `imagePullSecrets`, in order. */
  imagePullSecrets: string[];
  /** The pod spec's `serviceAccountName` (or deprecated `serviceAccount`); absent: `default`. */
  serviceAccountName?: string;
}

/** A Namespace found among the inputs: its labels feed namespace selectors. */
export interface NamespaceInfo {
  name: string;
  labels: Record<string, string>;
  pointer: string;
}

/** A field that is not what Kubernetes expects; `pointer` names that field. */
export interface ManifestProblem {
  pointer: string;
  message: string;
}

export interface ExtractedResources {
  workloads: Workload[];
  namespaces: NamespaceInfo[];
  problems: ManifestProblem[];
  /** Resources of other kinds (ConfigMap, Service, ...), which no image policy concerns. */
  skipped: number;
  /** Pull Secrets among the documents (only their registry keys; pull-secrets.ts). */
  pullSecrets?: PullSecretDoc[];
  /** ServiceAccounts among the documents, with their imagePullSecrets. */
  serviceAccounts?: ServiceAccountDoc[];
}

/**
 * The cluster inventory an agent sends the control plane after an audit pass
 * (`PUT /api/v1/agent/inventory`): every running workload with its images and its result for
 * each policy that applies to its namespace. A report is a snapshot of the whole cluster and
 * replaces the previous one.
 */

export type WorkloadResult = "pass" | "fail" | "warn" | "skip";

export interface InventoryResult {
  /** ImagePolicy name. */
  readonly policy: string;
  /**
   * fail = a deny violation, warn = warn (or audit action) violation, pass = the policy
   * applies and nothing is violated, skip = could not decide (e.g. supply facts unavailable).
   */
  readonly result: WorkloadResult;
  /** Violation code, e.g. IMAGE_REGISTRY_NOT_ALLOWED. */
  readonly code?: string;
  readonly message?: string;
  readonly container?: string;
  readonly image?: string;
}

export interface InventoryWorkload {
  readonly namespace: string;
  /**
   * The top owner (a Pod owned by a ReplicaSet owned by a Deployment is the Deployment);
   * bare Pods are Pod.
   */
  readonly kind:
    | "Deployment"
    | "StatefulSet"
    | "DaemonSet"
    | "CronJob"
    | "Job"
    | "Pod"
    | "ReplicaSet"
    | "ReplicationController";
  readonly name: string;
  readonly containers: readonly {
    readonly name: string;
    readonly image: string;
    readonly type: "container" | "initContainer" | "ephemeralContainer";
  }[];
  /** One per policy that applies to the namespace. */
  readonly results: readonly InventoryResult[];
}

export interface InventoryReport {
  /** Bundle revision the results were computed with. */
  readonly revision: number;
  /** RFC 3339. */
  readonly generatedAt: string;
  /** The WHOLE cluster: replaces the previous report. */
  readonly workloads: readonly InventoryWorkload[];
}

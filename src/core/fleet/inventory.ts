export type WorkloadResult = "pass" | "fail" | "warn" | "skip";
export interface InventoryResult {
  readonly policy: string; // ImagePolicy name
  readonly result: WorkloadResult; // fail = a deny violation, warn = warn (or audit action) violation, pass = the policy applies and nothing is violated, skip = could not decide (e.g. supply facts unavailable)
  readonly code?: string; // violation code, e.g. IMAGE_REGISTRY_NOT_ALLOWED
  readonly message?: string;
  readonly container?: string;
  readonly image?: string;
}
export interface InventoryWorkload {
  readonly namespace: string;
  readonly kind:
    | "Deployment"
    | "StatefulSet"
    | "DaemonSet"
    | "CronJob"
    | "Job"
    | "Pod"
    | "ReplicaSet"
    | "ReplicationController"; // the top owner (a Pod owned by a ReplicaSet owned by a Deployment is the Deployment); bare Pods are Pod
  readonly name: string;
  readonly containers: readonly {
    readonly name: string;
    readonly image: string;
    readonly type: "container" | "initContainer" | "ephemeralContainer";
  }[];
  readonly results: readonly InventoryResult[]; // one per policy that applies to the namespace
}
export interface InventoryReport {
  readonly revision: number; // bundle revision the results were computed with
  readonly generatedAt: string; // RFC 3339
  readonly workloads: readonly InventoryWorkload[]; // the WHOLE cluster: replaces the previous report
}

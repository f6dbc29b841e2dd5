/**
 * A PolicyTest document (`customs-test.yaml`): policies and resources to decide offline, and
 * the results expected of each resource and policy (docs/policy-tests.md).
 */

export const POLICY_TEST_API_VERSION = "customs.dev/v1alpha1";
export const POLICY_TEST_KIND = "PolicyTest";

/** What one policy did to one resource (or one of its containers). */
export const POLICY_RESULTS = ["pass", "fail", "skip", "exempt"] as const;
export type PolicyResult = (typeof POLICY_RESULTS)[number];

/** The workload's overall verdict, as `customs check` gives it. */
export const WORKLOAD_RESULTS = ["allow", "warn", "deny"] as const;
export type WorkloadResult = (typeof WORKLOAD_RESULTS)[number];

export type ExpectedResult = PolicyResult | WorkloadResult;

/** `KIND/NAMESPACE/NAME`, or `KIND/NAME` for a workload in `default`. */
export interface ResourceId {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

export interface Expectation {
  /** Where it is in the test file, for messages: `results[3]`. */
  readonly path: string;
  readonly resource: ResourceId;
  /** Absent: the expectation is about the workload's verdict. */
  readonly policy?: string;
  readonly result: ExpectedResult;
  readonly code?: string;
  readonly container?: string;
}

export interface PolicyTest {
  readonly name: string;
  /** Paths as written, relative to the test file. */
  readonly policies: readonly string[];
  readonly resources: readonly string[];
  /** Labels of namespaces that are not given as resources. */
  readonly namespaces: ReadonlyMap<string, Readonly<Record<string, string>>>;
  readonly cluster?: string;
  /** Milliseconds since the epoch: the clock of expiries and image ages. */
  readonly now?: number;
  readonly facts?: string;
  /** As `--tag-handling` of `customs check`. */
  readonly tagHandling?: "pin" | "refuse";
  readonly results: readonly Expectation[];
}

/** The namespace `KIND/NAME` resources are in, as kubectl applies them. */
export const DEFAULT_TEST_NAMESPACE = "default";

export function formatResourceId(id: ResourceId): string {
  return `${id.kind}/${id.namespace}/${id.name}`;
}

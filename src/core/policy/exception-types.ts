/**
 * ImagePolicyException: the one deliberate way to turn a violation into an allow (spec:
 * Decisions). Scoped like an ImagePolicy, always with a reason, an owner and an expiry, and
 * named in every decision it touches.
 */

import type { DocumentOrigin, LabelSelector, PolicyScope } from "./types.js";

export const EXCEPTION_KIND = "ImagePolicyException";

/** `policies: ["*"]`: the exception relaxes every policy. */
export const ALL_POLICIES = "*";

/** A workload an exception covers: `kind` exact (any kind when absent), `name` a pattern. */
export interface WorkloadMatch {
  readonly kind?: string;
  readonly name: string;
}

export interface ImagePolicyException {
  readonly name: string;
  /** Policy names, or `["*"]` for every policy. */
  readonly policies: readonly string[];
  readonly scope: PolicyScope;
  readonly namespaceSelector: LabelSelector | undefined;
  /** Patterns on the normalized image with its implied tag; empty = not checked. */
  readonly images: readonly string[];
  /** Empty = not checked. */
  readonly workloads: readonly WorkloadMatch[];
  readonly reason: string;
  readonly owner: string;
  /** As written: `2027-01-31` or an RFC 3339 date-time. */
  readonly expires: string;
  /** The first instant (ms since the epoch) at which the exception no longer applies. */
  readonly expiresAt: number;
  readonly origin: DocumentOrigin | undefined;
}

/** Does the exception relax this policy? */
export function relaxesPolicy(exception: ImagePolicyException, policy: string): boolean {
  return exception.policies.includes(ALL_POLICIES) || exception.policies.includes(policy);
}

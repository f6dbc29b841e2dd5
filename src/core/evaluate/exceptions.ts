import {
  type CompiledException,
  type CompiledPolicySet,
  exceptionCovers,
} from "../policy/index.js";
import { applicability, type NamespaceFacts, workspacesOf } from "./scope.js";
import type { Exemption, Violation, WorkloadContext } from "./types.js";

/**
 * Violations no exception ever exempts: an image Customs cannot read (or a container without
 * one) is not the image an exception was written for, so Customs fails closed.
 */
const NEVER_EXEMPTED: ReadonlySet<Violation["code"]> = new Set([
  "IMAGE_REFERENCE_INVALID",
  "IMAGE_MISSING",
]);

export interface ExemptionResult {
  readonly violations: readonly Violation[];
  readonly exempted: readonly Exemption[];
}

/** The exceptions whose scope (and namespaceSelector) takes in this namespace. */
export function exceptionsInScope(
  set: CompiledPolicySet,
  ns: NamespaceFacts,
): readonly CompiledException[] {
  const all = set.exceptions;
  if (all === undefined || all.length === 0) return [];
  const workspaces = workspacesOf(set, ns);
  return all.filter((e) => applicability({ policy: e.exception }, ns, workspaces).applies);
}

/**
 * Moves the violations that an exception covers out of `violations` into `exempted`. Pure:
 * `now` (ms since the epoch) comes from the caller, and an exception expired at `now`
 * applies to nothing. The first exception in load order that covers a violation is the one
 * named.
 */
export function exemptViolations(
  exceptions: readonly CompiledException[],
  violations: readonly Violation[],
  workload: WorkloadContext | undefined,
  now: number,
): ExemptionResult {
  const live = exceptions.filter((e) => e.exception.expiresAt > now);
  if (live.length === 0 || violations.length === 0) return { violations, exempted: [] };
  const kept: Violation[] = [];
  const exempted: Exemption[] = [];
  for (const v of violations) {
    const by = NEVER_EXEMPTED.has(v.code)
      ? undefined
      : live.find(
          (e) =>
            (e.policies === undefined || e.policies.has(v.policy)) &&
            exceptionCovers(e, v.normalizedImage, workload),
        );
    if (by === undefined) kept.push(v);
    else exempted.push({ ...v, exception: by.exception.name, expires: by.exception.expires });
  }
  return { violations: kept, exempted };
}

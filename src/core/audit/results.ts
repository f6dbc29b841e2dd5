/**
 * A workload's result for each policy that applies to its namespace, out of one Decision:
 * what the background audit reports (PolicyReports, the control plane's inventory).
 */
import type { Decision, Violation } from "../evaluate/index.js";
import { INVENTORY_LIMITS, type InventoryResult, type WorkloadResult } from "../fleet/inventory.js";
import type { Action } from "../policy/index.js";

/** What the results need of an applicable policy. */
export interface ApplicablePolicy {
  readonly name: string;
  readonly action: Action;
}

/** An InventoryResult with the action that decided it (PolicyReport severities read it). */
export interface AuditResult extends InventoryResult {
  readonly action: Action;
  /** How many violations of this policy the workload has (0 for pass and skip). */
  readonly violations: number;
}

/** Violations of one policy beyond this many are counted, not spelled out, in a message. */
export const MAX_MESSAGES = 3;

const RESULT_OF: Record<Action, WorkloadResult> = { deny: "fail", warn: "warn", audit: "warn" };
const RANK: Record<WorkloadResult, number> = { pass: 0, skip: 1, warn: 2, fail: 3 };

/** `fail` for deny, `warn` for warn and audit: an audit-action policy never fails a workload. */
export function resultOfAction(action: Action): WorkloadResult {
  return RESULT_OF[action];
}

function messageOf(violations: readonly Violation[]): string {
  const shown = violations.slice(0, MAX_MESSAGES).map((v) => v.message);
  const more = violations.length - shown.length;
  return more > 0 ? `${shown.join("; ")}; and ${more} more` : shown.join("; ");
}

/**
 * One result per applicable policy, in the policies' order:
 * - `skip` when the policy is in `skipped` (the caller could not decide it, e.g. its
 *   supply-chain facts are not cached), with that reason as the message;
 * - otherwise the worst of its violations (`fail` over `warn`), its message listing the
 *   first few, code, container and image those of the first of the worst;
 * - `pass` when it has none left after exceptions (an exempted violation passes, and says
 *   which exception exempted it).
 */
export function auditResults(
  policies: readonly ApplicablePolicy[],
  decision: Decision,
  skipped: ReadonlyMap<string, string> = new Map(),
): AuditResult[] {
  const byPolicy = new Map<string, Violation[]>();
  for (const v of decision.violations) {
    const list = byPolicy.get(v.policy);
    if (list === undefined) byPolicy.set(v.policy, [v]);
    else list.push(v);
  }
  const exemptedBy = new Map<string, string>();
  for (const e of decision.exempted ?? []) {
    if (!exemptedBy.has(e.policy)) exemptedBy.set(e.policy, e.exception);
  }
  const out: AuditResult[] = [];
  const seen = new Set<string>();
  for (const p of policies) {
    // A widened allowlist and its extensions share one name: one result per name.
    if (seen.has(p.name)) continue;
    seen.add(p.name);
    const reason = skipped.get(p.name);
    const violations = byPolicy.get(p.name);
    if (violations === undefined || violations.length === 0) {
      if (reason !== undefined) {
        out.push({
          policy: p.name,
          result: "skip",
          message: reason,
          action: p.action,
          violations: 0,
        });
        continue;
      }
      const exception = exemptedBy.get(p.name);
      out.push({
        policy: p.name,
        result: "pass",
        ...(exception !== undefined
          ? { message: `exempted by ImagePolicyException "${exception}"` }
          : {}),
        action: p.action,
        violations: 0,
      });
      continue;
    }
    let worst = violations[0] as Violation;
    for (const v of violations) {
      if (RANK[resultOfAction(v.action)] > RANK[resultOfAction(worst.action)]) worst = v;
    }
    const ordered = [worst, ...violations.filter((v) => v !== worst)];
    out.push({
      policy: p.name,
      result: resultOfAction(worst.action),
      code: worst.code,
      message: messageOf(ordered),
      ...(worst.container !== "" ? { container: worst.container } : {}),
      ...(worst.image !== "" ? { image: worst.image } : {}),
      action: worst.action,
      violations: violations.length,
    });
  }
  return out;
}

/**
 * The contract's InventoryResult (no action, no count), its strings cut to what the control
 * plane accepts (a report with one longer string would be refused whole).
 */
export function toInventoryResult(r: AuditResult): InventoryResult {
  const { action: _action, violations: _count, ...rest } = r;
  const max = INVENTORY_LIMITS.maxString;
  if (rest.message === undefined || rest.message.length <= max) return rest;
  return { ...rest, message: `${rest.message.slice(0, max - 1)}…` };
}

import type { ViolationCode } from "../errors.js";
import type { Action } from "../policy/index.js";

/**
 * Why one supply-chain policy fails one image. As with RecipeFailure, the message reads
 * `image "X" (normalized) <verb> policy "P" (scope, action): <reason>`. `action` overrides
 * the policy's action (a missing report that the policy only warns about).
 */
export interface SupplyFailure {
  readonly code: ViolationCode;
  readonly verb: string;
  readonly reason: string;
  readonly action?: Action;
}

/** Which groups of facts a set of policies needs, so sources that no policy needs are not asked. */
export interface FactNeeds {
  readonly signatures: boolean;
  readonly attestations: boolean;
  readonly metadata: boolean;
  readonly vulnerabilities: boolean;
}

export const NO_NEEDS: FactNeeds = {
  signatures: false,
  attestations: false,
  metadata: false,
  vulnerabilities: false,
};

/** Lists at most `max` items, then how many more: `CVE-1, CVE-2 and 3 more`. */
export function listSome(items: readonly string[], max = 5): string {
  if (items.length <= max) return items.join(", ");
  return `${items.slice(0, max).join(", ")} and ${items.length - max} more`;
}

export const quoteAll = (items: readonly string[]) => items.map((s) => `"${s}"`).join(", ");

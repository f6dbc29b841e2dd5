import {
  type Evaluator,
  factNeeds,
  isSupplyPolicy,
  type TagRule,
  withSupplyFacts,
} from "../../core/evaluate/index.js";
import type { Authority, CompiledPolicy, CompiledPolicySet } from "../../core/policy/index.js";
import type { ImageFacts } from "../../core/supply/facts.js";
import type { FactRequest, ImageFactsProvider } from "./facts.js";

/** How the CLI and the webhook fetch facts for supply-chain policies. */
export interface SupplyContext {
  readonly provider: ImageFactsProvider;
  readonly now: () => number;
  /** How long fetching the facts of one review (or one `customs check`) may take. */
  readonly budgetMs: number;
  /** What images named by tag become: decided on their digest now, or TAG_NOT_PINNED. */
  readonly tags: TagRule;
  /**
   * The facts already cached for an image, never fetched (the background audit's view of the
   * same cache); absent where no cache is kept.
   */
  readonly peek?: (image: string, request: FactRequest) => ImageFacts | undefined;
}

/** What a policy set needs fetched; `undefined` when no policy uses a supply-chain recipe. */
export function factRequestOf(set: CompiledPolicySet): FactRequest | undefined {
  return factRequestFor(set.policies);
}

/** What some policies (those that apply to a namespace) need fetched, if anything. */
export function factRequestFor(policies: readonly CompiledPolicy[]): FactRequest | undefined {
  const supply = policies.filter(isSupplyPolicy);
  if (supply.length === 0) return undefined;
  const authorities: Authority[] = [];
  for (const p of supply) {
    const input = p.policy.supply;
    if (input?.recipe === "require-signature" || input?.recipe === "require-provenance") {
      authorities.push(...input.authorities);
    }
  }
  return { needs: factNeeds(supply), authorities };
}

export interface SupplyDecisionContext {
  /** Decides reference and supply-chain recipes on the fetched facts. */
  readonly evaluator: Evaluator;
  /** Images decided on last-known-good facts (their source was unreachable). */
  readonly degraded: readonly string[];
}

/**
 * Fetches, in parallel and within the budget, the facts of every image that supply-chain
 * policies will check, then wraps the evaluator to decide on them. Images no supply policy
 * checks are not fetched.
 */
export async function withFetchedFacts(
  base: Evaluator,
  request: FactRequest,
  images: readonly string[],
  ctx: SupplyContext,
): Promise<SupplyDecisionContext> {
  const deadline = ctx.now() + ctx.budgetMs;
  const facts = new Map<string, ImageFacts>();
  await Promise.all(
    images.map(async (image) => {
      facts.set(image, await ctx.provider.factsFor(image, request, deadline));
    }),
  );
  const degraded = [...facts].filter(([, f]) => f.degraded === true).map(([i]) => i);
  return { evaluator: withSupplyFacts(base, (i) => facts.get(i), ctx.now(), ctx.tags), degraded };
}

/**
 * The facts budget of one admission review: the webhook's timeoutSeconds less what decoding,
 * deciding and the network need, so that the API server gets an answer (a refusal naming
 * SOURCE_TIMEOUT at worst) before it gives up and applies its failurePolicy.
 */
export function factsBudgetMs(timeoutSeconds: number): number {
  return Math.max(250, timeoutSeconds * 1000 - 1500);
}

import { type Evaluator, type NamespaceFacts, withSupplyFacts } from "../../core/evaluate/index.js";
import type { ImageFacts } from "../../core/supply/facts.js";
import { factRequestFor, type SupplyContext } from "./review.js";

/** What the background audit decides supply-chain policies with (core/audit CachedSupply). */
export interface AuditSupply {
  readonly evaluator: Evaluator;
  has(image: string): boolean;
}

/**
 * The audit's supply-chain facts in namespace `ns`: those the admission path has cached, read
 * with the same request (so the same cache keys) admission uses for that namespace, never
 * fetched. Undefined when no supply-chain policy applies there or the context keeps no cache.
 */
export function cachedSupplyFor(
  supply: SupplyContext,
  evaluator: Evaluator,
  ns: NamespaceFacts,
  now: number,
): AuditSupply | undefined {
  const peek = supply.peek;
  if (peek === undefined) return undefined;
  const request = factRequestFor(evaluator.applicable(ns));
  if (request === undefined) return undefined;
  const seen = new Map<string, ImageFacts | undefined>();
  const factsOf = (image: string) => {
    if (!seen.has(image)) seen.set(image, peek(image, request));
    return seen.get(image);
  };
  return {
    evaluator: withSupplyFacts(evaluator, factsOf, now, supply.tags),
    has: (image) => factsOf(image) !== undefined,
  };
}

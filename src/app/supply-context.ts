import type { RegistryClient } from "../adapters/registry/index.js";
import { FactCache } from "./supply-cache.js";
import { FactsGatherer } from "./supply-facts.js";
import { registrySource } from "./supply-registry.js";
import { factsBudgetMs, type SupplyContext } from "./supply-review.js";

export interface WebhookSupplyOptions {
  /** The webhook configuration's timeoutSeconds (1 to 30). */
  readonly timeoutSeconds: number;
  readonly ttlMs: number;
  readonly negativeTtlMs: number;
  /** Last-known-good window; 0 disables it. */
  readonly graceMs: number;
}

/** How the webhook fetches supply-chain facts: the registry client, a cache, the budget. */
export function webhookSupplyContext(
  client: RegistryClient,
  options: WebhookSupplyOptions,
): SupplyContext {
  const cache = new FactCache({
    ttlMs: options.ttlMs,
    negativeTtlMs: options.negativeTtlMs,
    graceMs: options.graceMs,
  });
  const provider = new FactsGatherer({ registry: registrySource(client), cache });
  return { provider, now: Date.now, budgetMs: factsBudgetMs(options.timeoutSeconds) };
}

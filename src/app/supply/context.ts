import type { HarborOptions } from "../../adapters/harbor/index.js";
import type { RegistryClient } from "../../adapters/registry/index.js";
import type { TagHandling } from "../../core/policy/index.js";
import type { ImageFacts } from "../../core/supply/facts.js";
import { FactCache } from "./cache.js";
import { type FactRequest, FactsGatherer, type ImageFactsProvider } from "./facts.js";
import { harborReports } from "./harbor.js";
import { peekFacts } from "./peek.js";
import { registrySource } from "./registry.js";
import { factsBudgetMs, type SupplyContext } from "./review.js";
import { cosignSources } from "./sources.js";

export interface WebhookSupplyOptions {
  /** The webhook configuration's timeoutSeconds (1 to 30). */
  readonly timeoutSeconds: number;
  readonly ttlMs: number;
  readonly negativeTtlMs: number;
  /** Last-known-good window; 0 disables it. */
  readonly graceMs: number;
  /** A Harbor to read vulnerability reports of the images it hosts from. */
  readonly harbor?: HarborOptions;
  /** The mode of policies without `input.tagHandling` (`pin` only where /mutate runs). */
  readonly tagHandling: TagHandling;
}

/**
 * How the webhook fetches supply-chain facts: the registry client, a cache, the budget. The
 * client (and so the registry credentials) is made on the first review that needs facts, so
 * a webhook whose policies need none never reads credentials; a client that cannot be made
 * fails those reviews closed with the credentials' error code.
 */
export function webhookSupplyContext(
  makeClient: () => Promise<RegistryClient>,
  options: WebhookSupplyOptions,
): SupplyContext {
  const cache = new FactCache({
    ttlMs: options.ttlMs,
    negativeTtlMs: options.negativeTtlMs,
    graceMs: options.graceMs,
  });
  // Made now, so that a bad Harbor URL stops the webhook at start rather than failing reviews.
  const harbor = options.harbor === undefined ? undefined : harborReports(options.harbor);
  let gatherer: Promise<ImageFactsProvider> | undefined;
  const provider: ImageFactsProvider = {
    async factsFor(image: string, request: FactRequest, deadline: number): Promise<ImageFacts> {
      gatherer ??= makeClient().then(
        (client) =>
          new FactsGatherer({
            registry: registrySource(client),
            ...cosignSources(client, harbor === undefined ? {} : { harbor }),
            cache,
          }),
      );
      let ready: ImageFactsProvider;
      try {
        ready = await gatherer;
      } catch (e) {
        // Tried again on the next review: the files may be fixed by then.
        gatherer = undefined;
        const why = e instanceof Error ? e.message : String(e);
        const message = `the registry client cannot be set up (credentials or CA files): ${why}`;
        return { digest: { ok: false, code: "SOURCE_NOT_CONFIGURED", message } };
      }
      return ready.factsFor(image, request, deadline);
    },
  };
  return {
    provider,
    now: Date.now,
    budgetMs: factsBudgetMs(options.timeoutSeconds),
    tags: { defaultHandling: options.tagHandling, admission: true },
    peek: (image, request) => peekFacts(cache, image, request),
  };
}

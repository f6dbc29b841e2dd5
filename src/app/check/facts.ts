import type { InputText } from "../../adapters/files/index.js";
import type { HarborOptions } from "../../adapters/harbor/index.js";
import type { RegistryClient } from "../../adapters/registry/index.js";
import type { CompiledPolicySet, TagHandling } from "../../core/policy/index.js";
import { type CheckOptions, type CheckReport, checkManifests } from "./check.js";

export interface FactsOptions {
  /** The registry client, made only when a policy needs facts. */
  readonly registry: () => Promise<RegistryClient>;
  /** How long fetching every image's facts may take in all. */
  readonly budgetMs: number;
  /** A Harbor to read vulnerability reports of the images it hosts from. */
  readonly harbor?: HarborOptions;
  /**
   * Tags in manifests checked by signature, provenance or vulnerability policies that set no
   * `tagHandling`: `pin` decides on the digest the tag names now (the webhook will pin it),
   * `refuse` reports TAG_NOT_PINNED. Default `refuse`, as a webhook without `--mutate` does.
   */
  readonly tagHandling?: TagHandling;
}

/**
 * `customs check` and the manifests check of `customs ci`: supply-chain recipes need facts
 * from registries, fetched only when a policy uses one, with the modules loaded on demand so
 * that a plain check starts as fast as before.
 */
export async function checkWithFacts(
  set: CompiledPolicySet,
  texts: readonly InputText[],
  options: CheckOptions,
  facts: FactsOptions,
): Promise<CheckReport> {
  const { factRequestOf } = await import("../supply/review.js");
  if (factRequestOf(set) === undefined) return checkManifests(set, texts, options);
  const [check, { FactsGatherer }, { registrySource }, { cosignSources }, { harborReports }] =
    await Promise.all([
      import("./check.js"),
      import("../supply/facts.js"),
      import("../supply/registry.js"),
      import("../supply/sources.js"),
      import("../supply/harbor.js"),
    ]);
  const client = await facts.registry();
  const harbor = facts.harbor === undefined ? undefined : harborReports(facts.harbor);
  const sources = cosignSources(client, harbor === undefined ? {} : { harbor });
  const provider = new FactsGatherer({ registry: registrySource(client), ...sources });
  try {
    return await check.checkManifestsWithSupply(set, texts, options, {
      provider,
      now: Date.now,
      budgetMs: facts.budgetMs,
      tags: { defaultHandling: facts.tagHandling ?? "refuse", admission: false },
    });
  } finally {
    harbor?.close();
  }
}

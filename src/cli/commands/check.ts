import type { Command } from "commander";
import type { InputText } from "../../adapters/files/index.js";
import { readInputs } from "../../adapters/files/index.js";
import { type CheckReport, checkManifests } from "../../app/check.js";
import { loadPolicySet } from "../../app/load-policies.js";
import { CustomsError } from "../../core/errors.js";
import type { CompiledPolicySet } from "../../core/policy/index.js";
import { collect, EXIT_DENIED, EXIT_OK, productVersion, write, writeJson } from "../io.js";
import { toCheckHuman } from "../output/check-human.js";
import { toCheckJson } from "../output/check-json.js";
import { toCheckSarif } from "../output/check-sarif.js";
import { createStyle } from "../output/style.js";
import { type RegistryFlags, registryOptions } from "./pin.js";

interface CheckFlags extends RegistryFlags {
  policy: string[];
  factsTimeout: string;
  output: string;
  cluster?: string;
  verbose?: boolean;
}

/**
 * Supply-chain recipes need facts from registries: fetched only when a policy uses one, with
 * the modules loaded on demand so that a plain check starts as fast as before.
 */
async function check(
  set: CompiledPolicySet,
  texts: readonly InputText[],
  flags: CheckFlags,
): Promise<CheckReport> {
  const { factRequestOf } = await import("../../app/supply-review.js");
  if (factRequestOf(set) === undefined)
    return checkManifests(set, texts, { cluster: flags.cluster });
  const budgetMs = Number(flags.factsTimeout);
  if (!Number.isInteger(budgetMs) || budgetMs <= 0) {
    throw new CustomsError(
      "USAGE",
      `--facts-timeout must be a positive number of ms, got "${flags.factsTimeout}"`,
    );
  }
  const [{ checkManifestsWithSupply }, { FactsGatherer }, { registrySource }, { clientFrom }] =
    await Promise.all([
      import("../../app/check.js"),
      import("../../app/supply-facts.js"),
      import("../../app/supply-registry.js"),
      import("./pin.js"),
    ]);
  const client = await clientFrom(flags);
  try {
    const provider = new FactsGatherer({ registry: registrySource(client) });
    return await checkManifestsWithSupply(
      set,
      texts,
      { cluster: flags.cluster },
      {
        provider,
        now: Date.now,
        budgetMs,
      },
    );
  } finally {
    client.close();
  }
}

export function registerCheck(program: Command): void {
  registryOptions(program.command("check"))
    .description("check Kubernetes manifests against image policies")
    .requiredOption(
      "-p, --policy <path>",
      "ImagePolicy/Workspace file or folder (repeatable)",
      collect,
    )
    .option("-o, --output <format>", "human, json or sarif", "human")
    .option(
      "--cluster <name>",
      "cluster the manifests are for (for CLUSTER/NAMESPACE workspace entries)",
    )
    .option("-v, --verbose", "also list allowed resources")
    .option(
      "--facts-timeout <ms>",
      "how long fetching registry facts for supply-chain policies may take in all",
      "60000",
    )
    .argument("<inputs...>", "manifest files, folders, or - for standard input")
    .action(async (inputs: string[], flags: CheckFlags) => {
      if (!["human", "json", "sarif"].includes(flags.output)) {
        throw new CustomsError(
          "USAGE",
          `--output must be human, json or sarif, got "${flags.output}"`,
        );
      }
      const { set } = loadPolicySet(await readInputs(flags.policy));
      const report = await check(set, await readInputs(inputs), flags);
      if (flags.output === "json") writeJson(toCheckJson(report));
      else if (flags.output === "sarif") writeJson(toCheckSarif(report, productVersion()));
      else write(toCheckHuman(report, createStyle(process.stdout), flags.verbose));
      process.exitCode = report.summary.denied > 0 ? EXIT_DENIED : EXIT_OK;
    });
}

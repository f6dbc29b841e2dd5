import type { Command } from "commander";
import { readInputs } from "../../adapters/files/index.js";
import { checkManifests } from "../../app/check.js";
import { loadPolicySet } from "../../app/load-policies.js";
import { CustomsError } from "../../core/errors.js";
import { collect, EXIT_DENIED, EXIT_OK, productVersion, write, writeJson } from "../io.js";
import { toCheckHuman } from "../output/check-human.js";
import { toCheckJson } from "../output/check-json.js";
import { toCheckSarif } from "../output/check-sarif.js";
import { createStyle } from "../output/style.js";

interface CheckFlags {
  policy: string[];
  output: string;
  cluster?: string;
  verbose?: boolean;
}

export function registerCheck(program: Command): void {
  program
    .command("check")
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
    .argument("<inputs...>", "manifest files, folders, or - for standard input")
    .action(async (inputs: string[], flags: CheckFlags) => {
      if (!["human", "json", "sarif"].includes(flags.output)) {
        throw new CustomsError(
          "USAGE",
          `--output must be human, json or sarif, got "${flags.output}"`,
        );
      }
      const { set } = loadPolicySet(await readInputs(flags.policy));
      const report = checkManifests(set, await readInputs(inputs), { cluster: flags.cluster });
      if (flags.output === "json") writeJson(toCheckJson(report));
      else if (flags.output === "sarif") writeJson(toCheckSarif(report, productVersion()));
      else write(toCheckHuman(report, createStyle(process.stdout), flags.verbose));
      process.exitCode = report.summary.denied > 0 ? EXIT_DENIED : EXIT_OK;
    });
}

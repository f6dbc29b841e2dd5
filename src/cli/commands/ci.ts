import type { Command } from "commander";
import type { RegistryClient } from "../../adapters/registry/index.js";
import {
  addFindingsOptions,
  clientFrom,
  type FactsFlags,
  type FindingsFlags,
  factsOptions,
  parseFactsFlags,
  parseFindingsFlags,
  type RegistryFlags,
  registryOptions,
} from "../flags/index.js";
import { examples } from "../help.js";
import { emitFindings } from "../output/findings.js";

interface CiFlags extends Omit<FindingsFlags, "failOn">, RegistryFlags, FactsFlags {
  config: string;
  failOn?: string;
}

export function registerCi(program: Command): void {
  const command = program
    .command("ci")
    .description(
      "run the checks customs.yaml lists (manifests, Dockerfiles, secrets, vulnerabilities)",
    )
    .option("-c, --config <file>", "the CI config", "customs.yaml");
  // No default --fail-on here: customs.yaml's failOn applies unless the flag is given.
  addFindingsOptions(registryOptions(factsOptions(command, 120_000)));
  examples(command, [
    ["run the checks customs.yaml lists", "customs ci"],
    ["annotations on a GitHub pull request", "customs ci -o github"],
    [
      "fail only on critical findings, and keep a SARIF file",
      "customs ci --fail-on critical --report sarif=customs.sarif",
    ],
  ]);
  command.action(async (flags: CiFlags) => {
    const { budgetMs: factsBudgetMs, tagHandling } = parseFactsFlags(flags);
    const { loadCiConfig, runCiChecks } = await import("../../app/ci/index.js");
    const { CI_RUNNERS } = await import("../../app/ci/index.js");
    const loaded = await loadCiConfig(flags.config);
    for (const w of loaded.warnings) process.stderr.write(`customs: warning: ${w}\n`);
    const chosen = flags.failOn ?? loaded.config.failOn ?? "high";
    const parsed = parseFindingsFlags({ ...flags, failOn: chosen });
    // Checks run at once and may ask for the client together: one client, made once.
    let client: RegistryClient | undefined;
    let made: Promise<RegistryClient> | undefined;
    const registry = () => {
      made ??= clientFrom(flags).then((c) => {
        client = c;
        return c;
      });
      return made;
    };
    const { harborOptionsFrom } = await import("../../app/supply/harbor.js");
    const harbor = await harborOptionsFrom(flags);
    const context = {
      registry,
      factsBudgetMs,
      ...(tagHandling === undefined ? {} : { tagHandling }),
      ...(harbor === undefined ? {} : { harbor }),
    };
    try {
      emitFindings(await runCiChecks(loaded.config, loaded.base, CI_RUNNERS, context), parsed);
    } finally {
      client?.close();
    }
  });
}

import type { Command } from "commander";
import type { RegistryClient } from "../../adapters/registry/index.js";
import { parseMs, parseTagHandling } from "../io.js";
import {
  addFindingsOptions,
  emitFindings,
  type FindingsFlags,
  parseFindingsFlags,
} from "../output/findings.js";
import { clientFrom, type RegistryFlags, registryOptions } from "./pin.js";

interface CiFlags extends Omit<FindingsFlags, "failOn">, RegistryFlags {
  config: string;
  failOn?: string;
  harborUrl?: string;
  harborUsername?: string;
  factsTimeout: string;
  tagHandling?: string;
}

export function registerCi(program: Command): void {
  const command = program
    .command("ci")
    .description(
      "run the checks customs.yaml lists (manifests, Dockerfiles, secrets, vulnerabilities)",
    )
    .option("-c, --config <file>", "the CI config", "customs.yaml")
    .option("--harbor-url <url>", "a Harbor to read vulnerability reports of its images from")
    .option("--harbor-username <name>", "Harbor user or robot; password in CUSTOMS_HARBOR_PASSWORD")
    .option(
      "--facts-timeout <ms>",
      "how long fetching registry facts for supply-chain policies may take in all",
      "120000",
    )
    .option(
      "--tag-handling <mode>",
      "images named by tag under signature, provenance or vulnerability policies: refuse (default) or pin",
    );
  // No default --fail-on here: customs.yaml's failOn applies unless the flag is given.
  addFindingsOptions(registryOptions(command));
  command.action(async (flags: CiFlags) => {
    const factsBudgetMs = parseMs("--facts-timeout", flags.factsTimeout);
    const tagHandling = parseTagHandling(flags.tagHandling);
    const { loadCiConfig, runCiChecks } = await import("../../app/ci/index.js");
    const { CI_RUNNERS } = await import("../../app/ci/index.js");
    const loaded = await loadCiConfig(flags.config);
    for (const w of loaded.warnings) process.stderr.write(`customs: warning: ${w}\n`);
    const chosen = flags.failOn ?? loaded.config.failOn ?? "high";
    const parsed = parseFindingsFlags({ ...flags, failOn: chosen });
    let client: RegistryClient | undefined;
    const registry = async () => {
      client ??= await clientFrom(flags);
      return client;
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

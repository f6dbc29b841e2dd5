import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { readTextFile } from "../../adapters/files/index.js";
// Types only: the registry client (and undici under it) loads when a command first talks to a
// registry, not at start-up of every command that offers these flags.
import type { CredentialStore, RegistryClient } from "../../adapters/registry/index.js";
import { collect, parseMs, parseTagHandling } from "../io.js";

/** How commands that talk to registries reach them. */
export interface RegistryFlags {
  registryConfig?: string;
  caFile?: string[];
  insecureHost?: string[];
}

/**
 * --registry-config, --ca-file, --insecure-host. `when` names the flag that makes a command
 * use the registry at all (secrets scan: --image), so the help says when they matter.
 */
export function registryOptions(command: Command, when?: string): Command {
  const suffix = when === undefined ? "" : ` (${when})`;
  return command
    .option(
      "--registry-config <file>",
      `docker config.json with registry credentials (default: $DOCKER_CONFIG/config.json or ~/.docker/config.json when present)${suffix}`,
    )
    .option("--ca-file <pem>", `extra CA certificates to trust (repeatable)${suffix}`, collect)
    .option(
      "--insecure-host <host>",
      `host[:port] spoken to without TLS verification (repeatable)${suffix}`,
      collect,
    );
}

async function credentialsFrom(flags: RegistryFlags): Promise<CredentialStore> {
  const { NO_CREDENTIALS, parseDockerConfig } = await import("../../adapters/registry/index.js");
  let path = flags.registryConfig;
  if (path === undefined) {
    const fallback = join(process.env.DOCKER_CONFIG ?? join(homedir(), ".docker"), "config.json");
    if (!existsSync(fallback)) return NO_CREDENTIALS;
    path = fallback;
  }
  return parseDockerConfig(await readTextFile(path), path);
}

/** The registry client the flags describe. */
export async function clientFrom(flags: RegistryFlags): Promise<RegistryClient> {
  const ca = await Promise.all((flags.caFile ?? []).map((p) => readTextFile(p)));
  const { RegistryClient } = await import("../../adapters/registry/index.js");
  return new RegistryClient({
    credentials: await credentialsFrom(flags),
    tls: { ca, insecureHosts: new Set((flags.insecureHost ?? []).map((h) => h.toLowerCase())) },
  });
}

/** What `check` and `ci` need to fetch supply-chain facts. */
export interface FactsFlags {
  harborUrl?: string;
  harborUsername?: string;
  factsTimeout: string;
  tagHandling?: string;
}

/** --harbor-url, --harbor-username, --facts-timeout and --tag-handling. */
export function factsOptions(command: Command, defaultTimeoutMs: number): Command {
  return command
    .option("--harbor-url <url>", "a Harbor to read vulnerability reports of its images from")
    .option("--harbor-username <name>", "Harbor user or robot; password in CUSTOMS_HARBOR_PASSWORD")
    .option(
      "--facts-timeout <ms>",
      "how long fetching registry facts for supply-chain policies may take in all",
      String(defaultTimeoutMs),
    )
    .option(
      "--tag-handling <mode>",
      "images named by tag under signature, provenance or vulnerability policies: refuse (default; TAG_NOT_PINNED) or pin (decide on the digest the tag names now, as the mutating webhook will pin it)",
    );
}

/** The facts flags checked: a typo is exit 2 before any registry is asked. */
export function parseFactsFlags(flags: FactsFlags): {
  budgetMs: number;
  tagHandling: "pin" | "refuse" | undefined;
} {
  return {
    budgetMs: parseMs("--facts-timeout", flags.factsTimeout),
    tagHandling: parseTagHandling(flags.tagHandling),
  };
}

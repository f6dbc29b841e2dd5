import type { Command } from "commander";
import type { TokenBundleOptions } from "../../adapters/registry-bundle/index.js";
import { CustomsError } from "../../core/errors.js";
import { isAccountName, parseGrantFlag } from "../../core/registry-token/index.js";
import { HUMAN_OR_JSON, type OutputFormat, outputOption } from "../flags/index.js";
import { collect, write, writeJson } from "../io.js";
import { defaultImage } from "./install.js";

/**
 * `customs registry token-server` and `customs registry account add|remove|list`
 * (docs/registry-access.md). Heavy modules load inside the actions.
 */
interface ServerFlags {
  config: string;
}

interface AddFlags {
  file: string;
  type: string;
  grant?: string[];
  secretStdin?: boolean;
  cost: string;
}

/** The `customs registry manifests` flags of `--auth token`. */
export interface TokenManifestFlags {
  auth: string;
  tokenImage?: string;
  pullAccount: string;
  pushAccount: string;
  pushRepositories: string;
  pushSecretName: string;
  accountsFile?: string;
}

export function addTokenManifestOptions(command: Command): Command {
  return command
    .option(
      "--auth <mode>",
      "htpasswd, or token: a token service with pull and push accounts",
      "htpasswd",
    )
    .option(
      "--token-image <image>",
      "image of the token service (default: ghcr.io/customs-dev/customs:VERSION)",
    )
    .option(
      "--pull-account <name>",
      "--auth token: the cluster's pull-only account",
      "cluster-pull",
    )
    .option("--push-account <name>", "--auth token: CI's push account", "ci")
    .option(
      "--push-repositories <patterns>",
      "--auth token: comma-separated repositories CI may push",
      "*",
    )
    .option(
      "--push-secret-name <name>",
      "--auth token: name of CI's push credential Secret",
      "registry-push",
    )
    .option(
      "--accounts-file <file>",
      "--auth token: more accounts, already hashed (customs registry account add writes them)",
    );
}

/** undefined for htpasswd; checks the token flags otherwise. */
export async function tokenAuthOptions(
  f: TokenManifestFlags,
  users: number,
): Promise<TokenBundleOptions | undefined> {
  if (f.auth === "htpasswd") {
    if (f.accountsFile !== undefined || f.tokenImage !== undefined)
      throw new CustomsError("USAGE", "--accounts-file and --token-image are for --auth token");
    return undefined;
  }
  if (f.auth !== "token")
    throw new CustomsError("USAGE", `--auth: "${f.auth}" is not htpasswd or token`);
  if (users > 0)
    throw new CustomsError(
      "USAGE",
      "--user is for --auth htpasswd; with --auth token the accounts are generated",
    );
  for (const [flag, name] of [
    ["--pull-account", f.pullAccount],
    ["--push-account", f.pushAccount],
  ])
    if (!isAccountName(name ?? ""))
      throw new CustomsError("USAGE", `${flag}: "${name}" is not a valid account name`);
  if (f.pullAccount === f.pushAccount)
    throw new CustomsError("USAGE", "--pull-account and --push-account must differ");
  if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(f.pushSecretName))
    throw new CustomsError(
      "USAGE",
      `--push-secret-name: "${f.pushSecretName}" is not a valid object name`,
    );
  const grant = parseGrantFlag(`${f.pushRepositories}:push`);
  const extraAccounts =
    f.accountsFile === undefined
      ? []
      : (await import("../../app/registry/index.js")).loadAccounts(f.accountsFile);
  for (const a of extraAccounts)
    if (a.name === f.pullAccount || a.name === f.pushAccount)
      throw new CustomsError(
        "USAGE",
        `--accounts-file: account "${a.name}" is the generated pull or push account; rename it`,
      );
  const { checkImage } = await import("../../adapters/registry-bundle/index.js");
  return {
    // The customs image runs the token service, the same default as `customs install`'s.
    image: checkImage("--token-image", f.tokenImage ?? defaultImage()),
    pullAccount: f.pullAccount,
    pushAccount: f.pushAccount,
    pushRepositories: grant.repositories,
    pushSecretName: f.pushSecretName,
    extraAccounts,
  };
}

async function tokenServer(f: ServerFlags): Promise<void> {
  const [{ pino }, { startTokenServer }] = await Promise.all([
    import("pino"),
    import("../../server/registry-token.js"),
  ]);
  const logger = pino({ base: { service: "customs-registry-token" } });
  const server = await startTokenServer(f.config, logger);
  process.on("SIGHUP", () => {
    try {
      server.reload();
    } catch (e) {
      logger.error({ err: e }, "reload failed; keeping the previous configuration");
    }
  });
  const stop = () => void server.stop().then(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

async function accountAdd(name: string, f: AddFlags): Promise<void> {
  const [{ readFileSync }, core, files, secrets] = await Promise.all([
    import("node:fs"),
    import("../../core/registry-token/index.js"),
    import("../../app/registry/index.js"),
    import("../../adapters/registry-token/index.js"),
  ]);
  if (!core.isAccountName(name))
    throw new CustomsError(
      "USAGE",
      `account "${name}": letters, digits, '.', '_', '@' and '-' only`,
    );
  if (f.type !== "user" && f.type !== "robot")
    throw new CustomsError("USAGE", "--type is user or robot");
  const cost = Number(f.cost);
  if (!Number.isInteger(cost) || cost < 4 || cost > 14)
    throw new CustomsError("USAGE", "--cost must be an integer from 4 to 14");
  const grants = (f.grant ?? []).map(core.parseGrantFlag);
  let secret: string;
  let generated = false;
  if (f.secretStdin) {
    secret = readFileSync(0, "utf8").replace(/\r?\n$/, "");
    if (secret === "") throw new CustomsError("USAGE", "--secret-stdin: standard input is empty");
    if (Buffer.byteLength(secret) > 72)
      throw new CustomsError("USAGE", "--secret-stdin: at most 72 bytes (bcrypt reads no more)");
  } else {
    secret = secrets.generateSecret();
    generated = true;
  }
  const existing = files.loadAccounts(f.file, true);
  const accounts = existing.filter((a) => a.name !== name);
  const replaced = accounts.length < existing.length;
  accounts.push({ name, type: f.type, secretHash: secrets.hashSecret(secret, cost), grants });
  files.saveAccounts(f.file, accounts);
  process.stderr.write(
    `customs: account ${name} ${replaced ? "replaced" : "added"} in ${f.file}\n`,
  );
  // The generated secret is shown once, on stdout only, so it can be piped into a Secret.
  if (generated) write(`${secret}\n`);
}

async function accountRemove(name: string, f: { file: string }): Promise<void> {
  const files = await import("../../app/registry/index.js");
  const accounts = files.loadAccounts(f.file);
  const kept = accounts.filter((a) => a.name !== name);
  if (kept.length === accounts.length)
    throw new CustomsError("USAGE", `account "${name}" is not in ${f.file}`);
  files.saveAccounts(f.file, kept);
  process.stderr.write(`customs: account ${name} removed from ${f.file}\n`);
}

async function accountList(f: { file: string; output: OutputFormat }): Promise<void> {
  const files = await import("../../app/registry/index.js");
  // Never the hashes: a listing is for people, and hashes can be attacked offline.
  const rows = files.loadAccounts(f.file).map((a) => ({
    name: a.name,
    type: a.type,
    grants: a.grants.map((g) => `${g.repositories.join(",")}:${g.actions.join(",")}`),
  }));
  if (f.output === "json") return writeJson(rows);
  for (const r of rows) write(`${r.name}\t${r.type}\t${r.grants.join(" ") || "(no grants)"}\n`);
}

export function registerRegistryToken(registry: Command): void {
  registry
    .command("token-server")
    .description(
      "serve registry tokens (Docker token authentication) for accounts and their grants",
    )
    .requiredOption("--config <file>", "the RegistryTokenService configuration")
    .action(tokenServer)
    .exitOverride();
  const account = registry
    .command("account")
    .description("edit the token service's accounts file")
    .exitOverride();
  account
    .command("add <name>")
    .description("add or replace an account; prints a generated secret unless --secret-stdin")
    .requiredOption("--file <file>", "the accounts file (created when missing)")
    .option("--type <type>", "user or robot", "robot")
    .option("--grant <repos:actions>", "e.g. 'team/*:pull,push' (repeatable)", collect)
    .option("--secret-stdin", "read the secret from standard input instead of generating one")
    .option("--cost <n>", "bcrypt cost", "10")
    .action(accountAdd)
    .exitOverride();
  account
    .command("remove <name>")
    .description("remove an account")
    .requiredOption("--file <file>", "the accounts file")
    .action(accountRemove)
    .exitOverride();
  account
    .command("list")
    .description("list accounts and their grants (never their secrets)")
    .requiredOption("--file <file>", "the accounts file")
    .addOption(outputOption(HUMAN_OR_JSON, "human"))
    .action(accountList)
    .exitOverride();
}

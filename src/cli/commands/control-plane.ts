import { readFileSync, writeFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import type { Command } from "commander";
import { CustomsError } from "../../core/errors.js";
import { packagePath, productVersion } from "../io.js";
import { defaultImage } from "./install.js";
import { parseListen } from "./serve.js";

interface ControlPlaneFlags {
  listen: string;
  dataDir: string;
  database?: string;
  tlsCert?: string;
  tlsKey?: string;
  plainHttp?: boolean;
  adminTokenFile?: string;
  consoleDir?: string;
  drainTimeout: string;
  externalUrl?: string;
  caCert?: string;
  agentImage?: string;
  bootstrapTokenFile?: string;
  databaseFile?: string;
  trustedProxy: string[];
  metricsTokenFile?: string;
  oidcConfig?: string;
}

const LOOPBACK = ["127.0.0.1", "::1", "localhost"];

/** The compiled console next to the compiled CLI (dist/console), from the package root. */
function defaultConsoleDir(): string {
  return packagePath("dist/console");
}

function checkFlags(flags: ControlPlaneFlags, host: string): void {
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) {
    throw new CustomsError("USAGE", "give both --tls-cert and --tls-key, or neither");
  }
  if (flags.plainHttp && !LOOPBACK.includes(host)) {
    throw new CustomsError(
      "USAGE",
      "--plain-http only with a loopback --listen (127.0.0.1 or [::1]), behind a TLS proxy",
    );
  }
  if (flags.plainHttp && flags.tlsCert !== undefined) {
    throw new CustomsError("USAGE", "--plain-http and --tls-cert exclude each other");
  }
}

function readText(flag: string, path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new CustomsError("FILE_UNREADABLE", `${flag} ${path}: ${(e as Error).message}`);
  }
}

/**
 * `--database` default: SQLite in the data directory. --database-file reads the URL from a
 * file (a mounted Secret): a PostgreSQL URL holds a password, which process arguments show.
 */
function databaseUrl(flags: ControlPlaneFlags): string {
  if (flags.database !== undefined && flags.databaseFile !== undefined)
    throw new CustomsError("USAGE", "--database and --database-file exclude each other");
  if (flags.databaseFile !== undefined)
    return readText("--database-file", flags.databaseFile).trim();
  if (flags.database !== undefined) return flags.database;
  return `sqlite:${join(flags.dataDir, "control-plane.db")}`;
}

/** The first admin token: printed once, or written to a file only its owner can read. */
function printAdminToken(token: string, file: string | undefined): void {
  if (file === undefined) {
    process.stdout.write(`Admin token: ${token}\n(shown once; only its hash is stored)\n`);
    return;
  }
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  process.stdout.write(`Admin token written to ${file}\n`);
}

/** Where agents reach us: --external-url, or the --listen address (a wildcard as localhost). */
export function externalUrlOf(
  flags: { externalUrl?: string; plainHttp?: boolean },
  host: string,
  port: number,
): string {
  if (flags.externalUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(flags.externalUrl);
    } catch {
      throw new CustomsError("USAGE", `--external-url: "${flags.externalUrl}" is not a URL`);
    }
    if (url.protocol !== "https:" && url.protocol !== "http:")
      throw new CustomsError("USAGE", "--external-url must be https://host[:port]");
    return url.origin;
  }
  const name = ["0.0.0.0", "::", ""].includes(host)
    ? "localhost"
    : host.includes(":")
      ? `[${host}]`
      : host;
  return `${flags.plainHttp ? "http" : "https"}://${name}:${port}`;
}

/** The token `/metrics` asks for: the file's first line; an empty or unreadable file is refused. */
function readMetricsToken(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new CustomsError("USAGE", `--metrics-token-file: ${(e as Error).message}`);
  }
  const token = text.split(/\r?\n/)[0]?.trim() ?? "";
  if (token.length < 16) {
    throw new CustomsError(
      "USAGE",
      `--metrics-token-file ${file}: the token must be at least 16 characters`,
    );
  }
  return token;
}

/**
 * `--oidc-config FILE`: the sign-in configuration (YAML or JSON), its client secret read from
 * `clientSecretFile` (never from the arguments, which every user of the host can read), and
 * the provider built from it. Discovery happens on first use: a provider that is down at
 * start does not keep the control plane (and its tokens) from starting.
 */
async function loadOidc(file: string, externalUrl: string) {
  const [{ parse }, { parseOidcConfig }, { OidcProvider }, { CALLBACK_PATH }] = await Promise.all([
    import("yaml"),
    import("../../core/oidc/config.js"),
    import("../../adapters/oidc/index.js"),
    import("../../server/control-plane/routes-auth.js"),
  ]);
  let raw: unknown;
  try {
    raw = parse(readText("--oidc-config", file));
  } catch (e) {
    if (e instanceof CustomsError) throw e;
    throw new CustomsError("OIDC_CONFIG_INVALID", `--oidc-config ${file}: ${(e as Error).message}`);
  }
  const config = parseOidcConfig(raw);
  const secretText = (() => {
    try {
      return readFileSync(config.clientSecretFile, "utf8");
    } catch (e) {
      throw new CustomsError(
        "OIDC_CONFIG_INVALID",
        `clientSecretFile ${config.clientSecretFile}: ${(e as Error).message}`,
      );
    }
  })();
  const clientSecret = secretText.split(/\r?\n/)[0]?.trim() ?? "";
  if (clientSecret === "")
    throw new CustomsError(
      "OIDC_CONFIG_INVALID",
      `clientSecretFile ${config.clientSecretFile} is empty`,
    );
  const ca = config.caFile === undefined ? undefined : readText("caFile", config.caFile);
  const redirectUrl = config.redirectUrl ?? `${externalUrl}${CALLBACK_PATH}`;
  const provider = new OidcProvider(
    {
      issuer: config.issuer,
      clientId: config.clientId,
      clientSecret,
      tokenAuthMethod: config.tokenAuthMethod,
      redirectUrl,
      scopes: config.scopes,
    },
    ca === undefined ? {} : { transport: { ca } },
  );
  return { config, provider, redirectUrl };
}

async function run(flags: ControlPlaneFlags): Promise<void> {
  const { host, port } = parseListen(flags.listen);
  checkFlags(flags, host);
  const drainMs = Number(flags.drainTimeout);
  if (!Number.isInteger(drainMs) || drainMs < 0) {
    throw new CustomsError("USAGE", `--drain-timeout must be ms, got "${flags.drainTimeout}"`);
  }
  const [
    { pino },
    { openStore },
    { bootstrap, givenToken },
    { servingFiles },
    { startControlPlane },
    { parseTrustedProxies },
  ] = await Promise.all([
    import("pino"),
    import("../../adapters/store/index.js"),
    import("../../app/fleet/bootstrap.js"),
    import("../../app/fleet/tls-files.js"),
    import("../../server/control-plane/server.js"),
    import("../../server/control-plane/client-address.js"),
  ]);
  // A bad CIDR is a usage error before anything starts (and before any token is shown).
  parseTrustedProxies(flags.trustedProxy);
  const metricsToken = readMetricsToken(flags.metricsTokenFile);
  const dataDir = isAbsolute(flags.dataDir) ? flags.dataDir : resolve(flags.dataDir);
  // Certificates first: a start that fails must not have shown the one-time admin token.
  const tls = flags.plainHttp
    ? undefined
    : await servingFiles(dataDir, {
        ...(flags.tlsCert === undefined ? {} : { cert: flags.tlsCert }),
        ...(flags.tlsKey === undefined ? {} : { key: flags.tlsKey }),
      });
  const caPath = flags.caCert ?? tls?.caPath;
  const agentInstall = {
    externalUrl: externalUrlOf(flags, host, port),
    caPem: caPath === undefined ? undefined : readText("--ca-cert", caPath),
    image: flags.agentImage ?? defaultImage(),
    defaultImage: defaultImage(),
  };
  const givenAdmin =
    flags.bootstrapTokenFile === undefined
      ? undefined
      : givenToken(readText("--bootstrap-token-file", flags.bootstrapTokenFile));
  const oidc =
    flags.oidcConfig === undefined
      ? undefined
      : await loadOidc(flags.oidcConfig, agentInstall.externalUrl);
  const store = await openStore(databaseUrl({ ...flags, dataDir }));
  const logger = pino({ base: { service: "customs-control-plane" } });
  oidc?.provider.metadata().then(
    (m) =>
      logger.info({ issuer: m.issuer, redirectUrl: oidc.redirectUrl }, "OpenID Provider found"),
    (e: Error) =>
      logger.warn({ err: e }, "OpenID Provider discovery failed; retried at the next sign-in"),
  );
  const server = await startControlPlane({
    store,
    host,
    port,
    tls: tls === undefined ? undefined : { cert: tls.cert, key: tls.key },
    consoleDir: flags.consoleDir ?? defaultConsoleDir(),
    logger,
    version: productVersion(),
    hsts: tls !== undefined && tls.caPath === undefined,
    agentInstall,
    trustedProxies: flags.trustedProxy,
    ...(metricsToken === undefined ? {} : { metricsToken }),
    ...(oidc === undefined ? {} : { oidc: { config: oidc.config, provider: oidc.provider } }),
  }).catch(async (e: unknown) => {
    await store.close();
    throw new CustomsError("USAGE", `cannot listen on ${flags.listen}: ${(e as Error).message}`);
  });
  const token = await bootstrap(store, new Date(), givenAdmin);
  // A token given in a file is not printed: whoever gave it has it.
  if (token !== undefined && givenAdmin === undefined) printAdminToken(token, flags.adminTokenFile);
  if (tls?.caPath !== undefined) process.stdout.write(`CA certificate: ${tls.caPath}\n`);
  // Signals are handled before the address is announced: whoever waits for it may stop us.
  const stop = async (signal: string) => {
    logger.info({ signal }, "draining");
    await server.close(drainMs);
    await store.close();
    logger.info("stopped");
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
  process.stdout.write(`Control plane listening on ${server.url}\n`);
  logger.info({ url: server.url, database: store.dialect }, "control plane started");
}

/** `customs serve control-plane`: a sibling of `serve webhook` under `serve` (serve.ts). */
export function registerControlPlane(program: Command): void {
  const serve = program.commands.find((c) => c.name() === "serve");
  if (serve === undefined) throw new Error("registerControlPlane needs the serve command first");
  serve
    .command("control-plane")
    .description("run the control plane: API, agents' delivery and the web console")
    .option("--listen <host:port>", "address to listen on", "127.0.0.1:8643")
    .option(
      "--data-dir <dir>",
      "SQLite database and generated TLS files",
      "./.customs-control-plane",
    )
    .option(
      "--database <url>",
      "sqlite:PATH, a path, or postgres://… (default: SQLite in --data-dir)",
    )
    .option("--tls-cert <file>", "TLS certificate (PEM); default: generated into --data-dir")
    .option("--tls-key <file>", "TLS private key (PEM)")
    .option("--plain-http", "plain HTTP, only on a loopback --listen behind a TLS proxy")
    .option("--admin-token-file <file>", "write the first admin token here (mode 0600)")
    .option("--console-dir <dir>", "the built web console (default: dist/console)")
    .option("--drain-timeout <ms>", "how long SIGTERM waits for in-flight requests", "10000")
    .option(
      "--external-url <url>",
      'where agents and browsers reach the control plane; "Add cluster" manifests carry it (default: from --listen)',
    )
    .option(
      "--ca-cert <pem>",
      "the CA agents are told to trust (default: the generated CA; with --tls-cert: none, system CAs)",
    )
    .option(
      "--agent-image <image>",
      'image in "Add cluster" manifests (default: ghcr.io/customs-dev/customs:VERSION)',
    )
    .option(
      "--bootstrap-token-file <file>",
      "on first start, the first admin token is the one in this file (cst_<hex id>_<secret>), not a generated one",
    )
    .option(
      "--database-file <file>",
      "read --database from this file (keeps a password out of process arguments)",
    )
    .option(
      "--metrics-token-file <file>",
      "require this bearer token (the file's first line) on /metrics",
    )
    .option(
      "--oidc-config <file>",
      "sign-in with OpenID Connect: issuer, client, groups to roles (YAML or JSON; docs/sso.md)",
    )
    .option(
      "--trusted-proxy <cidr>",
      "a proxy whose X-Forwarded-For names the client (repeatable; address or CIDR)",
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .action(run);
}

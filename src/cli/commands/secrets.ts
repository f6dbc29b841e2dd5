import type { Command } from "commander";
import { CustomsError } from "../../core/errors.js";
import type { Finding, FindingReport, Severity } from "../../core/findings/index.js";
import { compareSeverity, isSeverity, SEVERITIES } from "../../core/findings/index.js";
import { collect, EXIT_DENIED, EXIT_INPUT, EXIT_OK, write } from "../io.js";

interface ScanFlags {
  git?: boolean;
  imageLayout?: string[];
  image?: string[];
  config?: string;
  builtin: boolean;
  maxFileSize: string;
  output: string;
  failOn: string;
  registryConfig?: string;
  caFile?: string[];
  insecureHost?: string[];
}

export function registerSecrets(program: Command): void {
  const secrets = program
    .command("secrets")
    .description("find credentials in files, git history and images");
  secrets
    .command("scan")
    .description(
      "scan files and folders (default: .) for secrets; every secret is redacted in output",
    )
    .argument("[paths...]", "files or folders (with --git: repositories)")
    .option("--git", "scan every commit's added lines (git log -p --all) instead of the files")
    .option(
      "--image-layout <dir>",
      "an OCI image layout folder to scan, every layer (repeatable)",
      collect,
    )
    .option("--image <ref>", "an image to pull from its registry and scan (repeatable)", collect)
    .option(
      "--config <file>",
      "detectors and allowlists (default: .customs/secrets.yaml when present)",
    )
    .option("--no-builtin", "run only the config's custom detectors")
    .option("--max-file-size <bytes>", "skip (and note) files larger than this", "10485760")
    .option("-o, --output <format>", "human or json", "human")
    .option("--fail-on <severity>", `exit 1 at or above: ${SEVERITIES.join(", ")}`, "low")
    .option("--registry-config <file>", "docker config.json with registry credentials (--image)")
    .option("--ca-file <pem>", "extra CA certificates to trust (--image; repeatable)", collect)
    .option(
      "--insecure-host <host>",
      "host[:port] without TLS verification (--image; repeatable)",
      collect,
    )
    .action(async (paths: string[], flags: ScanFlags) => {
      const failOn = checkFlags(flags);
      const report = await runScan(paths, flags);
      if (report === undefined) return;
      write(flags.output === "json" ? `${JSON.stringify(report, null, 2)}\n` : toHuman(report));
      const failed = report.findings.some((f) => compareSeverity(f.severity, failOn) >= 0);
      process.exitCode = failed ? EXIT_DENIED : EXIT_OK;
    });
}

function checkFlags(flags: ScanFlags): Severity {
  if (!["human", "json"].includes(flags.output))
    throw new CustomsError("USAGE", `--output must be human or json, got "${flags.output}"`);
  if (!isSeverity(flags.failOn))
    throw new CustomsError(
      "USAGE",
      `--fail-on must be one of ${SEVERITIES.join(", ")}, got "${flags.failOn}"`,
    );
  if (!/^[1-9][0-9]{0,12}$/.test(flags.maxFileSize))
    throw new CustomsError(
      "USAGE",
      `--max-file-size must be a positive number of bytes, got "${flags.maxFileSize}"`,
    );
  return flags.failOn;
}

async function runScan(paths: string[], flags: ScanFlags): Promise<FindingReport | undefined> {
  const { scanSecrets } = await import("../../app/secrets-scan.js");
  const images = flags.image ?? [];
  const registry =
    images.length > 0 ? await (await import("./pin.js")).clientFrom(flags) : undefined;
  const noTarget =
    paths.length === 0 && images.length === 0 && (flags.imageLayout ?? []).length === 0;
  try {
    return await scanSecrets({
      paths: noTarget ? ["."] : paths,
      git: flags.git === true,
      imageLayouts: flags.imageLayout ?? [],
      images,
      registry,
      configFile: flags.config,
      configBase: ".",
      builtin: flags.builtin,
      maxFileBytes: Number(flags.maxFileSize),
    });
  } catch (error) {
    const { isRegistryError } = await import("../../adapters/registry/index.js");
    if (!isRegistryError(error)) throw error;
    process.stderr.write(`customs: ${error.code}: ${error.message}\n`);
    process.exitCode = EXIT_INPUT;
    return undefined;
  } finally {
    registry?.close();
  }
}

/** A plain listing until the shared findings printers take over. */
function toHuman(report: FindingReport): string {
  const lines = report.findings.map((f) => `${where(f)}: ${f.severity} ${f.ruleId}: ${f.message}`);
  const counts = Object.entries(report.scanned ?? {})
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  lines.push(`${report.findings.length} finding(s); scanned: ${counts}`);
  return `${lines.join("\n")}\n`;
}

function where(f: Finding): string {
  const l = f.location;
  if (l === undefined) return "-";
  const at = [l.path, l.line, l.column].filter((x) => x !== undefined).join(":");
  const extra = [
    l.commit && `commit ${l.commit.slice(0, 12)}`,
    l.image && `image ${l.image}`,
    l.layer && `layer ${l.layer.slice(0, 19)}`,
  ]
    .filter(Boolean)
    .join(", ");
  return extra === "" ? at : `${at} (${extra})`;
}

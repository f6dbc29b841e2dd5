import type { Command } from "commander";
import { CustomsError } from "../../core/errors.js";
import type { FindingReport } from "../../core/findings/index.js";
import { reportError } from "../errors.js";
import {
  addFindingsOptions,
  type ExcludeFlags,
  excludeOption,
  type FindingsFlags,
  type ParsedFindingsFlags,
  parseExclude,
  parseFindingsFlags,
  type RegistryFlags,
  registryOptions,
} from "../flags/index.js";
import { examples } from "../help.js";
import { collect } from "../io.js";
import { emitFindings } from "../output/findings.js";

interface ScanFlags extends FindingsFlags, RegistryFlags, ExcludeFlags {
  git?: boolean;
  imageLayout?: string[];
  image?: string[];
  config?: string;
  builtin: boolean;
  maxFileSize: string;
  baseline?: string;
  writeBaseline?: string;
  since?: string;
  range?: string;
}

export function registerSecrets(program: Command): void {
  const secrets = program
    .command("secrets")
    .description("find credentials in files, git history and images");
  const scan = secrets
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
    .option("--baseline <file>", "leave out the findings this baseline file lists (by fingerprint)")
    .option(
      "--write-baseline <file>",
      "write the current findings' fingerprints to this baseline file, then leave them out",
    )
    .option("--since <ref>", "with --git: only commits after REF (REF..HEAD)")
    .option("--range <from..to>", "with --git: only the commits of FROM..TO");
  // Default --fail-on low: any secret fails; test keys (low) too, info notes do not.
  addFindingsOptions(registryOptions(excludeOption(scan), "--image"), "low");
  examples(scan, [
    ["scan the current folder", "customs secrets scan"],
    ["every commit of a repository", "customs secrets scan --git ."],
    [
      "accept today's history findings, then fail only on new ones",
      "customs secrets scan --git . --write-baseline .customs/secrets-baseline.json",
    ],
    ["the commits of a pull request", "customs secrets scan --git . --range origin/main..HEAD"],
    [
      "an image from its registry, as SARIF",
      "customs secrets scan --image ghcr.io/acme/app:1.4 -o sarif",
    ],
  ]);
  scan.action(async (paths: string[], flags: ScanFlags) => {
    const parsed = checkFlags(flags);
    const report = await runScan(paths, flags);
    if (report !== undefined) emitFindings([report], parsed);
  });
}

function checkFlags(flags: ScanFlags): ParsedFindingsFlags {
  const parsed = parseFindingsFlags(flags);
  if (!/^[1-9][0-9]{0,12}$/.test(flags.maxFileSize))
    throw new CustomsError(
      "USAGE",
      `--max-file-size must be a positive number of bytes, got "${flags.maxFileSize}"`,
    );
  if ((flags.since !== undefined || flags.range !== undefined) && flags.git !== true)
    throw new CustomsError("USAGE", "--since and --range need --git (they select commits)");
  if (flags.since !== undefined && flags.range !== undefined)
    throw new CustomsError("USAGE", "--since and --range cannot be used together");
  return parsed;
}

async function runScan(paths: string[], flags: ScanFlags): Promise<FindingReport | undefined> {
  const { scanSecrets } = await import("../../app/secrets/index.js");
  const images = flags.image ?? [];
  const registry =
    images.length > 0 ? await (await import("../flags/index.js")).clientFrom(flags) : undefined;
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
      history: {
        ...(flags.since === undefined ? {} : { since: flags.since }),
        ...(flags.range === undefined ? {} : { range: flags.range }),
      },
      ...(flags.baseline === undefined ? {} : { baselineFile: flags.baseline }),
      ...(flags.writeBaseline === undefined ? {} : { writeBaselineFile: flags.writeBaseline }),
      exclude: parseExclude(flags),
    });
  } catch (error) {
    const { isRegistryError } = await import("../../adapters/registry/index.js");
    if (!isRegistryError(error)) throw error;
    reportError(error);
    return undefined;
  } finally {
    registry?.close();
  }
}

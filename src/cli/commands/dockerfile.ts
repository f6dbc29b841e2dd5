import type { Command } from "commander";
import type { InputText } from "../../adapters/files/index.js";
import type { FromEntry, ScannedDockerfile } from "../../app/pin/index.js";
import { pinTexts } from "../../app/pin/index.js";
import { STAGE_SELECTIONS, type StageSelection } from "../../core/dockerfile/index.js";
import { CustomsError } from "../../core/errors.js";
import type { Severity } from "../../core/findings/types.js";
import { printable } from "../../core/policy/index.js";
import {
  addFindingsOptions,
  clientFrom,
  type ExcludeFlags,
  excludeOption,
  type FindingsFlags,
  parseExclude,
  parseFindingsFlags,
  type RegistryFlags,
  registryOptions,
} from "../flags/index.js";
import { examples } from "../help.js";
import { collect, EXIT_DENIED, EXIT_OK, write } from "../io.js";
import { emitFindings } from "../output/findings.js";
import { reportFailure, writePinned } from "./pin.js";

interface LintFlags extends Omit<FindingsFlags, "failOn">, ExcludeFlags {
  policy?: string[];
  namespace: string;
  config?: string;
  failOn?: string;
  stages?: string;
  target?: string;
}

interface PinFlags extends RegistryFlags, ExcludeFlags {
  check?: boolean;
  diff?: boolean;
}

/** Without --fail-on or a `failOn` in the configuration: fail on security problems only. */
export const DEFAULT_FAIL_ON: Severity = "high";

/** `--stages final|all` and `--target STAGE`, checked before any file is read. */
function parseStages(flags: LintFlags): { stages?: StageSelection; target?: string } {
  const { stages, target } = flags;
  if (stages !== undefined && !STAGE_SELECTIONS.includes(stages as StageSelection)) {
    throw new CustomsError("USAGE", `--stages must be one of ${STAGE_SELECTIONS.join(", ")}`);
  }
  if (target !== undefined && stages === "all") {
    throw new CustomsError("USAGE", "--target and --stages all exclude each other");
  }
  return {
    ...(stages === undefined ? {} : { stages: stages as StageSelection }),
    ...(target === undefined ? {} : { target }),
  };
}

async function runLint(inputs: string[], flags: LintFlags): Promise<void> {
  const { lintDockerfiles, loadDockerfileConfig } = await import("../../app/ci/index.js");
  const config = await loadDockerfileConfig(flags.config);
  const parsed = parseFindingsFlags({
    ...flags,
    failOn: flags.failOn ?? config.failOn ?? DEFAULT_FAIL_ON,
  });
  const report = await lintDockerfiles(inputs, {
    config,
    policies: flags.policy,
    namespace: flags.namespace,
    exclude: parseExclude(flags),
    ...parseStages(flags),
  });
  emitFindings([report], parsed);
}

/** `--check`: no registry; every FROM that is not pinned, exit 1 when there is one. */
function checkPinned(entries: readonly FromEntry[]): void {
  const unpinned = entries.filter((e) => e.status === "unpinned" || e.status === "unrewritable");
  for (const e of unpinned) {
    const how = e.status === "unrewritable" ? ` (${printable(e.message ?? "")})` : "";
    write(`${e.source}:${e.line}: ${printable(e.image)}: not pinned to a digest${how}\n`);
  }
  write(`${unpinned.length} unpinned base image(s)\n`);
  process.exitCode = unpinned.length > 0 ? EXIT_DENIED : EXIT_OK;
}

/** Resolves the unpinned FROMs and verifies the pinned ones; undefined after a failure. */
async function resolveAll(
  texts: readonly InputText[],
  scanned: ScannedDockerfile[],
  flags: PinFlags,
) {
  const { verifyPinned } = await import("../../app/pin/index.js");
  const client = await clientFrom(flags);
  try {
    const result = await pinTexts(
      texts,
      (ref) => client.resolveDigest(ref),
      () => scanned,
    );
    const verified = await verifyPinned(
      scanned,
      async (ref) => (await client.fetchManifest(ref)).digest,
    );
    const failures = [...result.resolution.failures, ...verified.failures];
    if (failures.length === 0) return result.files;
    // All or nothing, as `customs pin`: a half-pinned tree is harder to review.
    for (const [image, error] of failures) reportFailure(image, error);
    process.stderr.write("customs: nothing written\n");
    return undefined;
  } finally {
    client.close();
  }
}

async function runPin(inputs: string[], flags: PinFlags): Promise<void> {
  if (flags.check && flags.diff)
    throw new CustomsError("USAGE", "give --check or --diff, not both");
  if (inputs.includes("-")) throw new CustomsError("USAGE", "pin reads files and folders, not -");
  // The Dockerfile reader loads only for this command, keeping CLI start-up fast.
  const { readDockerfiles } = await import("../../app/ci/index.js");
  const { describeEntry, scanDockerfilesForPinning } = await import("../../app/pin/index.js");
  const texts = await readDockerfiles(inputs, undefined, parseExclude(flags));
  const scanned = scanDockerfilesForPinning(texts);
  const entries = scanned.flatMap((f) => f.entries);
  // What cannot be worked out (an ARG without a default) is neither pinned nor unpinned.
  for (const e of entries.filter((e) => e.status === "invalid")) {
    process.stderr.write(`${describeEntry(e)}: not checked\n`);
  }
  if (flags.check) return checkPinned(entries);
  for (const e of entries.filter((e) => e.status === "unrewritable")) {
    process.stderr.write(`${describeEntry(e)}\n`);
  }
  const files = await resolveAll(texts, scanned, flags);
  if (files === undefined) return;
  await writePinned(files, flags.diff === true, "base image(s)");
}

export function registerDockerfile(program: Command): void {
  const dockerfile = program
    .command("dockerfile")
    .description("lint Dockerfiles and pin their base images");
  const lint = dockerfile
    .command("lint")
    .description("check Dockerfiles: base images, users, package installs, secrets and more")
    .option("-p, --policy <path>", "judge base images by these ImagePolicies (repeatable)", collect)
    .option("--namespace <ns>", "namespace base images are judged as if in", "default")
    .option(
      "--config <file>",
      "rule configuration (default: .customs/dockerfile.yaml when present)",
    )
    .option(
      "--stages <which>",
      "whose base images -p judges: final (the stage shipped, followed through FROM <stage>) or all (default: the configuration's stages, else final)",
    )
    .option("--target <stage>", "judge the base image of this stage, as docker build --target")
    .argument("<inputs...>", "Dockerfiles, folders to search, or - for standard input");
  // No default --fail-on: the configuration's failOn applies unless the flag is given.
  addFindingsOptions(excludeOption(lint)).action(runLint);
  examples(lint, [
    ["lint every Dockerfile under the current folder", "customs dockerfile lint ."],
    ["judge base images by image policies too", "customs dockerfile lint -p policies/ Dockerfile"],
    ["annotations on a GitHub pull request", "customs dockerfile lint -o github ."],
  ]);
  const pin = registryOptions(
    dockerfile
      .command("pin")
      .description("rewrite each FROM to image:tag@sha256:…, keeping everything else")
      .option("--check", "write nothing; list unpinned base images and exit 1 if there are any")
      .option("--diff", "write nothing; print a unified diff of what pinning would change")
      .argument("<inputs...>", "Dockerfiles or folders to search"),
  );
  excludeOption(pin).action(runPin);
  examples(pin, [
    ["pin every FROM in place", "customs dockerfile pin Dockerfile"],
    ["show what would change", "customs dockerfile pin --diff ."],
    ["fail CI when a base image is not pinned", "customs dockerfile pin --check ."],
  ]);
}

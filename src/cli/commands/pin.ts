import { randomBytes } from "node:crypto";
import { chmod, rename, stat, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Command } from "commander";
import { readInputs } from "../../adapters/files/index.js";
import {
  type PinEntry,
  type PinnedFile,
  pinTexts,
  scanForPinning,
  toPinnedImage,
  unifiedDiff,
  unpinnedEntries,
} from "../../app/pin/index.js";
import { CustomsError } from "../../core/errors.js";
import { printable } from "../../core/policy/index.js";
import { parseNormalized } from "../../core/reference/index.js";
import { reportError } from "../errors.js";
import {
  clientFrom,
  type ExcludeFlags,
  excludeOption,
  HUMAN_OR_JSON,
  type OutputFormat,
  outputOption,
  parseExclude,
  type RegistryFlags,
  registryOptions,
} from "../flags/index.js";
import { examples } from "../help.js";
import { EXIT_DENIED, EXIT_OK, write, writeJson } from "../io.js";

/** The registry client lives with the registry flags; `serve` still reaches it through here. */
export { clientFrom };

interface DigestFlags extends RegistryFlags {
  output: OutputFormat;
}

interface PinFlags extends RegistryFlags, ExcludeFlags {
  check?: boolean;
  diff?: boolean;
}

/** Registry failures: code and message (which never hold credentials), exit 2. */
export function reportFailure(what: string, error: unknown): void {
  reportError(error, what);
}

function registerDigest(program: Command): void {
  // `image` is registered by image.ts; the digest subcommand joins it.
  const image =
    program.commands.find((c) => c.name() === "image") ??
    program.command("image").description("work with image references");
  registryOptions(
    image
      .command("digest")
      .description("print the reference pinned to the digest its registry serves now")
      .addOption(outputOption(HUMAN_OR_JSON, "human"))
      .argument("<ref>", "image reference"),
  ).action(async (ref: string, flags: DigestFlags) => {
    const parsed = parseNormalized(ref);
    if (!parsed.ok) throw new CustomsError(parsed.code, `"${printable(ref)}": ${parsed.message}`);
    const client = await clientFrom(flags);
    try {
      const digest = await client.resolveDigest(parsed.ref);
      // A reference with a digest is already pinned: the registry is not even asked.
      const pinned = parsed.ref.digest === undefined ? toPinnedImage(ref, digest) : ref;
      if (flags.output === "json") writeJson({ input: ref, digest, pinned });
      else write(`${pinned}\n`);
    } catch (error) {
      reportFailure(ref, error);
    } finally {
      client.close();
    }
  });
}

/** Writes next to the file, then renames over it: readers see the old text or the new one. */
async function writeAtomic(path: string, text: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  const { mode } = await stat(path);
  try {
    await writeFile(temp, text, { flag: "wx", mode });
    await chmod(temp, mode);
    await rename(temp, path);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw new CustomsError(
      "FILE_UNREADABLE",
      `${path}: cannot write: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    );
  }
}

function where(entry: PinEntry): string {
  return `${entry.source}:${entry.line}`;
}

/** Images that are neither pinned nor pinnable go to standard error, whatever the mode. */
function reportSkipped(entries: readonly PinEntry[]): void {
  for (const e of entries) {
    if (e.status === "invalid" || e.status === "unrewritable") {
      process.stderr.write(
        `${where(e)}: "${printable(e.image)}": not changed: ${printable(e.message ?? "", 300)}\n`,
      );
    }
  }
}

async function runPin(inputs: string[], flags: PinFlags): Promise<void> {
  if (flags.check && flags.diff)
    throw new CustomsError("USAGE", "give --check or --diff, not both");
  if (inputs.includes("-")) throw new CustomsError("USAGE", "pin reads files and folders, not -");
  const texts = await readInputs(inputs, undefined, undefined, { exclude: parseExclude(flags) });
  if (flags.check) {
    const scanned = scanForPinning(texts);
    // An image pinning cannot rewrite (a block scalar, a merge key) is unpinned all the same.
    const unpinned = unpinnedEntries(scanned).filter((e) => e.status !== "invalid");
    for (const e of unpinned) {
      const how =
        e.status === "unrewritable" ? ` (pin it by hand: ${printable(e.message ?? "")})` : "";
      write(`${where(e)}: ${printable(e.image)}: not pinned to a digest${how}\n`);
    }
    reportSkipped(scanned.flatMap((f) => f.entries.filter((e) => e.status === "invalid")));
    write(`${unpinned.length} unpinned image(s)\n`);
    process.exitCode = unpinned.length > 0 ? EXIT_DENIED : EXIT_OK;
    return;
  }
  const client = await clientFrom(flags);
  let result: Awaited<ReturnType<typeof pinTexts>>;
  try {
    result = await pinTexts(texts, (ref) => client.resolveDigest(ref));
  } finally {
    client.close();
  }
  reportSkipped(result.scanned.flatMap((f) => f.entries));
  if (result.resolution.failures.size > 0) {
    // All or nothing: a half-pinned tree is harder to review than an untouched one.
    for (const [image, error] of result.resolution.failures) reportFailure(image, error);
    process.stderr.write("customs: nothing written\n");
    return;
  }
  await writePinned(result.files, flags.diff === true, "image(s)");
}

/**
 * The end of a pin run: with `diff`, a unified diff of each changed file; otherwise each
 * changed file written in place, one line per pinned image and a summary counting `noun`.
 */
export async function writePinned(
  files: readonly PinnedFile[],
  diff: boolean,
  noun: string,
): Promise<void> {
  const changed = files.filter((f) => f.after !== f.before);
  if (diff) {
    for (const f of changed)
      write(unifiedDiff(f.before, f.after, `a/${f.source}`, `b/${f.source}`));
    return;
  }
  for (const f of changed) await writeAtomic(f.source, f.after);
  for (const f of files) {
    for (const p of f.pinned) write(`${where(p.entry)}: ${p.entry.image} -> ${p.pinned}\n`);
  }
  const count = files.reduce((n, f) => n + f.pinned.length, 0);
  write(`pinned ${count} ${noun} in ${changed.length} file(s)\n`);
}

export function registerPin(program: Command): void {
  registerDigest(program);
  const pin = registryOptions(
    program
      .command("pin")
      .description("rewrite image tags in manifests to tag@digest, keeping comments and layout")
      .option("--check", "write nothing; list unpinned images and exit 1 if there are any")
      .option("--diff", "write nothing; print a unified diff of what pinning would change")
      .argument("<inputs...>", "manifest files or folders"),
  );
  excludeOption(pin).action(runPin);
  examples(pin, [
    ["pin every image in a folder of manifests, in place", "customs pin k8s/"],
    ["review the change first", "customs pin --diff k8s/"],
    ["fail CI when an image is not pinned (no registry asked)", "customs pin --check k8s/"],
  ]);
}

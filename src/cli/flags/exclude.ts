import type { Command } from "commander";
import { compileGlob, type Glob } from "../../core/glob.js";
import { collect } from "../io.js";

export interface ExcludeFlags {
  exclude?: string[];
}

/**
 * `--exclude GLOB`: files found by walking folders that match are not read; files named on the
 * command line always are. One declaration, so every command that takes paths skips the same
 * files for the same pattern.
 */
export function excludeOption(command: Command): Command {
  return command.option(
    "--exclude <glob>",
    "skip files found in folders that match: a pattern without / matches the file name, one with / the path from here (repeatable; `*`, `**`, `?`; e.g. 'charts/', '**/templates/', 'values*.yaml')",
    collect,
  );
}

/** The patterns compiled once (no regex: globs never reach a backtracking engine). */
export function parseExclude(flags: ExcludeFlags): Glob[] {
  return (flags.exclude ?? []).map(compileGlob);
}

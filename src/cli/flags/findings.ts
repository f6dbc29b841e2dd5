import type { Command } from "commander";
import { CustomsError } from "../../core/errors.js";
import { type FailOn, isFailOn } from "../../core/findings/index.js";
import { SEVERITIES } from "../../core/findings/types.js";
import { printable } from "../../core/policy/index.js";
import { collect } from "../io.js";
import { type OutputFormat, outputOption, parseOutputFormat } from "./output.js";

/** The formats of every command that reports findings (the CI commands and `check`). */
export const FINDINGS_FORMATS = [
  "human",
  "json",
  "sarif",
  "junit",
  "github",
] as const satisfies readonly OutputFormat[];
export type FindingsFormat = (typeof FINDINGS_FORMATS)[number];

export interface FindingsFlags {
  output: string;
  failOn: string;
  report?: string[];
}

/** The reporting options every CI command shares: -o, --fail-on, --report FORMAT=FILE. */
export function addFindingsOptions(
  command: Command,
  defaultFailOn?: FailOn,
  formats: readonly OutputFormat[] = FINDINGS_FORMATS,
): Command {
  const failOnHelp = `exit 1 when a finding is at or above this severity (${SEVERITIES.join(", ")}, or none)`;
  return command
    .addOption(outputOption(formats, "human"))
    .option(
      "--fail-on <severity>",
      defaultFailOn === undefined ? `${failOnHelp}; default: the config's, else high` : failOnHelp,
      defaultFailOn,
    )
    .option(
      "--report <format=file>",
      "also write the report in another format to a file (repeatable), e.g. sarif=customs.sarif",
      collect,
    );
}

export interface ParsedFindingsFlags<F extends OutputFormat = FindingsFormat> {
  readonly output: F;
  readonly failOn: FailOn;
  readonly reports: readonly { format: F; file: string }[];
}

/** Checks the flags before any work is done, so a typo is exit 2 and not a wasted scan. */
export function parseFindingsFlags<F extends OutputFormat = FindingsFormat>(
  flags: FindingsFlags,
  formats: readonly F[] = FINDINGS_FORMATS as unknown as readonly F[],
): ParsedFindingsFlags<F> {
  if (!isFailOn(flags.failOn)) {
    throw new CustomsError(
      "USAGE",
      `--fail-on must be one of ${SEVERITIES.join(", ")}, none, got "${printable(flags.failOn, 40)}"`,
    );
  }
  const reports = (flags.report ?? []).map((spec) => {
    const eq = spec.indexOf("=");
    if (eq <= 0 || eq === spec.length - 1) {
      throw new CustomsError("USAGE", `--report must be FORMAT=FILE, got "${spec}"`);
    }
    const format = parseOutputFormat(spec.slice(0, eq), formats, "--report's format");
    return { format, file: spec.slice(eq + 1) };
  });
  return {
    output: parseOutputFormat(flags.output, formats),
    failOn: flags.failOn,
    reports,
  };
}

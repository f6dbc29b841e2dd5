import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { CustomsError } from "../../core/errors.js";
import {
  type FailOn,
  type FindingSummary,
  isFailOn,
  summarizeFindings,
} from "../../core/findings/index.js";
import { type FindingReport, SEVERITIES } from "../../core/findings/types.js";
import { printable } from "../../core/policy/index.js";
import { EXIT_DENIED, EXIT_OK, productVersion } from "../io.js";
import { toFindingsGithub } from "./findings-github.js";
import { toFindingsHuman } from "./findings-human.js";
import { toFindingsJson } from "./findings-json.js";
import { toFindingsJunit } from "./findings-junit.js";
import { toFindingsSarif } from "./findings-sarif.js";
import { createStyle, type Style } from "./style.js";

export const FINDINGS_FORMATS = ["human", "json", "sarif", "junit", "github"] as const;
export type FindingsFormat = (typeof FINDINGS_FORMATS)[number];

export interface FindingsFlags {
  output: string;
  failOn: string;
  report?: string[];
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** The reporting options every CI command shares: -o, --fail-on, --report FORMAT=FILE. */
export function addFindingsOptions(command: Command, defaultFailOn?: FailOn): Command {
  const failOnHelp = `exit 1 when a finding is at or above this severity (${SEVERITIES.join(", ")}, or none)`;
  return command
    .option("-o, --output <format>", FINDINGS_FORMATS.join(", "), "human")
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

function toFormat(value: string, where: string): FindingsFormat {
  if ((FINDINGS_FORMATS as readonly string[]).includes(value)) return value as FindingsFormat;
  throw new CustomsError(
    "USAGE",
    `${where} must be one of ${FINDINGS_FORMATS.join(", ")}, got "${value}"`,
  );
}

export interface ParsedFindingsFlags {
  readonly output: FindingsFormat;
  readonly failOn: FailOn;
  readonly reports: readonly { format: FindingsFormat; file: string }[];
}

/** Checks the flags before any work is done, so a typo is exit 2 and not a wasted scan. */
export function parseFindingsFlags(flags: FindingsFlags): ParsedFindingsFlags {
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
    return { format: toFormat(spec.slice(0, eq), "--report's format"), file: spec.slice(eq + 1) };
  });
  return { output: toFormat(flags.output, "--output"), failOn: flags.failOn, reports };
}

export function renderFindings(
  format: FindingsFormat,
  reports: readonly FindingReport[],
  summary: FindingSummary,
  style: Style,
): string {
  switch (format) {
    case "json":
      return `${JSON.stringify(toFindingsJson(reports, summary), null, 2)}\n`;
    case "sarif":
      return `${JSON.stringify(toFindingsSarif(reports, productVersion()), null, 2)}\n`;
    case "junit":
      return toFindingsJunit(reports, summary);
    case "github":
      return toFindingsGithub(reports, summary);
    case "human":
      return toFindingsHuman(reports, summary, style);
  }
}

/** Prints the reports, writes the extra report files, and sets the exit code (0 or 1). */
export function emitFindings(
  reports: readonly FindingReport[],
  flags: ParsedFindingsFlags,
): FindingSummary {
  const summary = summarizeFindings(reports, flags.failOn);
  const plain = createStyle(process.stdout, { NO_COLOR: "1" });
  for (const { format, file } of flags.reports) {
    writeFileSync(file, renderFindings(format, reports, summary, plain));
  }
  process.stdout.write(renderFindings(flags.output, reports, summary, createStyle(process.stdout)));
  process.exitCode = summary.failing > 0 ? EXIT_DENIED : EXIT_OK;
  return summary;
}

import { writeFileSync } from "node:fs";
import { type FindingSummary, summarizeFindings } from "../../core/findings/index.js";
import type { FindingReport } from "../../core/findings/types.js";
import type { FindingsFormat, ParsedFindingsFlags } from "../flags/index.js";
import { EXIT_DENIED, EXIT_OK, productVersion } from "../io.js";
import { toFindingsGithub } from "./findings-github.js";
import { toFindingsHuman } from "./findings-human.js";
import { toFindingsJson } from "./findings-json.js";
import { toFindingsJunit } from "./findings-junit.js";
import { toFindingsSarif } from "./findings-sarif.js";
import { createStyle, type Style } from "./style.js";

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

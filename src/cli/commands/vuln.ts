import type { Command } from "commander";
import { CustomsError } from "../../core/errors.js";
import type { VulnerabilityReport } from "../../core/supply/facts.js";
import {
  addFindingsOptions,
  type FindingsFlags,
  HUMAN_OR_JSON,
  type OutputFormat,
  outputOption,
  parseFindingsFlags,
} from "../flags/index.js";
import { examples } from "../help.js";
import { collect, write, writeJson } from "../io.js";
import { emitFindings } from "../output/findings.js";

interface ShowFlags {
  output: OutputFormat;
}

interface HarborFlags {
  output: OutputFormat;
  url?: string;
  username?: string;
  ca?: string[];
  timeout: string;
}

export function registerVuln(program: Command): void {
  const vuln = program.command("vuln").description("read and compare vulnerability reports");
  const diff = vuln
    .command("diff")
    .description("report what NEW has that BASE has not (new, or more severe)")
    .argument(
      "<base>",
      "the older report (Trivy, Grype, SARIF, cosign attestation, Harbor); - for stdin",
    )
    .argument("<new>", "the newer report; - for stdin");
  // Default --fail-on low: a new negligible or unknown finding is shown but does not fail.
  addFindingsOptions(diff, "low");
  examples(diff, [
    ["what the new image's Trivy report adds", "customs vuln diff base.json new.json"],
    [
      "fail only on new high or critical findings",
      "customs vuln diff --fail-on high base.json new.json",
    ],
    [
      "a report piped in as NEW, SARIF out",
      "trivy image -f json app:2 | customs vuln diff -o sarif base.json -",
    ],
  ]);
  diff.action(async (basePath: string, newPath: string, flags: FindingsFlags) => {
    const parsed = parseFindingsFlags(flags);
    if (basePath === "-" && newPath === "-")
      throw new CustomsError("USAGE", "only one of BASE and NEW can be standard input");
    // Heavy modules load only when the command runs: CLI start-up stays fast.
    const { readVulnerabilityReport } = await import("../../app/vuln/index.js");
    const { diffVulnerabilityReports } = await import("../../app/vuln/index.js");
    const base = await readVulnerabilityReport(basePath);
    const next = await readVulnerabilityReport(newPath);
    emitFindings([diffVulnerabilityReports(base, next, newPath)], parsed);
  });
  vuln
    .command("show")
    .description("print a vulnerability report as Customs reads it")
    .argument(
      "<report>",
      "Trivy, Grype, SARIF, cosign attestation, Harbor or Customs JSON report; - for stdin",
    )
    .addOption(outputOption(HUMAN_OR_JSON, "human"))
    .action(async (path: string, flags: ShowFlags) => {
      const format = flags.output;
      const { readVulnerabilityReport } = await import("../../app/vuln/index.js");
      const report = await readVulnerabilityReport(path);
      if (format === "json") writeJson(report);
      else printReport(report);
    });
  registerHarbor(vuln);
}

function registerHarbor(vuln: Command): void {
  vuln
    .command("harbor")
    .description("print the vulnerability report Harbor holds for an image")
    .argument("<image>", "the image by digest: HOST/PROJECT/REPOSITORY@sha256:…")
    .addOption(outputOption(HUMAN_OR_JSON, "human"))
    .option("--url <url>", "Harbor's URL (default: https:// and the image's host)")
    .option("--username <name>", "user or robot account; password in CUSTOMS_HARBOR_PASSWORD")
    .option("--ca <file>", "PEM CA certificate to trust (repeatable)", collect)
    .option("--timeout <ms>", "per request", "10000")
    .action(async (image: string, flags: HarborFlags) => {
      const format = flags.output;
      const timeoutMs = Number(flags.timeout);
      if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
        throw new CustomsError("USAGE", "--timeout must be a positive number of milliseconds");
      const { fetchHarborReport } = await import("../../app/vuln/index.js");
      // A password never goes on the command line, where process lists show it.
      const password = process.env.CUSTOMS_HARBOR_PASSWORD;
      // Scripts tell Harbor's answers apart by code, as the registry client's are told.
      const report = await fetchHarborReport(image, {
        ...(flags.url ? { url: flags.url } : {}),
        ...(flags.username !== undefined ? { username: flags.username } : {}),
        ...(password !== undefined ? { password } : {}),
        caFiles: flags.ca ?? [],
        timeoutMs,
      }).catch((e: unknown) => {
        if (e instanceof CustomsError && e.code.startsWith("HARBOR_"))
          throw new CustomsError(e.code, `${e.code}: ${e.message}`, e.path);
        throw e;
      });
      if (format === "json") writeJson(report);
      else printReport(report);
    });
}

function printReport(report: VulnerabilityReport): void {
  const about = [report.artifact, report.createdAt].filter(Boolean).join(", ");
  write(
    `${report.scanner}${about ? ` (${about})` : ""}: ${report.vulnerabilities.length} vulnerabilities\n`,
  );
  for (const v of report.vulnerabilities) {
    const fixed = v.fixedVersions.length > 0 ? v.fixedVersions.join(", ") : "-";
    write(`${v.severity}\t${v.id}\t${v.package}\t${v.installedVersion || "-"}\t${fixed}\n`);
  }
}

import type { Command } from "commander";
import { CustomsError } from "../../core/errors.js";
import type { FindingReport } from "../../core/findings/types.js";
import type { VulnerabilityReport } from "../../core/supply/facts.js";
import { collect, EXIT_DENIED, EXIT_OK, write, writeJson } from "../io.js";

interface DiffFlags {
  output: string;
  failOn: string;
}

interface ShowFlags {
  output: string;
}

interface HarborFlags {
  output: string;
  url?: string;
  username?: string;
  ca?: string[];
  timeout: string;
}

const FAIL_ON = ["info", "low", "medium", "high", "critical", "none"];

function outputFormat(value: string): "json" | "text" {
  if (value !== "json" && value !== "text")
    throw new CustomsError("USAGE", `--output must be json or text, got "${value}"`);
  return value;
}

export function registerVuln(program: Command): void {
  const vuln = program.command("vuln").description("read and compare vulnerability reports");
  vuln
    .command("diff")
    .description("report what NEW has that BASE has not (new, or more severe)")
    .argument(
      "<base>",
      "the older report (Trivy, Grype, SARIF, cosign attestation, Harbor, Customs JSON); - for stdin",
    )
    .argument("<new>", "the newer report; - for stdin")
    .option("-o, --output <format>", "json or text", "text")
    .option("--fail-on <severity>", `exit 1 at or above: ${FAIL_ON.join(", ")}`, "low")
    .action(async (basePath: string, newPath: string, flags: DiffFlags) => {
      const format = outputFormat(flags.output);
      if (!FAIL_ON.includes(flags.failOn))
        throw new CustomsError("USAGE", `--fail-on must be one of ${FAIL_ON.join(", ")}`);
      if (basePath === "-" && newPath === "-")
        throw new CustomsError("USAGE", "only one of BASE and NEW can be standard input");
      // Heavy modules load only when the command runs: CLI start-up stays fast.
      const { readVulnerabilityReport } = await import("../../app/vuln-read.js");
      const { diffVulnerabilityReports } = await import("../../app/vuln-diff.js");
      const { compareSeverity, isSeverity } = await import("../../core/findings/types.js");
      const base = await readVulnerabilityReport(basePath);
      const next = await readVulnerabilityReport(newPath);
      const report = diffVulnerabilityReports(base, next, newPath);
      if (format === "json") writeJson(report);
      else printFindings(report);
      const threshold = flags.failOn;
      const failed =
        isSeverity(threshold) &&
        report.findings.some((f) => compareSeverity(f.severity, threshold) >= 0);
      process.exitCode = failed ? EXIT_DENIED : EXIT_OK;
    });
  vuln
    .command("show")
    .description("print a vulnerability report as Customs reads it")
    .argument(
      "<report>",
      "Trivy, Grype, SARIF, cosign attestation, Harbor or Customs JSON report; - for stdin",
    )
    .option("-o, --output <format>", "json or text", "text")
    .action(async (path: string, flags: ShowFlags) => {
      const format = outputFormat(flags.output);
      const { readVulnerabilityReport } = await import("../../app/vuln-read.js");
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
    .option("-o, --output <format>", "json or text", "text")
    .option("--url <url>", "Harbor's URL (default: https:// and the image's host)")
    .option("--username <name>", "user or robot account; password in CUSTOMS_HARBOR_PASSWORD")
    .option("--ca <file>", "PEM CA certificate to trust (repeatable)", collect)
    .option("--timeout <ms>", "per request", "10000")
    .action(async (image: string, flags: HarborFlags) => {
      const format = outputFormat(flags.output);
      const timeoutMs = Number(flags.timeout);
      if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
        throw new CustomsError("USAGE", "--timeout must be a positive number of milliseconds");
      const { fetchHarborReport } = await import("../../app/vuln-harbor.js");
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

/** Until the shared findings printers take over: one line per finding. */
function printFindings(report: FindingReport): void {
  for (const f of report.findings) write(`${f.severity}\t${f.ruleId}\t${f.message}\n`);
  write(`${report.findings.length} new or more severe vulnerabilities\n`);
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

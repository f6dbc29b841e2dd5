import type { Command } from "commander";
import { readInputs } from "../../adapters/files/index.js";
import type { RegistryClient } from "../../adapters/registry/index.js";
import type { CheckReport } from "../../app/check/index.js";
import { isCheckFailing, toCheckFindings } from "../../app/check/index.js";
import { loadPolicySet } from "../../app/documents/index.js";
import { type FailOn, summarizeFindings } from "../../core/findings/index.js";
import {
  addFindingsOptions,
  clientFrom,
  type ExcludeFlags,
  excludeOption,
  type FactsFlags,
  FINDINGS_FORMATS,
  type FindingsFlags,
  factsOptions,
  parseExclude,
  parseFactsFlags,
  parseFindingsFlags,
  policyOption,
  type RegistryFlags,
  registryOptions,
} from "../flags/index.js";
import { examples } from "../help.js";
import { EXIT_DENIED, EXIT_OK, productVersion, writeChunks } from "../io.js";
import { toCheckHuman } from "../output/check-human.js";
import { checkJsonChunks } from "../output/check-json.js";
import { toCheckPolicyReports } from "../output/check-policyreport.js";
import { toCheckSarif } from "../output/check-sarif.js";
import { renderFindings } from "../output/findings.js";
import { createStyle, type Style } from "../output/style.js";

/** `check` prints the findings formats and, for CI, the PolicyReports the audit writes. */
export const CHECK_FORMATS = [...FINDINGS_FORMATS, "policyreport"] as const;
export type CheckFormat = (typeof CHECK_FORMATS)[number];

interface CheckFlags extends FindingsFlags, RegistryFlags, FactsFlags, ExcludeFlags {
  policy: string[];
  cluster?: string;
  verbose?: boolean;
}

/**
 * What `check` prints in the chosen format, and its exit status. Only the formats that show
 * line numbers (SARIF, JUnit, GitHub) look them up; the status never needs them.
 */
export function checkOutput(
  format: CheckFormat,
  report: CheckReport,
  failOn: FailOn,
  style: Style,
  verbose: boolean,
): { text: string; exitCode: number } {
  return {
    text: render(format, report, failOn, style, verbose),
    exitCode: isCheckFailing(report, failOn) ? EXIT_DENIED : EXIT_OK,
  };
}

/**
 * `check` keeps its own human, JSON (the spec's output contract) and SARIF (with resource
 * names as logical locations); JUnit and GitHub annotations come from the shared layer.
 */
function render(
  format: CheckFormat,
  report: CheckReport,
  failOn: FailOn,
  style: Style,
  verbose: boolean,
): string {
  if (format === "json") return [...checkJsonChunks(report)].join("");
  if (format === "sarif")
    return `${JSON.stringify(toCheckSarif(report, productVersion()), null, 2)}\n`;
  if (format === "human") return toCheckHuman(report, style, verbose);
  if (format === "policyreport") return toCheckPolicyReports(report, Date.now());
  const findings = [toCheckFindings(report)];
  return renderFindings(format, findings, summarizeFindings(findings, failOn), style);
}

export function registerCheck(program: Command): void {
  const command = factsOptions(
    excludeOption(policyOption(registryOptions(program.command("check"))))
      .description("check Kubernetes manifests against image policies")
      .option(
        "--cluster <name>",
        "cluster the manifests are for (for CLUSTER/NAMESPACE workspace entries)",
      )
      .option("-v, --verbose", "also list allowed resources"),
    60_000,
  ).argument("<inputs...>", "manifest files, folders, or - for standard input");
  examples(command, [
    ["check manifests against the policies in a folder", "customs check -p policies/ k8s/"],
    [
      "rendered Helm output, from standard input",
      "helm template app ./chart | customs check -p policies/ -",
    ],
    [
      "SARIF for code scanning, and a JUnit file beside it",
      "customs check -p policies/ -o sarif --report junit=customs.xml k8s/",
    ],
    [
      "the PolicyReports the cluster's audit would write (wgpolicyk8s.io/v1alpha2)",
      "customs check -p policies/ -o policyreport k8s/ > reports.yaml",
    ],
  ]);
  // A denial is severity high, a warning medium, an audit result info: the default
  // --fail-on high keeps the spec's exit status (1 exactly when something is denied).
  addFindingsOptions(command, "high", CHECK_FORMATS).action(
    async (inputs: string[], flags: CheckFlags) => {
      const parsed = parseFindingsFlags(flags, CHECK_FORMATS);
      const { set } = loadPolicySet(await readInputs(flags.policy));
      const { budgetMs, tagHandling } = parseFactsFlags(flags);
      const { checkWithFacts } = await import("../../app/check/facts.js");
      // Harbor's client (and the HTTP stack under it) loads only when a Harbor is named.
      const harbor =
        flags.harborUrl === undefined
          ? undefined
          : await (await import("../../app/supply/harbor.js")).harborOptionsFrom(flags);
      let client: RegistryClient | undefined;
      const registry = async () => {
        client ??= await clientFrom(flags);
        return client;
      };
      let report: CheckReport;
      try {
        report = await checkWithFacts(
          set,
          await readInputs(inputs, undefined, undefined, {
            exclude: parseExclude(flags),
          }),
          { cluster: flags.cluster },
          {
            registry,
            budgetMs,
            ...(tagHandling === undefined ? {} : { tagHandling }),
            ...(harbor === undefined ? {} : { harbor }),
          },
        );
      } finally {
        client?.close();
      }
      const verbose = flags.verbose === true;
      const plain = createStyle(process.stdout, { NO_COLOR: "1" });
      for (const { format, file } of parsed.reports) {
        const { writeFileSync } = await import("node:fs");
        writeFileSync(file, render(format, report, parsed.failOn, plain, verbose));
      }
      // Skipped files are said on stderr in every format, so that the report stays parseable.
      for (const note of report.notes ?? []) process.stderr.write(`note: ${note}\n`);
      if (parsed.output === "json") {
        // Written as it is made: a large report never exists as one text.
        await writeChunks(checkJsonChunks(report));
        process.exitCode = isCheckFailing(report, parsed.failOn) ? EXIT_DENIED : EXIT_OK;
        return;
      }
      const out = checkOutput(
        parsed.output,
        report,
        parsed.failOn,
        createStyle(process.stdout),
        verbose,
      );
      process.stdout.write(out.text);
      process.exitCode = out.exitCode;
    },
  );
}

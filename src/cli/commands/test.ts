import type { Command } from "commander";
import type { TestFileReport } from "../../app/policy-test/index.js";
import { CustomsError } from "../../core/errors.js";
import { type ExcludeFlags, excludeOption, parseExclude } from "../flags/index.js";
import { outputOption } from "../flags/output.js";
import { examples } from "../help.js";
import { EXIT_DENIED, EXIT_OK } from "../io.js";
import {
  summarizePolicyTests,
  toPolicyTestHuman,
  toPolicyTestJson,
  toPolicyTestJunit,
} from "../output/policy-test.js";
import { createStyle } from "../output/style.js";

const FORMATS = ["human", "json", "junit"] as const;

interface TestFlags extends ExcludeFlags {
  output: (typeof FORMATS)[number];
}

export function registerTest(program: Command): void {
  const command = excludeOption(
    program
      .command("test")
      .description(
        "run policy unit tests (customs-test.yaml files): decide their resources offline and compare with the expected results",
      )
      .addOption(outputOption(FORMATS, "human")),
  ).argument("[paths...]", "test files, or folders to find customs-test.yaml files in", ["."]);
  examples(command, [
    ["every test under the current folder", "customs test"],
    [
      "the tests of the examples, as JUnit for CI",
      "customs test -o junit examples > customs-tests.xml",
    ],
  ]);
  command.action(async (paths: string[], flags: TestFlags) => {
    const { findTestFiles, runPolicyTest } = await import("../../app/policy-test/index.js");
    const files = await findTestFiles(paths, parseExclude(flags));
    // Finding no test is an error, not a pass: a typo in a path must not make CI green.
    if (files.length === 0) {
      throw new CustomsError(
        "POLICY_TEST_INVALID",
        `no customs-test.yaml or *.customs-test.yaml found in ${paths.join(", ")}`,
      );
    }
    const reports: TestFileReport[] = [];
    for (const file of files) reports.push(await runPolicyTest(file));
    const text =
      flags.output === "json"
        ? `${JSON.stringify(toPolicyTestJson(reports), null, 2)}\n`
        : flags.output === "junit"
          ? toPolicyTestJunit(reports)
          : toPolicyTestHuman(reports, createStyle(process.stdout));
    process.stdout.write(text);
    process.exitCode = summarizePolicyTests(reports).failed === 0 ? EXIT_OK : EXIT_DENIED;
  });
}

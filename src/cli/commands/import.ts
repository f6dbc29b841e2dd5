import type { Command } from "commander";
import { readInputs } from "../../adapters/files/index.js";
import { formatUntranslated, importFromTexts } from "../../app/import/index.js";
import { CustomsError } from "../../core/errors.js";
import { IMPORT_FROM, type ImportFrom } from "../../core/import/index.js";
import { type OutputFormat, outputOption, YAML_OR_JSON } from "../flags/index.js";
import { examples } from "../help.js";
import { EXIT_DENIED, EXIT_OK, write } from "../io.js";
import { toYamlStream } from "./install.js";

interface ImportFlags {
  output: OutputFormat;
  owner?: string;
  expires?: string;
}

export function registerImport(program: Command): void {
  const command = program
    .command("import")
    .description(
      "translate Kyverno or Gatekeeper image policies into ImagePolicies (and exceptions)",
    )
    .argument("<from>", `where the policies come from: ${IMPORT_FROM.join(" or ")}`)
    .argument("<paths...>", "Kyverno or Gatekeeper policy files or folders (- for standard input)")
    .option(
      "--owner <owner>",
      "owner of the ImagePolicyExceptions made from Kyverno PolicyExceptions",
    )
    .option(
      "--expires <YYYY-MM-DD>",
      "expiry of the ImagePolicyExceptions made from Kyverno PolicyExceptions",
    )
    .addOption(outputOption(YAML_OR_JSON, "yaml"));
  examples(command, [
    [
      "Kyverno policies to ImagePolicies (exit 1 if a part was left out), then validated",
      "customs import kyverno kyverno/ > imported.yaml; customs policy validate imported.yaml",
    ],
    [
      "Gatekeeper constraints, with what was not translated as JSON",
      "customs import gatekeeper -o json constraints.yaml",
    ],
  ]);
  command.action(async (from: string, paths: string[], flags: ImportFlags) => {
    if (!(IMPORT_FROM as readonly string[]).includes(from)) {
      throw new CustomsError(
        "USAGE",
        `import: the first argument must be one of ${IMPORT_FROM.join(", ")}, got "${from}"`,
      );
    }
    if (flags.expires !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(flags.expires)) {
      throw new CustomsError(
        "USAGE",
        `--expires must be a date YYYY-MM-DD, got "${flags.expires}"`,
      );
    }
    const texts = await readInputs(paths);
    const result = importFromTexts(from as ImportFrom, texts, {
      ...(flags.owner === undefined ? {} : { owner: flags.owner }),
      ...(flags.expires === undefined ? {} : { expires: flags.expires }),
    });
    const documents = result.documents.map((d) => d.document);
    if (flags.output === "json") {
      write(`${JSON.stringify({ documents, untranslated: result.untranslated }, null, 2)}\n`);
    } else {
      write(toYamlStream(documents));
    }
    for (const note of result.notes) process.stderr.write(`note: ${note}\n`);
    // Never silent: every part left out is named, and the exit status tells CI.
    for (const u of result.untranslated)
      process.stderr.write(`untranslated: ${formatUntranslated(u)}\n`);
    process.exitCode = result.untranslated.length > 0 ? EXIT_DENIED : EXIT_OK;
  });
}

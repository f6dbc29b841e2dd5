import { Option } from "commander";
import { CustomsError } from "../../core/errors.js";
import { printable } from "../../core/policy/index.js";

/**
 * The one `-o` vocabulary: every command that prints a result takes `-o/--output` with the
 * formats of this list that apply to it (docs/cli.md).
 */
export const OUTPUT_FORMATS = [
  "human",
  "json",
  "yaml",
  "sarif",
  "junit",
  "github",
  "policyreport",
] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Spellings of earlier releases, still accepted with a note on standard error. */
const DEPRECATED: Readonly<Record<string, OutputFormat>> = { text: "human" };

/** `-o` of a command that prints human text or JSON. */
export const HUMAN_OR_JSON = ["human", "json"] as const satisfies readonly OutputFormat[];
/** `-o` of a command that prints Kubernetes objects. */
export const YAML_OR_JSON = ["yaml", "json"] as const satisfies readonly OutputFormat[];

/**
 * Checks one `-o` value: a USAGE error listing the allowed ones, or the format, an old
 * spelling mapped to its new name (with a note, so scripts get updated).
 */
export function parseOutputFormat<T extends OutputFormat>(
  value: string,
  allowed: readonly T[],
  flag = "-o/--output",
): T {
  const renamed = DEPRECATED[value];
  if (renamed !== undefined && (allowed as readonly string[]).includes(renamed)) {
    process.stderr.write(`customs: warning: ${flag} ${value} is deprecated; use ${renamed}\n`);
    return renamed as T;
  }
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new CustomsError(
    "USAGE",
    `${flag} must be one of ${allowed.join(", ")}, got "${printable(value, 40)}"`,
  );
}

/**
 * `-o, --output <format>`, checked when parsed (a typo is exit 2 before any work). The allowed
 * values are the option's choices, which help and shell completion show.
 */
export function outputOption<T extends OutputFormat>(allowed: readonly T[], fallback: T): Option {
  const option = new Option("-o, --output <format>", "output format")
    .default(fallback)
    .argParser((value: string) => parseOutputFormat(value, allowed));
  // Set by hand, not with .choices(): that would replace the parser above with commander's
  // own check, whose error is neither a CustomsError nor aware of old spellings.
  option.argChoices = [...allowed];
  return option;
}

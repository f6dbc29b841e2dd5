import type { Command } from "commander";

/**
 * An "Examples:" section at the end of a command's --help: each a comment saying what it does
 * and the command line, which can be copied as it is.
 */
export function examples(command: Command, list: readonly (readonly [string, string])[]): Command {
  const lines = list.map(([what, line]) => `  # ${what}\n  $ ${line}\n`).join("\n");
  return command.addHelpText("after", `\nExamples:\n${lines}`);
}

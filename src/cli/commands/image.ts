import { createInterface } from "node:readline";
import type { Command } from "commander";
import { CustomsError } from "../../core/errors.js";
import { printable } from "../../core/policy/index.js";
import { toImageParseOutput } from "../../core/reference/index.js";
import { HUMAN_OR_JSON, type OutputFormat, outputOption } from "../flags/index.js";
import { EXIT_INPUT, write } from "../io.js";

interface ParseFlags {
  output: OutputFormat;
  stdin?: boolean;
}

export function registerImage(program: Command): void {
  const image = program.command("image").description("work with image references");
  image
    .command("parse")
    .description("parse and normalize image references as container runtimes do")
    // JSON here is one object per line, so references can stream in from --stdin.
    .addOption(outputOption(HUMAN_OR_JSON, "human"))
    .option("--stdin", "read references from standard input, one per line")
    .argument("[refs...]", "image references")
    .action(async (refs: string[], flags: ParseFlags) => {
      if (!flags.stdin && refs.length === 0)
        throw new CustomsError("USAGE", "give image references, or --stdin");
      let failed = false;
      const emit = (ref: string) => {
        const out = toImageParseOutput(ref);
        if (out.error !== undefined) failed = true;
        if (flags.output === "json") write(`${JSON.stringify(out)}\n`);
        else if (out.error !== undefined)
          write(`"${printable(ref)}": error: ${printable(out.error, 300)}\n`);
        else write(`${out.normalized}\t${out.familiar}\n`);
      };
      for (const ref of refs) emit(ref);
      if (flags.stdin) {
        for await (const line of createInterface({
          input: process.stdin,
          crlfDelay: Number.POSITIVE_INFINITY,
        })) {
          if (line.trim() !== "") emit(line.trim());
        }
      }
      // Every line is printed either way; the exit code tells a script that one failed.
      if (failed) process.exitCode = EXIT_INPUT;
    });
}

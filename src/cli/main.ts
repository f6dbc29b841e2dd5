import { Command, CommanderError } from "commander";
import { isCustomsError } from "../core/errors.js";
import { registerAgent } from "./commands/agent.js";
import { registerCheck } from "./commands/check.js";
import { registerCi } from "./commands/ci.js";
import { registerCompile } from "./commands/compile.js";
import { registerControlPlane } from "./commands/control-plane.js";
import { registerDockerfile } from "./commands/dockerfile.js";
import { registerImage } from "./commands/image.js";
import { registerInstall } from "./commands/install.js";
import { registerPin } from "./commands/pin.js";
import { registerPolicy } from "./commands/policy.js";
import { registerRegistry } from "./commands/registry.js";
import { registerSecrets } from "./commands/secrets.js";
import { registerServe } from "./commands/serve.js";
import { registerVerify } from "./commands/verify.js";
import { registerVuln } from "./commands/vuln.js";
import { EXIT_INPUT, productVersion } from "./io.js";

export function buildProgram(): Command {
  const program = new Command("customs")
    .description("Decide which container images may run in Kubernetes, and enforce it.")
    .version(productVersion())
    .showHelpAfterError()
    .exitOverride();
  registerCheck(program);
  registerImage(program);
  registerPolicy(program);
  registerServe(program);
  registerControlPlane(program);
  registerInstall(program);
  registerCompile(program);
  registerPin(program);
  registerRegistry(program);
  registerCi(program);
  registerVuln(program);
  registerDockerfile(program);
  registerVerify(program);
  registerSecrets(program);
  registerAgent(program);
  for (const command of program.commands) {
    command.exitOverride();
    for (const sub of command.commands) sub.exitOverride();
  }
  return program;
}

/**
 * Entry point of bin/customs. Known errors become one clear message and exit 2; an
 * unexpected one is a bug, reported without a stack trace unless CUSTOMS_DEBUG is set.
 */
export async function main(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv], { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? 0 : EXIT_INPUT;
      return;
    }
    if (isCustomsError(e)) {
      process.stderr.write(`customs: ${e.message}\n`);
    } else {
      process.stderr.write(
        `customs: internal error: ${e instanceof Error ? e.message : String(e)}\n`,
      );
      if (process.env.CUSTOMS_DEBUG) process.stderr.write(`${e instanceof Error ? e.stack : ""}\n`);
    }
    process.exitCode = EXIT_INPUT;
  }
}

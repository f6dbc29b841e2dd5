import { Command, CommanderError } from "commander";
import { CustomsError } from "../core/errors.js";
import { registerAgent } from "./commands/agent.js";
import { registerCheck } from "./commands/check.js";
import { registerCi } from "./commands/ci.js";
import { registerCompile } from "./commands/compile.js";
import { registerCompletion } from "./commands/completion.js";
import { registerControlPlane } from "./commands/control-plane.js";
import { registerDockerfile } from "./commands/dockerfile.js";
import { registerImage } from "./commands/image.js";
import { registerImport } from "./commands/import.js";
import { registerInstall } from "./commands/install.js";
import { registerPin } from "./commands/pin.js";
import { registerPolicy } from "./commands/policy.js";
import { registerRegistry } from "./commands/registry.js";
import { registerSecrets } from "./commands/secrets.js";
import { registerServe } from "./commands/serve.js";
import { registerVerify } from "./commands/verify.js";
import { registerVuln } from "./commands/vuln.js";
import { asksForJson, reportError, setErrorFormat } from "./errors.js";
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
  registerImport(program);
  // Last: the completion script is made from every command registered before it.
  registerCompletion(program);
  for (const command of program.commands) {
    command.exitOverride();
    for (const sub of command.commands) sub.exitOverride();
  }
  return program;
}

/**
 * Under `-o json` commander's own messages (unknown option, missing argument) become JSON
 * errors too: its text output and the help it adds after an error are turned off.
 */
function quietCommander(command: Command): void {
  command.configureOutput({ outputError: () => undefined }).showHelpAfterError(false);
  for (const sub of command.commands) quietCommander(sub);
}

/** "error: unknown option '--x'" as commander words it, without its "error: ". */
function commanderMessage(e: CommanderError): string {
  return e.message.replace(/^error: /, "");
}

/**
 * Entry point of bin/customs. Known errors become one clear message (under `-o json`, one JSON
 * object) and exit 2; an unexpected one is a bug, reported without a stack trace unless
 * CUSTOMS_DEBUG is set.
 */
export async function main(argv: readonly string[]): Promise<void> {
  const json = asksForJson(argv);
  setErrorFormat(json ? "json" : "human");
  const program = buildProgram();
  if (json) quietCommander(program);
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? 0 : EXIT_INPUT;
      if (json && e.exitCode !== 0)
        reportError(new CustomsError("USAGE", commanderMessage(e), undefined, { cause: e }));
      return;
    }
    reportError(e);
  }
}

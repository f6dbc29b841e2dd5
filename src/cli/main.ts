import { Command, CommanderError } from "commander";
import { CustomsError } from "../core/errors.js";
import { asksForJson, reportError, setErrorFormat } from "./errors.js";
import { EXIT_INPUT, productVersion } from "./io.js";

type Register = (program: Command) => void;

/**
 * Every top-level command and the modules that register it, in the order `customs --help`
 * lists them. Each module is imported only when its command runs, so that `customs check`
 * does not load the webhook, the control plane, the registry client or bcrypt: start-up is
 * paid for what a command uses (docs/cli.md, "Start-up").
 */
const COMMANDS: readonly { readonly name: string; readonly load: () => Promise<Register[]> }[] = [
  { name: "check", load: async () => [(await import("./commands/check.js")).registerCheck] },
  {
    name: "image",
    // `image digest` and `image pin` join `image` from pin.ts.
    load: async () => [
      (await import("./commands/image.js")).registerImage,
      (await import("./commands/pin.js")).registerPin,
    ],
  },
  {
    name: "policy",
    // `policy impact` joins `policy` from policy-impact.ts.
    load: async () => [
      (await import("./commands/policy.js")).registerPolicy,
      (await import("./commands/policy-impact.js")).registerPolicyImpact,
    ],
  },
  {
    name: "serve",
    // `serve control-plane` joins `serve` from control-plane.ts.
    load: async () => [
      (await import("./commands/serve.js")).registerServe,
      (await import("./commands/control-plane.js")).registerControlPlane,
    ],
  },
  {
    name: "install",
    load: async () => [(await import("./commands/install.js")).registerInstall],
  },
  {
    name: "compile",
    load: async () => [(await import("./commands/compile.js")).registerCompile],
  },
  { name: "pin", load: async () => [(await import("./commands/pin.js")).registerPin] },
  {
    name: "registry",
    load: async () => [(await import("./commands/registry.js")).registerRegistry],
  },
  { name: "ci", load: async () => [(await import("./commands/ci.js")).registerCi] },
  { name: "vuln", load: async () => [(await import("./commands/vuln.js")).registerVuln] },
  {
    name: "dockerfile",
    load: async () => [(await import("./commands/dockerfile.js")).registerDockerfile],
  },
  { name: "verify", load: async () => [(await import("./commands/verify.js")).registerVerify] },
  {
    name: "secrets",
    load: async () => [(await import("./commands/secrets.js")).registerSecrets],
  },
  { name: "agent", load: async () => [(await import("./commands/agent.js")).registerAgent] },
  { name: "test", load: async () => [(await import("./commands/test.js")).registerTest] },
  { name: "import", load: async () => [(await import("./commands/import.js")).registerImport] },
  // Last: the completion script is made from every command registered before it.
  {
    name: "completion",
    load: async () => [(await import("./commands/completion.js")).registerCompletion],
  },
];

/** The command an argument list runs: its first word, when that names a command. */
function commandOf(argv: readonly string[]): string | undefined {
  const first = argv[0];
  if (first === undefined || first.startsWith("-")) return undefined;
  return COMMANDS.some((c) => c.name === first && c.name !== "completion") ? first : undefined;
}

/**
 * The program with every command, or with only `only` (what `main` runs: the rest is never
 * imported). Help without a command, an unknown command (whose suggestions need every
 * name) and `completion` get every command.
 */
export async function buildProgram(only?: string): Promise<Command> {
  const program = new Command("customs")
    .description("Decide which container images may run in Kubernetes, and enforce it.")
    .version(productVersion())
    .showHelpAfterError()
    .exitOverride();
  const wanted = COMMANDS.filter((c) => only === undefined || c.name === only);
  const registers = await Promise.all(wanted.map((c) => c.load()));
  // pin.ts serves two entries (`pin`, and `image`'s subcommands): registered once.
  for (const register of new Set(registers.flat())) register(program);
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
  const program = await buildProgram(commandOf(argv));
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

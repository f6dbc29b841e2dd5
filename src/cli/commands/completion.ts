import type { Command, Option } from "commander";
import { CustomsError } from "../../core/errors.js";
import { examples } from "../help.js";
import { write } from "../io.js";

/**
 * `customs completion bash|zsh|fish`: a completion script made from the command tree itself,
 * so that a new command, option or -o format is completed without anyone editing a script.
 */

interface Node {
  /** Subcommand names from the root, e.g. ["registry", "account", "list"]. */
  readonly path: readonly string[];
  readonly description: string;
  readonly subcommands: readonly string[];
  readonly options: readonly Option[];
}

function walk(command: Command, path: readonly string[], into: Node[]): Node[] {
  const help = command.createHelp();
  const subs = help.visibleCommands(command).filter((c) => c.name() !== "help");
  into.push({
    path,
    description: command.description(),
    subcommands: subs.map((c) => c.name()),
    options: help.visibleOptions(command),
  });
  for (const sub of subs) walk(sub, [...path, sub.name()], into);
  return into;
}

function optionWords(options: readonly Option[]): string[] {
  return options.flatMap((o) => [o.short, o.long].filter((w): w is string => w !== undefined));
}

/** Option words that take a value: completing after them offers the value, not a command. */
function takesValue(o: Option): boolean {
  return o.required || o.optional;
}

const SHELL_WORD = /^[A-Za-z0-9_./:=-]+$/;

/** Every word the scripts embed comes from the command tree, but is checked all the same. */
function word(w: string): string {
  if (!SHELL_WORD.test(w))
    throw new CustomsError("INTERNAL", `completion: "${w}" is not a plain word`);
  return w;
}

export function bashCompletion(program: Command): string {
  const nodes = walk(program, [], []);
  const key = (path: readonly string[]) => path.map((p) => `/${word(p)}`).join("");
  const known = nodes.filter((n) => n.path.length > 0).map((n) => key(n.path));
  const words = nodes.map(
    (n) =>
      `    "${key(n.path)}") words="${[...n.subcommands, ...optionWords(n.options)].map(word).join(" ")}" ;;`,
  );
  const values: string[] = [];
  for (const n of nodes) {
    for (const o of n.options.filter(takesValue)) {
      const choices = (o.argChoices ?? []).map(word).join(" ");
      for (const flag of optionWords([o])) {
        values.push(`    "${key(n.path)} ${word(flag)}") values="${choices}" ;;`);
      }
    }
  }
  return `# customs completion for bash: source <(customs completion bash)
_customs_completion() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local path="" w i words="" values="-"
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case "$path/$w" in
      ${known.join("|")}) path="$path/$w" ;;
    esac
  done
  case "$path $prev" in
${values.join("\n")}
  esac
  if [[ "$values" != "-" ]]; then
    # An option's value: its formats when it has a list of them, else files (-o default).
    COMPREPLY=($(compgen -W "$values" -- "$cur"))
    return
  fi
  case "$path" in
${words.join("\n")}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _customs_completion customs
`;
}

export function zshCompletion(program: Command): string {
  // zsh runs bash completion functions through bashcompinit, which ships with zsh.
  return `# customs completion for zsh: source <(customs completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(program).replace(/^# .*\n/, "")}`;
}

function fishQuote(text: string): string {
  return `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

export function fishCompletion(program: Command): string {
  const nodes = walk(program, [], []);
  const lines = [
    "# customs completion for fish: customs completion fish | source",
    "complete -c customs -f",
  ];
  const condition = (path: readonly string[]) =>
    path.length === 0
      ? "__fish_use_subcommand"
      : path.map((p) => `__fish_seen_subcommand_from ${word(p)}`).join("; and ");
  for (const n of nodes) {
    const cond = condition(n.path);
    for (const sub of nodes.filter(
      (m) => m.path.length === n.path.length + 1 && n.path.every((p, i) => m.path[i] === p),
    )) {
      const name = word(sub.path[sub.path.length - 1] as string);
      const notYet = `not __fish_seen_subcommand_from ${n.subcommands.map(word).join(" ")}`;
      const when = n.path.length === 0 ? cond : `${cond}; and ${notYet}`;
      lines.push(
        `complete -c customs -n ${fishQuote(when)} -a ${name} -d ${fishQuote(sub.description)}`,
      );
    }
    for (const o of n.options) {
      const parts = [`complete -c customs -n ${fishQuote(cond)}`];
      if (o.short) parts.push(`-s ${word(o.short.replace(/^-/, ""))}`);
      if (o.long) parts.push(`-l ${word(o.long.replace(/^--/, ""))}`);
      if (takesValue(o))
        parts.push(o.argChoices ? `-x -a ${fishQuote(o.argChoices.map(word).join(" "))}` : "-r -F");
      parts.push(`-d ${fishQuote(o.description)}`);
      lines.push(parts.join(" "));
    }
  }
  return `${lines.join("\n")}\n`;
}

const SHELLS = { bash: bashCompletion, zsh: zshCompletion, fish: fishCompletion } as const;

export function registerCompletion(program: Command): void {
  const command = program
    .command("completion")
    .description("print a shell completion script (bash, zsh or fish)")
    .argument("<shell>", Object.keys(SHELLS).join(", "))
    .action((shell: string) => {
      const make = SHELLS[shell as keyof typeof SHELLS];
      if (make === undefined || !Object.hasOwn(SHELLS, shell))
        throw new CustomsError(
          "USAGE",
          `completion: the shell must be one of bash, zsh, fish, got "${shell}"`,
        );
      write(make(program));
    });
  examples(command, [
    ["bash, for this shell", "source <(customs completion bash)"],
    ["bash, for every new shell", "customs completion bash > /etc/bash_completion.d/customs"],
    ["zsh", "echo 'source <(customs completion zsh)' >> ~/.zshrc"],
    ["fish", "customs completion fish > ~/.config/fish/completions/customs.fish"],
  ]);
}

import type { RuleContext, RuleHit } from "./check-types.js";
import { commandWords, type ShellCommand, splitCommands } from "./shell.js";
import type { EscapeChar, Instruction } from "./syntax.js";
import { execForm, leadingFlags, splitWords } from "./words.js";

/** The shell script a RUN runs: its command, and its here-documents' bodies. */
export function runScript(run: Instruction, esc: EscapeChar): { script: string; mounts: string } {
  const { flags, rest } = leadingFlags(splitWords(run.args, esc));
  const mounts = flags.get("mount") ?? "";
  const first = rest[0];
  const command = first === undefined ? "" : run.args.slice(first.index);
  const exec = execForm(command);
  let script = command;
  if (exec !== undefined) {
    const c = exec.indexOf("-c");
    script = c !== -1 && c + 1 < exec.length ? (exec[c + 1] as string) : exec.join(" ");
  }
  // A here-document after RUN is the script itself (RUN <<EOF) or the input of the
  // command (RUN bash <<EOF); both are shell code that runs.
  for (const doc of run.heredocs) script += `\n${doc.body}`;
  return { script, mounts };
}

const SHELLS = new Set(["sh", "bash", "zsh", "ash", "dash", "ksh", "fish"]);
const FETCHERS = /(?:^|[\s(`;|&])(?:curl|wget)\s/;

function isInstall(words: readonly string[], program: string[], verb: string[]): boolean {
  return program.includes(words[0] ?? "") && words.slice(1).some((w) => verb.includes(w));
}

/** Package words after `install` (options and their values skipped). */
function packagesOf(words: readonly string[]): string[] {
  const at = words.indexOf("install");
  const out: string[] = [];
  for (let i = at + 1; i < words.length; i++) {
    const w = words[i] as string;
    if (w === "-o" || w === "-t" || w === "--target-release") i++;
    else if (!w.startsWith("-")) out.push(w);
  }
  return out;
}

function aptHits(run: Instruction, commands: ShellCommand[], mounts: string): RuleHit[] {
  const hits: RuleHit[] = [];
  const words = commands.map(commandWords);
  const installs = words.filter((w) => isInstall(w, ["apt-get", "apt"], ["install"]));
  if (installs.length === 0) return hits;
  const recommendsOff = (w: readonly string[]) =>
    w.includes("--no-install-recommends") ||
    w.some((x) => /^APT::Install-Recommends=(?:false|0|no)$/i.test(x));
  if (installs.some((w) => !recommendsOff(w))) {
    hits.push({
      ruleId: "CD009",
      instruction: run,
      message: "apt-get install without --no-install-recommends",
    });
  }
  // A cache mount keeps the lists out of the layer as well as removing them would.
  const cached = /target=\/var\/lib\/apt(?:\/lists)?\/?(?:,|$|\n)/.test(mounts);
  const removed = words.some(
    (w) => w[0] === "rm" && w.slice(1).some((a) => a.startsWith("/var/lib/apt/lists")),
  );
  if (!cached && !removed) {
    hits.push({
      ruleId: "CD010",
      instruction: run,
      message: "apt-get install without rm -rf /var/lib/apt/lists/* in the same RUN",
    });
  }
  const unpinned = installs
    .flatMap(packagesOf)
    .filter((p) => !p.includes("=") && !p.endsWith(".deb") && !p.includes("$"));
  if (unpinned.length > 0) {
    hits.push({
      ruleId: "CD011",
      instruction: run,
      message: `apt-get install without a version for ${unpinned.slice(0, 5).join(", ")}${unpinned.length > 5 ? ", …" : ""}`,
      properties: { packages: unpinned.join(" ") },
    });
  }
  return hits;
}

function apkHits(run: Instruction, commands: ShellCommand[], mounts: string): RuleHit[] {
  const words = commands.map(commandWords);
  const adds = words.filter((w) => isInstall(w, ["apk"], ["add"]));
  const cached = /target=\/var\/cache\/apk\/?(?:,|$|\n)/.test(mounts);
  const removed = words.some(
    (w) => w[0] === "rm" && w.slice(1).some((a) => a.startsWith("/var/cache/apk")),
  );
  if (cached || removed || adds.every((w) => w.includes("--no-cache"))) return [];
  return [{ ruleId: "CD012", instruction: run, message: "apk add without --no-cache" }];
}

/** curl/wget piped into a shell, or a shell given a download as its script. */
function pipeHits(run: Instruction, commands: ShellCommand[]): RuleHit[] {
  for (let i = 1; i < commands.length; i++) {
    const command = commands[i] as ShellCommand;
    const previous = commandWords(commands[i - 1] as ShellCommand)[0] ?? "";
    const program = commandWords(command)[0] ?? "";
    if (command.joinedBy === "|" && ["curl", "wget"].includes(previous) && SHELLS.has(program)) {
      return [pipeHit(run, `${previous} … | ${program}`)];
    }
  }
  for (const command of commands) {
    const [program, ...args] = commandWords(command);
    if (SHELLS.has(program ?? "") && args.some((a) => /^[$<]\(|^`/.test(a) && FETCHERS.test(a))) {
      return [pipeHit(run, `${program} with a downloaded script`)];
    }
  }
  return [];
}

function pipeHit(run: Instruction, what: string): RuleHit {
  return {
    ruleId: "CD013",
    instruction: run,
    message: `${what}: a downloaded script runs unverified`,
  };
}

function sudoHits(run: Instruction, commands: ShellCommand[]): RuleHit[] {
  // The program word: the first one that is not a `VAR=value` assignment.
  const program = (c: ShellCommand) => c.words.find((w) => !/^[A-Za-z_]\w*=/.test(w)) ?? "";
  const used = commands.some((c) => /(?:^|\/)sudo$/.test(program(c)));
  return used ? [{ ruleId: "CD017", instruction: run, message: "RUN uses sudo" }] : [];
}

/** CD009–CD013 and CD017: what RUN scripts do. */
export function checkRuns({ file }: RuleContext): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const stage of file.stages) {
    for (const run of stage.instructions) {
      if (run.keyword !== "RUN") continue;
      const { script, mounts } = runScript(run, file.syntax.escape);
      const commands = splitCommands(script);
      hits.push(
        ...aptHits(run, commands, mounts),
        ...apkHits(run, commands, mounts),
        ...pipeHits(run, commands),
        ...sudoHits(run, commands),
      );
    }
  }
  return hits;
}

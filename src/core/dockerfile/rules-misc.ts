import { printable } from "../policy/index.js";
import type { RuleContext, RuleHit } from "./check-types.js";
import type { Dockerfile, Stage } from "./model.js";
import { type Instruction, positionOf } from "./syntax.js";
import { execForm, keyValues, leadingFlags, splitWords, unquote } from "./words.js";

/** Line and column of the character at `index` of an instruction's arguments. */
function wordAt(file: Dockerfile, instruction: Instruction, index: number) {
  return positionOf(file.syntax, instruction.offsets[index] ?? instruction.offsets[0] ?? 0);
}

/** The last USER of a stage, following FROM <stage> back when the stage sets none. */
function lastUser(
  file: Dockerfile,
  stage: Stage,
  seen = new Set<number>(),
): Instruction | undefined {
  const users = stage.instructions.filter((i) => i.keyword === "USER");
  if (users.length > 0) return users[users.length - 1];
  if (stage.base.kind !== "stage" || seen.has(stage.index)) return undefined;
  seen.add(stage.index);
  const parent = file.stages.find((s) => s.name === stage.base.value.toLowerCase());
  return parent === undefined ? undefined : lastUser(file, parent, seen);
}

/** CD005, CD006: who the final stage runs as. */
export function checkUser({ file }: RuleContext): RuleHit[] {
  const final = file.stages[file.stages.length - 1];
  if (final === undefined) return [];
  const user = lastUser(file, final);
  if (user === undefined) {
    return [{ ruleId: "CD005", instruction: final.from, message: "the final stage sets no USER" }];
  }
  const name = unquote(user.args.trim(), file.syntax.escape).split(":")[0] ?? "";
  if (name === "root" || name === "0") {
    return [{ ruleId: "CD006", instruction: user, message: "the final stage runs as root" }];
  }
  return [];
}

const ARCHIVE = /\.(?:tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst|tzst)$/i;
const GIT = /^(?:git@|[a-z+]+:\/\/[^\s]*\.git(?:#\S*)?$|git:\/\/)/i;

/** CD007, CD008: ADD of a local file, ADD of a URL without a checksum. */
export function checkAdd({ file }: RuleContext): RuleHit[] {
  const hits: RuleHit[] = [];
  const esc = file.syntax.escape;
  for (const add of file.syntax.instructions.filter((i) => i.keyword === "ADD")) {
    const { flags, rest } = leadingFlags(splitWords(add.args, esc));
    const first = rest[0];
    const json = first === undefined ? undefined : execForm(add.args.slice(first.index));
    const all = json ?? rest.map((w) => unquote(w.text, esc));
    const sources = all.slice(0, -1).filter((s) => !/^\d*<</.test(s));
    const urls = sources.filter((s) => /^https?:\/\//i.test(s) && !GIT.test(s));
    if (urls.length > 0 && !flags.has("checksum")) {
      hits.push({
        ruleId: "CD008",
        instruction: add,
        message: `ADD downloads ${printable(urls[0] ?? "")} without --checksum`,
      });
    }
    const local = sources.filter((s) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(s) && !GIT.test(s));
    if (local.some((s) => !ARCHIVE.test(s))) {
      hits.push({ ruleId: "CD007", instruction: add, message: "ADD of a local file; use COPY" });
    }
  }
  return hits;
}

/** CD014, CD015: the form of CMD and ENTRYPOINT, and repeated CMDs. */
export function checkCommands({ file }: RuleContext): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const stage of file.stages) {
    let cmds = 0;
    for (const i of stage.instructions) {
      if (i.keyword !== "CMD" && i.keyword !== "ENTRYPOINT") continue;
      if (i.keyword === "CMD" && ++cmds > 1) {
        hits.push({
          ruleId: "CD015",
          instruction: i,
          message: "a second CMD in this stage replaces the first",
        });
      }
      if (i.args.trim() !== "" && execForm(i.args) === undefined) {
        hits.push({ ruleId: "CD014", instruction: i, message: `${i.keyword} in shell form` });
      }
    }
  }
  return hits;
}

/** CD016, CD018: WORKDIR paths, MAINTAINER. */
export function checkMisc({ file }: RuleContext): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const i of file.syntax.instructions) {
    if (i.keyword === "MAINTAINER") {
      hits.push({ ruleId: "CD018", instruction: i, message: "MAINTAINER is deprecated" });
    }
    if (i.keyword === "WORKDIR") {
      const path = unquote(i.args.trim(), file.syntax.escape);
      if (path !== "" && !/^(?:\/|\$|[A-Za-z]:[\\/])/.test(path)) {
        hits.push({
          ruleId: "CD016",
          instruction: i,
          message: `WORKDIR ${printable(path)} is relative`,
        });
      }
    }
  }
  return hits;
}

const SECRET_NAME =
  /PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL/;
/** Names that hold where a secret is, or something about it, rather than the secret. */
const NOT_SECRET = /_(?:FILE|PATH|DIR|URL|URI|HOST|PORT|NAME|USER|USERNAME|LENGTH|TTL|TYPE)$/;
const ONLY_VARIABLES = /^(?:\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*)+$/;

/** CD019: a literal value for a secret-looking ENV or ARG; the value is never repeated. */
export function checkSecrets({ file }: RuleContext): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const i of file.syntax.instructions) {
    if (i.keyword !== "ENV" && i.keyword !== "ARG") continue;
    for (const { key, value, index } of keyValues(i, file.syntax.escape)) {
      const upper = key.toUpperCase();
      if (!SECRET_NAME.test(upper) || NOT_SECRET.test(upper)) continue;
      if (value === undefined || value === "" || ONLY_VARIABLES.test(value)) continue;
      hits.push({
        ruleId: "CD019",
        instruction: i,
        redacted: true,
        ...wordAt(file, i, index),
        message: `${i.keyword} ${printable(key, 80)} is set to a literal value (not shown)`,
      });
    }
  }
  return hits;
}

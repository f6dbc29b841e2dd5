import { CustomsError } from "../errors.js";
import type { Finding } from "../findings/types.js";
import { printable } from "../policy/index.js";
import type { BasePolicy, Rule, RuleContext, RuleHit, StageSelection } from "./check-types.js";
import { type DockerfileConfig, EMPTY_CONFIG } from "./config.js";
import { type Dockerfile, readDockerfile } from "./model.js";
import { RULE_IDS, ruleById } from "./rules.js";
import { checkBasePolicies, checkBaseReferences } from "./rules-base.js";
import { checkAdd, checkCommands, checkMisc, checkSecrets, checkUser } from "./rules-misc.js";
import { checkRuns } from "./rules-run.js";

const RULES: readonly Rule[] = [
  checkBaseReferences,
  checkBasePolicies,
  checkUser,
  checkAdd,
  checkRuns,
  checkCommands,
  checkMisc,
  checkSecrets,
];

/** Reads a Dockerfile; throws DOCKERFILE_INVALID naming `source:line` of each problem. */
export function parseDockerfile(text: string, source: string): Dockerfile {
  const file = readDockerfile(text);
  if (file.problems.length > 0) {
    const lines = file.problems.map((p) => `${source}:${p.line}: ${p.message}`);
    throw new CustomsError("DOCKERFILE_INVALID", lines.join("\n"));
  }
  return file;
}

export interface Ignores {
  /** Rules ignored for the whole file. */
  readonly file: ReadonlySet<string>;
  /** Rules ignored per instruction, by the instruction's first line. */
  readonly byLine: ReadonlyMap<number, ReadonlySet<string>>;
}

const IGNORE = /^customs-ignore(-file)?[ \t]+([A-Za-z0-9,]+)/;

/**
 * `# customs-ignore CD001,CD003 reason` applies to the next instruction;
 * `# customs-ignore-file CD005` anywhere applies to the whole file. Text after the list is
 * a free-form reason.
 */
export function readIgnores(file: Dockerfile): Ignores {
  const whole = new Set<string>();
  const byLine = new Map<number, Set<string>>();
  for (const comment of file.syntax.comments) {
    const m = IGNORE.exec(comment.text);
    if (m === null) continue;
    const ids = (m[2] ?? "").split(",").map((id) => id.trim().toUpperCase());
    if (m[1] !== undefined) {
      for (const id of ids) whole.add(id);
      continue;
    }
    const next = file.syntax.instructions.find((i) => i.line > comment.line);
    if (next === undefined) continue;
    const set = byLine.get(next.line) ?? new Set<string>();
    for (const id of ids) set.add(id);
    byLine.set(next.line, set);
  }
  return { file: whole, byLine };
}

function toFinding(
  hit: RuleHit,
  source: string,
  severity: Finding["severity"],
  fingerprint: ((seed: string) => string) | undefined,
): Finding {
  const rule = ruleById(hit.ruleId);
  const i = hit.instruction;
  const what = hit.redacted ? i.keyword : `${i.keyword} ${i.args}`;
  return {
    tool: "dockerfile",
    ruleId: hit.ruleId,
    severity,
    message: hit.message,
    location: {
      path: source,
      line: hit.line ?? i.line,
      column: hit.column ?? i.column,
      endLine: i.endLine,
    },
    fix: rule?.fix,
    // The instruction's text, not its line: a finding keeps its fingerprint when lines move.
    fingerprint: fingerprint?.(`${hit.ruleId}\n${source}\n${what}\n${hit.message}`),
    properties: hit.properties,
  };
}

export interface LintOptions {
  readonly config?: DockerfileConfig;
  readonly policy?: BasePolicy;
  /** Which stages' base images CD004 judges; the configuration's `stages`, else `final`. */
  readonly stages?: StageSelection;
  /** The stage built, as `docker build --target`: CD004 judges the image it is made of. */
  readonly target?: string;
  /** Turns a finding's identity (rule, file, instruction text, message) into a fingerprint. */
  readonly fingerprint?: (seed: string) => string;
}

/** Every finding of one Dockerfile after ignores and configuration, in file order. */
export function evaluateDockerfile(
  file: Dockerfile,
  source: string,
  options: LintOptions = {},
): Finding[] {
  const config = options.config ?? EMPTY_CONFIG;
  const target = options.target;
  if (target !== undefined && !file.stages.some((s) => s.name === target.toLowerCase())) {
    // As docker build: a target that names no stage is a mistake, not an empty build.
    throw new CustomsError("USAGE", `${source}: no stage named ${printable(target)} (target)`);
  }
  const context: RuleContext = {
    file,
    policy: options.policy,
    // A target names the stage shipped, which is more specific than the configuration's `all`.
    stages: options.stages ?? (target === undefined ? config.stages : undefined) ?? "final",
    ...(target === undefined ? {} : { target }),
  };
  const ignores = readIgnores(file);
  const findings: Finding[] = [];
  for (const rule of RULES) {
    for (const hit of rule(context)) {
      const setting = config.rules.get(hit.ruleId);
      if (setting === "off" || ignores.file.has(hit.ruleId)) continue;
      if (ignores.byLine.get(hit.instruction.line)?.has(hit.ruleId)) continue;
      const severity = setting ?? hit.severity ?? ruleById(hit.ruleId)?.severity ?? "info";
      findings.push(toFinding(hit, source, severity, options.fingerprint));
    }
  }
  return findings.sort(
    (a, b) =>
      (a.location?.line ?? 0) - (b.location?.line ?? 0) ||
      (a.location?.column ?? 0) - (b.location?.column ?? 0) ||
      RULE_IDS.indexOf(a.ruleId) - RULE_IDS.indexOf(b.ruleId),
  );
}

export { type BasePolicy, STAGE_SELECTIONS, type StageSelection } from "./check-types.js";
export { type DockerfileConfig, EMPTY_CONFIG, parseDockerfileConfig } from "./config.js";
export {
  evaluateDockerfile,
  type Ignores,
  type LintOptions,
  parseDockerfile,
  readIgnores,
} from "./lint.js";
export {
  type BaseImage,
  type BaseKind,
  type Dockerfile,
  readDockerfile,
  type Stage,
} from "./model.js";
export { DOCKERFILE_RULES, RULE_IDS, ruleById } from "./rules.js";
export { judgedStages } from "./rules-base.js";
export { runScript } from "./rules-run.js";
export { commandWords, type ShellCommand, splitCommands } from "./shell.js";
export { type Expansion, expandVariables } from "./substitute.js";
export {
  type Comment,
  type Directive,
  type DockerfileSyntax,
  type EscapeChar,
  type Heredoc,
  type Instruction,
  KEYWORDS,
  positionOf,
  type SyntaxProblem,
  scanDockerfile,
} from "./syntax.js";
export { execForm, keyValues, leadingFlags, splitWords, unquote, type Word } from "./words.js";

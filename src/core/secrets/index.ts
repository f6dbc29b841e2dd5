export { compileGlob, type Glob, matchGlob } from "../glob.js";
export {
  applyBaseline,
  BASELINE_STALE,
  BASELINE_STALE_RULE,
  type Baseline,
  type BaselineApplied,
  type BaselineEntry,
  buildBaseline,
  staleNotes,
  validateBaseline,
} from "./baseline.js";
export { builtinDetectors } from "./builtin.js";
export {
  EMPTY_SECRETS_CONFIG,
  type RegexCompiler,
  type SecretsConfig,
  validateSecretsConfig,
} from "./config.js";
export { DOCKER_CONFIG_SCANNER, decodeBase64 } from "./docker-config.js";
export { shannonEntropy } from "./entropy.js";
export { KeywordMatcher } from "./keywords.js";
export {
  type DecodedEntry,
  decodeSecretEntry,
  type KubeSecret,
  type KubeSecretEntry,
  secretLabel,
} from "./kube-secret.js";
export { redactSecret } from "./redact.js";
export { compileScanRules, isIgnoredOnLine, type ScanRules, scanText } from "./scan.js";
export { classifyPath, isLockfile } from "./text-kind.js";
export type {
  Confidence,
  Detector,
  RegexHit,
  SecretMatch,
  SecretRegex,
  TextKind,
} from "./types.js";

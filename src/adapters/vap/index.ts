export {
  type BuildVapOptions,
  type KubeLabelSelector,
  scopeRequirements,
  validationActionsOf,
} from "./binding.js";
export {
  buildVap,
  canCompileToVap,
  MAX_RULE_REGEX_CHARS,
  type VapCompilability,
  VapCompileError,
  type VapObjects,
  vapVariables,
} from "./build.js";
export { celString } from "./cel.js";
export {
  EXCEPTIONS_ANNOTATION,
  exceptionsFor,
  RECOMPILE_BY_ANNOTATION,
  type VapExceptionOptions,
} from "./exceptions.js";
export { type CelVariable, DOCKER_HUB_HOSTS, imageVariables } from "./images.js";
export { objectName } from "./names.js";
export { patternRegex, policyRegexes } from "./rules.js";

/**
 * The flags several commands share, declared once so that a flag means the same thing, with
 * the same help and the same checks, wherever it appears.
 */
export { type ExcludeFlags, excludeOption, parseExclude } from "./exclude.js";
export {
  addFindingsOptions,
  FINDINGS_FORMATS,
  type FindingsFlags,
  type FindingsFormat,
  type ParsedFindingsFlags,
  parseFindingsFlags,
} from "./findings.js";
export {
  HUMAN_OR_JSON,
  OUTPUT_FORMATS,
  type OutputFormat,
  outputOption,
  parseOutputFormat,
  YAML_OR_JSON,
} from "./output.js";
export { policyOption } from "./policy.js";
export {
  clientFrom,
  type FactsFlags,
  factsOptions,
  parseFactsFlags,
  type RegistryFlags,
  registryOptions,
} from "./registry.js";

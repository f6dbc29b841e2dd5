export {
  type CompiledPolicy,
  type CompiledPolicySet,
  type CompiledRule,
  compilePolicy,
  compilePolicySet,
  ruleMatches,
} from "./compile.js";
export { describeAge, toDurationMs, toExpiryMs } from "./duration.js";
export {
  type CompiledException,
  compileException,
  exceptionCovers,
} from "./exception-compile.js";
export {
  ALL_POLICIES,
  EXCEPTION_KIND,
  type ImagePolicyException,
  relaxesPolicy,
  type WorkloadMatch,
} from "./exception-types.js";
export {
  EXCEPTION_SPEC_FIELDS,
  EXCEPTION_WORKLOAD_KINDS,
  lintExceptionPolicies,
} from "./exception-validate.js";
export { exemptIndex, exemptKey, MAX_EXEMPT_IMAGES } from "./exempt.js";
export { checkExtensions, type ExtensionIssue, extensionsByParent } from "./extensions.js";
export {
  checkPattern,
  compilePattern,
  MAX_PATTERN_LENGTH,
  matchPattern,
  type Pattern,
  printable,
} from "./pattern.js";
export type { CompiledRegex, RegexCompilation, RegexEngine } from "./regex.js";
export { MAX_REGEX_LENGTH } from "./regex.js";
export { MAX_TAG_VALUES } from "./rules.js";
export { isDnsLabel, isLabelKey, isLabelValue, matchesSelector } from "./selector.js";
export {
  type CompiledAuthority,
  type CompiledLabel,
  type CompiledSupply,
  compileMatch,
  type Matcher,
} from "./supply-compile.js";
export { EXPIRY_WARNING_MS } from "./supply-lint.js";
export {
  type AllowlistEntry,
  type Authority,
  type BaseImagesInput,
  isSupplyRecipe,
  type KeySource,
  type LabelRequirement,
  type LabelsInput,
  type MaxAgeInput,
  type MaxSizeInput,
  MISSING_REPORT,
  type MissingReport,
  type NoVolumesInput,
  type ProvenanceInput,
  SEVERITY_THRESHOLDS,
  type SeverityThreshold,
  type SignatureInput,
  SUPPLY_RECIPES,
  type SupplyInput,
  type SupplyRecipe,
  TAG_HANDLINGS,
  type TagHandling,
  type TextMatch,
  type TrustedRoot,
  type VulnerabilityInput,
} from "./supply-types.js";
export { SUPPLY_INPUT_FIELDS } from "./supply-validate.js";
export {
  ACTIONS,
  type Action,
  API_VERSION,
  DEFAULT_EXEMPT_NAMESPACES,
  type DocumentOrigin,
  EXTENSIBLE_RECIPES,
  IMAGE_INPUT_FIELDS,
  IMAGE_RECIPES,
  type ImagePolicy,
  type ImageRecipe,
  type LabelSelector,
  type LabelSelectorRequirement,
  NAMESPACE_NAME_LABEL,
  type NamespaceRef,
  POD_RECIPES,
  type PolicyExtension,
  type PolicyIssue,
  type PolicyRule,
  type PolicyScope,
  RECIPE_RULE_FIELDS,
  RECIPES,
  type Recipe,
  type RuleField,
  type TagMatch,
  WORKSPACE_LABEL,
  type Workspace,
} from "./types.js";
export {
  isCustomsDocument,
  METADATA_FIELDS,
  type ValidatedDocument,
  type ValidateOptions,
  validateDocument,
} from "./validate.js";
export { compareVersions, formatVersion, parseVersion, type Version } from "./version.js";

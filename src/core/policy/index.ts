export {
  type CompiledPolicy,
  type CompiledPolicySet,
  type CompiledRule,
  compilePolicy,
  compilePolicySet,
  ruleMatches,
} from "./compile.js";
export { checkPattern, compilePattern, matchPattern, type Pattern, printable } from "./pattern.js";
export { isDnsLabel, isLabelKey, isLabelValue, matchesSelector } from "./selector.js";
export {
  ACTIONS,
  type Action,
  API_VERSION,
  type DocumentOrigin,
  type ImagePolicy,
  type LabelSelector,
  type LabelSelectorRequirement,
  NAMESPACE_NAME_LABEL,
  type NamespaceRef,
  type PolicyIssue,
  type PolicyRule,
  type PolicyScope,
  RECIPE_RULE_FIELDS,
  RECIPES,
  type Recipe,
  type TagMatch,
  WORKSPACE_LABEL,
  type Workspace,
} from "./types.js";
export { isCustomsDocument, type ValidatedDocument, validateDocument } from "./validate.js";

export { VIOLATION_DESCRIPTIONS } from "./codes.js";
export { describeAllowed, describeRule } from "./describe.js";
export { createEvaluator, type Evaluator, type EvaluatorOptions, verdictOf } from "./evaluator.js";
export { type ExemptionResult, exceptionsInScope, exemptViolations } from "./exceptions.js";
export {
  type ExplainContext,
  type ExtensionExplanation,
  explainImage,
  type PolicyExplanation,
} from "./explain.js";
export { type ImageFacts, ImageFactsCache, toImageFacts } from "./image-facts.js";
export { isPodPolicy } from "./pod-recipes.js";
export {
  isProvenanceType,
  isSbomType,
  type Provenance,
  SLSA_V1,
  SLSA_V02,
  toProvenance,
  toRepositoryUrl,
} from "./provenance.js";
export { keyCovers } from "./pull-secret.js";
export { checkRecipe, explainPass, type RecipeFailure } from "./recipes.js";
export {
  type Applicability,
  applicability,
  describeScope,
  type NamespaceFacts,
  toNamespaceFacts,
  workspacesOf,
} from "./scope.js";
export { evaluateSupply, factNeeds, isSupplyPolicy } from "./supply.js";
export { imagesNeedingFacts, withSupplyFacts } from "./supply-evaluator.js";
export { BASE_NAME_ANNOTATION, isRootUser } from "./supply-metadata.js";
export { REFUSE_TAGS, type TagRule, tagHandlingOf } from "./supply-tags.js";
export { type FactNeeds, NO_NEEDS, type SupplyFailure } from "./supply-types.js";
export { failingFindings, SEVERITY_RANK } from "./supply-vulnerability.js";
export type {
  ContainerInput,
  ContainerKind,
  Decision,
  Exemption,
  PullSecretFacts,
  Verdict,
  Violation,
  WorkloadContext,
} from "./types.js";
export {
  applyingExtensions,
  describeExtension,
  describeMatch,
  extensionsOf,
  WidenedPolicies,
  widen,
} from "./widen.js";

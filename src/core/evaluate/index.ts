export { VIOLATION_DESCRIPTIONS } from "./codes.js";
export { describeAllowed, describeRule } from "./describe.js";
export { createEvaluator, type Evaluator, verdictOf } from "./evaluator.js";
export { explainImage, type PolicyExplanation } from "./explain.js";
export { type ImageFacts, ImageFactsCache, toImageFacts } from "./image-facts.js";
export { checkRecipe, explainPass, type RecipeFailure } from "./recipes.js";
export {
  type Applicability,
  applicability,
  describeScope,
  type NamespaceFacts,
  toNamespaceFacts,
  workspacesOf,
} from "./scope.js";
export type {
  ContainerInput,
  ContainerKind,
  Decision,
  Verdict,
  Violation,
} from "./types.js";

export {
  FACTS_KIND,
  type FactsFileResult,
  type OfflineImage,
  offlineImageFor,
  validateFactsFile,
} from "./facts.js";
export type { ReportReader } from "./facts-groups.js";
export {
  type CaseOutcome,
  describeCase,
  type Exemption,
  formatActual,
  formatDiff,
  formatExpected,
  matchExpectation,
  type Observation,
  type ObservedResource,
  unassertedResources,
} from "./match.js";
export {
  DEFAULT_TEST_NAMESPACE,
  type Expectation,
  type ExpectedResult,
  formatResourceId,
  POLICY_RESULTS,
  POLICY_TEST_API_VERSION,
  POLICY_TEST_KIND,
  type PolicyResult,
  type PolicyTest,
  type ResourceId,
  WORKLOAD_RESULTS,
  type WorkloadResult,
} from "./types.js";
export { type PolicyTestResult, parseResourceId, validatePolicyTest } from "./validate.js";

export { type CheckReport, collect as collectManifests, DEFAULT_NAMESPACE } from "./check.js";
export { checkWithFacts } from "./facts.js";
export {
  isCheckFailing,
  lineOfViolation,
  toCheckFindings,
  violationFingerprint,
  violationProperties,
} from "./findings.js";
export { PullSecretIndex } from "./pull-secrets.js";

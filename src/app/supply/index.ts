export { type AuditSupply, cachedSupplyFor } from "./audit.js";
export { factRequestFor, factRequestOf, type SupplyContext, withFetchedFacts } from "./review.js";
export type { VerifyReport } from "./verify.js";

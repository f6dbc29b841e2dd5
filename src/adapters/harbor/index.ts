export {
  artifactPath,
  type HarborArtifact,
  HarborClient,
  type HarborOptions,
  toHarborArtifact,
} from "./client.js";
export { toVulnerabilityFact } from "./fact.js";
export type { HarborScanOverview } from "./overview.js";

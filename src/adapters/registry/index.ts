export { budgetLeft, withTimeBudget } from "./budget.js";
export { type Challenge, findChallenge, parseChallenges } from "./challenge.js";
export { RegistryClient, type RegistryClientOptions } from "./client.js";
export {
  type Credential,
  type CredentialStore,
  canonicalRegistry,
  chainCredentials,
  NO_CREDENTIALS,
  normalizeAuthKey,
  parseDockerCfg,
  parseDockerConfig,
  parsePullSecret,
  staticCredentials,
} from "./credentials.js";
export { computeDigest, isDigest, parseDigest, verifyDigest } from "./digest.js";
export { isRegistryError, RegistryError, type RegistryErrorCode } from "./errors.js";
export { DEFAULT_PLATFORM, formatPlatform, parseManifest, selectPlatform } from "./manifest.js";
export { apiHostFor, toRepository } from "./repository.js";
export {
  DEFAULT_RETRY_POLICY,
  isRetryableStatus,
  parseRetryAfter,
  type RetryPolicy,
} from "./retry.js";
export { parseNextLink } from "./tags.js";
export type { TlsPolicy } from "./transport.js";
export {
  type BlobFetcher,
  type Descriptor,
  type Digest,
  type FetchedConfig,
  type FetchedManifest,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
  type Manifest,
  type ManifestFetcher,
  MEDIA_TYPES,
  type Platform,
  type PlatformResolver,
  type ReferrerLister,
  type RegistryPinger,
  type Repository,
  type TagLister,
} from "./types.js";

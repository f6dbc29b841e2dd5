export {
  type Candidate,
  COSIGN_ANNOTATIONS,
  fromBundleJson,
  fromDsseLayer,
  fromSimpleSigningLayer,
} from "./candidate.js";
export { simpleSigningDigest, verifyImageAttestation, verifyImageSignature } from "./claims.js";
export { IN_TOTO_PAYLOAD_TYPE, parseDsseEnvelope, preAuthEncoding } from "./dsse.js";
export { isSignatureRejection, type RejectionCode, SignatureRejection } from "./errors.js";
export { compileIdentity, type IdentityMatcher, type IdentitySpec } from "./identity.js";
export { parsePublicKey, type TrustedKey, verifyWithKey } from "./keys.js";
export { COSIGN_SIGN_PREDICATE, toPredicateType } from "./predicate-types.js";
export {
  parseTrustedRoot,
  publicGoodTrust,
  type SigstoreTrust,
} from "./trusted-root.js";
export { type CandidateResult, type TrustPolicy, verifyCandidate } from "./verify.js";

export { type TokenSigner, toPublicKeys, toTokenSigner, verifyToken } from "./jwt.js";
export { createLoginLimiter, type LoginLimiter } from "./login-limiter.js";
export {
  bcryptCost,
  bcryptHasher,
  createSecretVerifier,
  generateSecret,
  hashSecret,
  SECRET_COST,
  type SecretHasher,
  type SecretVerifier,
  secretFingerprint,
} from "./secrets.js";

export { type TokenSigner, toPublicKeys, toTokenSigner, verifyToken } from "./jwt.js";
export { createLoginLimiter, type LoginLimiter } from "./login-limiter.js";
export {
  generateSecret,
  hashSecret,
  SECRET_COST,
  secretFingerprint,
  verifySecret,
} from "./secrets.js";

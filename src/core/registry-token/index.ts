export {
  type Account,
  type AccountDirectory,
  type AccountType,
  isAccountName,
  isBcryptHash,
  parseAccounts,
  parseGrantFlag,
  toAccountDirectory,
  toAccountsDocument,
} from "./accounts.js";
export {
  parseTokenServiceConfig,
  type RateLimitConfig,
  TOKEN_API_VERSION,
  type TokenServiceConfig,
} from "./config.js";
export {
  type AccessDecision,
  allowedActions,
  type CompiledGrant,
  compileGrants,
  evaluateAccess,
  type Grant,
  REPOSITORY_ACTIONS,
  type Refusal,
  type RepositoryAction,
} from "./grants.js";
export { type Access, isRepositoryName, MAX_SCOPE_LENGTH, toAccess, toScope } from "./scope.js";

export { TokenService, type TokenState } from "./token.js";
export { loadAccounts, loadTokenConfig, loadTokenKeys, saveAccounts } from "./token-files.js";
export type { TokenRequest } from "./token-request.js";

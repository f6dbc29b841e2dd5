export { DEFAULT_MAX_FILE_BYTES, type SecretsScanOptions, scanSecrets, toRules } from "./scan.js";

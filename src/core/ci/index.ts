export {
  CI_API_VERSION,
  CI_KIND,
  type CiConfig,
  type CiConfigResult,
  validateCiConfig,
} from "./config.js";

export type { ProviderTransport } from "./http.js";
export { ASYMMETRIC_ALGORITHMS, decodeJwt } from "./jwt.js";
export {
  type ClientSettings,
  codeChallengeOf,
  OidcProvider,
  type ProviderMetadata,
  type ProviderOptions,
  randomToken,
} from "./provider.js";

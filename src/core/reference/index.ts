export {
  type ImageParseOutput,
  toFamiliarName,
  toFamiliarString,
  toName,
  toNormalizedString,
} from "./format.js";
export {
  MAX_REFERENCE_LENGTH,
  NAME_TOTAL_LENGTH_MAX,
} from "./grammar.js";
export { toImageParseOutput } from "./output.js";
export {
  type ImageReference,
  type ParseResult,
  parseImageReference,
  parseNormalized,
  parseStrict,
  splitDockerDomain,
} from "./parse.js";
export { type ImageParts, splitHostPort, toImageParts } from "./parts.js";

import { type ImageParseOutput, toFamiliarString, toNormalizedString } from "./format.js";
import { parseNormalized } from "./parse.js";

/** One line of `customs image parse -o json` (spec: CLI output contract). */
export function toImageParseOutput(input: string): ImageParseOutput {
  const result = parseNormalized(input);
  if (!result.ok) return { input, error: result.message, code: result.code };
  const { ref } = result;
  const out: ImageParseOutput = {
    input,
    normalized: toNormalizedString(ref),
    familiar: toFamiliarString(ref),
    domain: ref.domain,
    path: ref.path,
  };
  if (ref.tag !== undefined) out.tag = ref.tag;
  if (ref.digest !== undefined) out.digest = ref.digest;
  return out;
}

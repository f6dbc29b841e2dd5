import { DEFAULT_DOMAIN, OFFICIAL_REPO_PREFIX } from "./grammar.js";
import type { ImageReference } from "./parse.js";

/** distribution/reference `Named.Name()`: domain and path. */
export function toName(ref: ImageReference): string {
  return ref.domain === "" ? ref.path : `${ref.domain}/${ref.path}`;
}

function withTagAndDigest(name: string, ref: ImageReference): string {
  let s = name;
  if (ref.tag !== undefined) s += `:${ref.tag}`;
  if (ref.digest !== undefined) s += `@${ref.digest}`;
  return s;
}

/** distribution/reference `String()`: the full normalized string, no implied tag. */
export function toNormalizedString(ref: ImageReference): string {
  return withTagAndDigest(toName(ref), ref);
}

/**
 * distribution/reference `FamiliarName`: Docker Hub's domain is dropped, and so is `library/`
 * when what remains has a single component.
 */
export function toFamiliarName(ref: ImageReference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return toName(ref);
  if (ref.path.startsWith(OFFICIAL_REPO_PREFIX)) {
    const remainder = ref.path.slice(OFFICIAL_REPO_PREFIX.length);
    if (!remainder.includes("/")) return remainder;
  }
  return ref.path;
}

/** distribution/reference `FamiliarString`. */
export function toFamiliarString(ref: ImageReference): string {
  return withTagAndDigest(toFamiliarName(ref), ref);
}

/** The JSON object `customs image parse -o json` prints for one reference. */
export interface ImageParseOutput {
  input: string;
  normalized?: string;
  familiar?: string;
  domain?: string;
  path?: string;
  tag?: string;
  digest?: string;
  error?: string;
  code?: string;
}

import type { ReferenceErrorCode } from "../errors.js";
import { printable } from "../policy/index.js";
import {
  type ImageParts,
  parseNormalized,
  toImageParts,
  toNormalizedString,
} from "../reference/index.js";

/** What the engine needs of one image string, computed once and shared by every policy. */
export type ImageFacts =
  | {
      readonly valid: true;
      readonly parts: ImageParts;
      /** Normalized with the implied tag, as a runtime pulls it: docker.io/library/busybox:latest. */
      readonly normalized: string;
    }
  | {
      readonly valid: false;
      readonly code: ReferenceErrorCode;
      readonly reason: string;
    };

export function toImageFacts(image: string): ImageFacts {
  const result = parseNormalized(image);
  if (!result.ok)
    return { valid: false, code: result.code, reason: printable(result.message, 200) };
  const { ref } = result;
  const implied =
    ref.tag === undefined && ref.digest === undefined ? { ...ref, tag: "latest" } : ref;
  return { valid: true, parts: toImageParts(ref), normalized: toNormalizedString(implied) };
}

/**
 * A bounded memo of image facts. Workloads repeat the same images over and over, and parsing
 * is the costliest step of an evaluation. Cleared whole when full: simple, and the working
 * set of a cluster is far below the bound.
 */
export class ImageFactsCache {
  private readonly entries = new Map<string, ImageFacts>();

  constructor(private readonly maxEntries = 50_000) {}

  get(image: string): ImageFacts {
    let facts = this.entries.get(image);
    if (facts === undefined) {
      facts = toImageFacts(image);
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(image, facts);
    }
    return facts;
  }
}
